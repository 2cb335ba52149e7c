from django.urls import path

from . import report_views, review_views, views

app_name = "tasks"
urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/publish/", views.plan_publish, name="plan_publish"),
    path("plans/<int:pk>/close/", views.plan_close, name="plan_close"),
    path("plans/<int:pk>/reopen/", views.plan_reopen, name="plan_reopen"),
    path("plans/<int:pk>/tasks/", views.task_list, name="task_list"),
    path("plans/<int:pk>/periods/", review_views.period_list, name="period_list"),
    path("plans/<int:pk>/receipts/", review_views.receipts, name="receipts"),
    path("plans/<int:pk>/receipts/urge/", review_views.receipt_urge, name="receipt_urge"),
    path("periods/<int:pk>/lock/", review_views.period_lock, name="period_lock"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/groups/<int:group_pk>/", views.task_choose_group, name="task_choose_group"),
    path("tasks/<int:pk>/periods/<int:period_pk>/", report_views.consolidation, name="consolidation"),
    path("my/", report_views.my_tasks, name="my_tasks"),
    path("assignments/<int:pk>/receipt/", report_views.receipt_confirm, name="receipt_confirm"),
    path("assignments/<int:pk>/contest/", report_views.receipt_contest, name="receipt_contest"),
    path("assignments/<int:pk>/resolve/", review_views.receipt_resolve, name="receipt_resolve"),
    path("assignments/<int:pk>/extension/", report_views.extension_request, name="extension_request"),
    path("assignments/<int:pk>/periods/<int:period_pk>/report/", report_views.report_edit, name="report_edit"),
    path("reports/<int:pk>/", report_views.report_detail, name="report_detail"),
    path("reports/<int:pk>/submit/", report_views.report_submit, name="report_submit"),
    path("reports/<int:pk>/approve/", report_views.report_approve, name="report_approve"),
    path("reports/<int:pk>/accept/", report_views.report_accept, name="report_accept"),
    path("reports/<int:pk>/return/", report_views.report_return, name="report_return"),
    path("attachments/<int:pk>/", report_views.attachment, name="attachment"),
    path("review/", review_views.review_queue, name="review_queue"),
    path("review/accept/", review_views.review_accept_many, name="review_accept_many"),
    path("review/missing/", review_views.missing_reports, name="missing_reports"),
    path("review/urge/", review_views.urge, name="urge"),
    path("extensions/", review_views.extensions, name="extensions"),
    path("extensions/<int:pk>/decide/", review_views.extension_decide, name="extension_decide"),
]

from django.urls import path

from . import views

app_name = "tasks"
urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/publish/", views.plan_publish, name="plan_publish"),
    path("plans/<int:pk>/tasks/", views.task_list, name="task_list"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/groups/<int:group_pk>/", views.task_choose_group, name="task_choose_group"),
    path("my/", views.my_tasks, name="my_tasks"),
]

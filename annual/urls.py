"""URLs of the year-end report and the ledger (namespace `annual`; the old names `annual:annual_report` … are
kept as aliases in planner/urls.py)."""

from django.urls import path

from . import views

app_name = "annual"

urlpatterns = [
    path("annual-report/", views.annual_report_of_current_plan, name="annual_report"),
    path("plans/<int:pk>/annual-report/", views.annual_report, name="annual_report"),
    path("plans/<int:pk>/annual-report/assemble/", views.annual_assemble, name="annual_assemble"),
    path("plans/<int:pk>/annual-report/head/", views.annual_head_edit, name="annual_head"),
    path("plans/<int:pk>/annual-report/parts/<int:part_pk>/", views.annual_part_edit, name="annual_part"),
    path(
        "plans/<int:pk>/annual-report/parts/<int:part_pk>/replace/",
        views.annual_part_replace,
        name="annual_part_replace",
    ),
    path(
        "plans/<int:pk>/annual-report/parts/<int:part_pk>/dismiss/",
        views.annual_part_dismiss,
        name="annual_part_dismiss",
    ),
    path("plans/<int:pk>/annual-report/template/", views.annual_template, name="annual_template"),
    path(
        "plans/<int:pk>/annual-report/template/preset/",
        views.annual_template_preset,
        name="annual_template_preset",
    ),
    path("plans/<int:pk>/annual-report/figures/", views.annual_figures, name="annual_figures"),
    path("plans/<int:pk>/annual-report/figures.xlsx", views.annual_figures_xlsx, name="annual_figures_xlsx"),
    path("plans/<int:pk>/annual-report/print/", views.annual_print, name="annual_print"),
    path("plans/<int:pk>/annual-report.docx", views.annual_docx, name="annual_docx"),
    path("plans/<int:pk>/ledger.xlsx", views.ledger, name="ledger"),
]

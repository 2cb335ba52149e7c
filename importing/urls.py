"""URLs of the import page (namespace `importing`; the old names `importing:import_plan` … are kept as aliases in
planner/urls.py)."""

from django.urls import path

from . import views

app_name = "importing"

urlpatterns = [
    path("plans/import/", views.import_plan, name="import_plan"),
    path("plans/import/preview/", views.import_preview, name="import_preview"),
    path("plans/import/preview/edit/", views.import_edit, name="import_edit"),
]

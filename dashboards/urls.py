"""URLs of the dashboards (namespace `dashboards`; the old names `dashboards:dashboard`, `dashboards:matrix` … are kept
as aliases in planner/urls.py).

`dashboard/` and `matrix/` without a plan open the current plan's page."""

from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("plans/<int:pk>/dashboard/", views.dashboard, name="dashboard"),
    path("plans/<int:pk>/dashboard/units/", views.units, name="dashboard_units"),
    path("plans/<int:pk>/dashboard/units.xlsx", views.units_xlsx, name="dashboard_units_xlsx"),
    path("matrix/", views.matrix, name="matrix"),
    path("plans/<int:pk>/matrix/", views.matrix, name="matrix"),
    path("plans/<int:pk>/matrix.xlsx", views.matrix_xlsx, name="matrix_xlsx"),
    path("plans/<int:pk>/dashboard/list/", views.drill_down, name="dashboard_list"),
    path("plans/<int:pk>/dashboard/public/", views.public_switch, name="public_switch"),
    path("public/plans/<int:pk>/", views.public, name="public_dashboard"),
]

from django.urls import path

from . import views

app_name = "units"

urlpatterns = [
    path("users/", views.user_list, name="user_list"),
    path("users/<int:pk>/password/", views.password_reset, name="password_reset"),
    path("users/new/", views.account_create, name="account_create"),
    path("users/import/", views.account_import, name="account_import"),
    path("users/import/template.xlsx", views.account_template, name="account_template"),
    path("users/<int:pk>/deactivate/", views.account_deactivate, name="account_deactivate"),
]

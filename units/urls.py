from django.urls import path

from . import views

app_name = "units"

urlpatterns = [
    path("users/", views.user_list, name="user_list"),
    path("users/<int:pk>/password/", views.password_reset, name="password_reset"),
]

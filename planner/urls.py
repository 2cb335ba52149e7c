from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from annual import urls as annual_urls
from dashboards import urls as dashboard_urls

from . import views
from .importing import views as import_views

admin.site.site_header = _("法治政府建设任务管理 · 系统管理")
admin.site.site_title = _("系统管理")
admin.site.index_title = _("数据管理")

planner_patterns = [
    path("plans/import/", import_views.import_plan, name="import_plan"),
    path("plans/import/preview/", import_views.import_preview, name="import_preview"),
    *dashboard_urls.urlpatterns,
    *annual_urls.urlpatterns,
]

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("", include((planner_patterns, "planner"))),
    path("", include("tasks.urls")),
    path("notifications/", include("notifications.urls")),
    path("admin/", admin.site.urls),
]

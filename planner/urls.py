from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from annual import urls as annual_urls
from dashboards import urls as dashboard_urls
from importing import urls as importing_urls
from units import views as unit_views
from units.forms import LoginForm

from . import views

admin.site.site_header = _("法治政府建设任务管理 · 系统管理")
admin.site.site_title = _("系统管理")
admin.site.index_title = _("数据管理")

# A server error: a page without a stack trace; 503 (Chinese) when the database cannot be reached.
handler400 = "planner.views.bad_request"
handler500 = "planner.views.server_error"

# The contract names of DESIGN.md (planner:dashboard, planner:matrix, planner:import_plan, planner:annual_report)
# and every other old planner:<name> of these apps: the same patterns a second time, after the real ones, so
# reverse() gives the same path and resolving a path always finds the app's own namespace first.
PLANNER_ALIASES = [
    *importing_urls.urlpatterns,
    *dashboard_urls.urlpatterns,
    *annual_urls.urlpatterns,
]

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", unit_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("importing.urls")),
    path("", include("dashboards.urls")),
    path("", include("annual.urls")),
    path("assessment/", include("assessment.urls")),
    path("", include((PLANNER_ALIASES, "planner"))),
    path("", include("tasks.urls")),
    path("notifications/", include("notifications.urls")),
    path("audit/", include("audit.urls")),
    path("units/", include("units.urls")),
    path("admin/", admin.site.urls),
]

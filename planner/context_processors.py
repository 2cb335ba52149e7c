"""The navigation, built from the same role checks the views use: a menu never offers what one may not do."""

from functools import lru_cache

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from notifications.service import unread_count
from units.roles import roles_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_for(user)
    flags = (bool(roles.unit_ids), roles.sees_everything, roles.is_coordinator, user.is_staff)
    items = menu(flags, get_script_prefix())
    current = request.resolver_match.url_name if request.resolver_match else ""
    active = {
        "home": "home",
        "my_tasks": "my_tasks",
        "plan_list": "plans",
        "plan_detail": "plans",
        "task_list": "plans",
        "task_detail": "plans",
        "report_edit": "my_tasks",
        "consolidation": "my_tasks",
        "extension_request": "my_tasks",
        "receipt_contest": "my_tasks",
        "review_queue": "review",
        "missing_reports": "review",
        "extensions": "review",
        "receipts": "review",
        "period_list": "review",
        "dashboard": "dashboard",
        "dashboard_units": "dashboard",
        "dashboard_list": "dashboard",
        "matrix": "dashboard",
        "user_list": "users",
        "password_reset": "users",
        "log": "audit",
        "ranking": "assessment",
        "rule": "assessment",
        "rule_edit": "assessment",
        "unit_score": "assessment",
        "practices": "practices",
        "practice_mark": "practices",
        "circular_list": "circulars",
        "circular": "circulars",
        "circular_edit": "circulars",
    }.get(current, "")
    return {
        "nav_items": items,
        "nav_active": active,
        "user_roles": roles,
        "unread_notifications": unread_count(user),
    }


@lru_cache(maxsize=64)
def menu(flags, _prefix):
    """The menu for one combination of roles, its URLs reversed once per process (and script prefix)."""
    has_units, sees_everything, is_coordinator, is_staff = flags
    items = [("home", reverse("home"), _("首页"))]
    if has_units:
        items.append(("my_tasks", reverse("tasks:my_tasks"), _("我的任务")))
    items.append(("plans", reverse("tasks:plan_list"), _("工作计划")))
    if has_units and not sees_everything:
        items.append(("assessment", reverse("assessment:ranking"), _("考核得分")))
    if sees_everything:
        items.append(("dashboard", reverse("dashboards:dashboard"), _("领导驾驶舱")))
        items.append(("review", reverse("tasks:review_queue"), _("审核督办")))
        items.append(("annual", reverse("annual:annual_report"), _("年度报告")))
        items.append(("assessment", reverse("assessment:ranking"), _("考核排名")))
        items.append(("practices", reverse("assessment:practices"), _("典型经验")))
        items.append(("circulars", reverse("assessment:circular_list"), _("通报")))
    if is_coordinator:
        items.append(("users", reverse("units:user_list"), _("单位用户")))
        items.append(("audit", reverse("audit:log"), _("审计日志")))
    if is_staff:
        items.append(("admin", reverse("admin:index"), _("管理")))
    return tuple(items)

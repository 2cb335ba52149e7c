"""The home page, which fits the person's role, the health check and the error page for a server error."""

import sys

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseServerError, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from assessment.circular import published_for
from tasks import access, html, navigation, selectors
from tasks.models import WorkPlan
from tasks.status import today
from tasks.workdays import WorkCalendar
from units.roles import roles_for


def home(request):
    """Home: the plan's card, and what waits for the person in each live plan (every spring two plans are live:
    last year's, whose year-end report is being written, and this year's). Coordinators see per plan the reports
    to review, the contested assignments, the extension requests and the current period's missing reports;
    unit members see per plan their reports sent back, their assignments to sign for, what is due soon and what
    they were urged to report. Each count links to the page listing exactly those items."""
    roles = roles_for(request.user)
    plans = access.visible_plans(request.user)
    live = list(plans.filter(status=WorkPlan.Status.ACTIVE))
    current = navigation.default_plan(live) or access.current_plan(request.user)
    context = {"roles": roles, "plan": current}
    if roles.unit_ids or roles.sees_everything:
        context["circulars"] = published_for(live)  # 通报 published to the units (one query)
    if current is not None and roles.sees_everything:
        context["totals"] = selectors.plan_totals(current)
        context["drafts"] = plans.filter(status=WorkPlan.Status.DRAFT) if roles.is_coordinator else []
        if roles.is_coordinator:
            context["work"] = selectors.coordinator_work(live)
    if roles.unit_ids:
        assignments = access.my_assignments(request.user).select_related("task", "unit")
        if current is not None:
            assignments = assignments.filter(task__plan=current)
        context["my_assignments"] = assignments.order_by("unit__order", "task__number")
        calendar, on = WorkCalendar.load(), today()
        mine = access.my_plans(request.user)
        work = selectors.reporter_work(
            access.my_assignments(request.user), mine, calendar, on, max(settings.REMINDER_WORKDAYS, default=3)
        )
        to_approve = (
            selectors.awaiting_approval(roles.approver_unit_ids, [w["plan"] for w in work])
            if roles.approver_unit_ids
            else None
        )
        context["unit_work"] = html.reporter_work_rows(work, calendar, on, roles.reporter_unit_ids, to_approve)
    return render(request, "planner/home.html", context)


@login_not_required
@require_GET
def healthz(request):
    """For the load balancer: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return database_unavailable_json()
    return JsonResponse({"status": "ok"})


def database_unavailable_json():
    return JsonResponse({"status": "unavailable", "reason": "database"}, status=503)


def database_answers():
    """After an OperationalError: is the database really gone, or did one query fail (SQLite's "LIKE pattern
    too complex", a lock timeout)? Only the first is "temporarily unavailable"; the second is a 500."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except (OperationalError, InterfaceError):
        return False
    except DatabaseError:  # e.g. PostgreSQL's "transaction aborted": the server answered
        return True
    return True


def bad_request(request, exception=None):
    """handler400: a Chinese page saying what could not be read. Django refuses a multipart part whose headers
    pass 1,024 bytes; in practice that is an attachment with a very long name (a 1,000-character name)."""
    if isinstance(exception, MultiPartParserError) and "header size" in str(exception):
        message = _(
            "上传的附件文件名太长，无法接收（文件没有上传，本次填写的内容也没有保存）。"
            "请把文件名改短（例如 50 个字以内）后，返回上一页重新选择文件提交。"
        )
    elif type(exception).__name__ == "BadAdminQuery":
        message = _("筛选、搜索或排序的条件中含有无法识别的字符或超出范围的数字。请返回列表页重新选择筛选条件。")
    else:
        message = _("提交的内容无法识别（可能已损坏或不完整），没有保存。请返回上一页重新操作。")
    return HttpResponseBadRequest(loader.render_to_string("400.html", {"message": message}))


def server_error(request):
    """handler500: a page without a stack trace; 503 when the database cannot be reached.

    Django calls this inside its exception handler, so sys.exc_info() names the error, wherever it arose (a
    view, a middleware, a context processor). The pages render without a request context: the context
    processors would query the database.
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)) and not database_answers():
        if request.path_info == reverse("healthz"):
            return database_unavailable_json()
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponseServerError(loader.render_to_string("500.html"))

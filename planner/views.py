"""The home page, which fits the person's role, and the health check."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tasks import access, selectors
from tasks.models import WorkPlan
from units.roles import roles_for


def home(request):
    roles = roles_for(request.user)
    plans = access.visible_plans(request.user)
    current = access.current_plan(request.user)
    context = {"roles": roles, "plan": current}
    if current is not None and roles.sees_everything:
        context["totals"] = selectors.plan_totals(current)
        context["drafts"] = plans.filter(status=WorkPlan.Status.DRAFT) if roles.is_coordinator else []
        if roles.is_coordinator:
            context["work"] = selectors.coordinator_work()
    if roles.unit_ids:
        assignments = access.my_assignments(request.user).select_related("task", "unit")
        if current is not None:
            assignments = assignments.filter(task__plan=current)
        context["my_assignments"] = assignments.order_by("unit__order", "task__number")
    return render(request, "planner/home.html", context)


@login_not_required
@require_GET
def healthz(request):
    """For the load balancer: 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})

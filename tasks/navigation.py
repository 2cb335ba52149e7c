"""Which plan a page shows when several plans are live, and where an action returns to.

Every spring an office has two live plans at once (last year's, whose year-end report is being written, and this
year's). The pages that list work show one plan at a time with a switch; they all choose it by the same rule."""

from django.utils.http import url_has_allowed_host_and_scheme

from . import access
from .models import ReportingPeriod
from .status import today


def default_plan(plans, on=None):
    """The plan a page opens on: the newest of `plans` (newest first) whose year is this year, else the newest."""
    year = (on or today()).year
    return next((plan for plan in plans if plan.year == year), None) or (plans[0] if plans else None)


def chosen_plan(request, plans, on=None):
    """?plan= among `plans`, else the plan of ?period=, else default_plan().

    A province-wide database holds one live plan per city; a page, its filter choices and its counts are those
    of one plan, so they stay the size of one city's plan however many plans share the database.
    """
    by_pk = {plan.pk: plan for plan in plans}
    wanted = access.parse_pk(request.GET.get("plan"))
    if wanted not in by_pk:
        period = access.parse_pk(request.GET.get("period"))
        if period:
            wanted = ReportingPeriod.objects.filter(pk=period).values_list("plan_id", flat=True).first()
    return by_pk.get(wanted) or default_plan(plans, on)


def local_next(request, default=None):
    """The `next` of the form (else of the query string) when it is a path of this site, else `default`.

    Only a path is taken ("/my/?plan=3&period=7"), never a view name or another host."""
    back = request.POST.get("next") or request.GET.get("next") or ""
    if back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return default

"""我的任务 with two live plans: one plan at a time (this year's first), opening on the period that needs the
unit (a returned report first, then the earliest one not yet reported), and every action returns to the plan
and period tab the user was on."""

import datetime
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from tasks import workflow
from tasks.models import Assignment, AssignmentEvent, ProgressReport, ReportingPeriod, WorkPlan
from tasks.plans import publish_plan
from tests import two_plans
from tests.conftest import COORDINATOR, COUNTY_REPORTER, LEAD_REPORTER, user

pytestmark = pytest.mark.django_db
State = ProgressReport.State
URL = "/my/"


@pytest.fixture
def plans(plan):
    return two_plans.build(plan)


def tab(plan, period):
    return f"{reverse('tasks:my_tasks')}?plan={plan.pk}&period={period.pk}"


def test_it_shows_one_plan_with_a_switch_this_years_first(login, plans):
    older, newer = plans
    client = login(COUNTY_REPORTER)
    response = client.get(reverse("tasks:my_tasks"))
    assert response.context["plan"] == newer
    assert {row.assignment.task.plan_id for row in response.context["rows"]} == {newer.pk}
    assert [line["number"] for line in response.context["lines"]] == ["1", "2", "3"]
    page = response.content.decode()
    assert f'<a href="?plan={older.pk}">{older.year}年计划</a>' in page
    assert f'<a href="?plan={newer.pk}" class="active" aria-current="page">{newer.year}年计划</a>' in page
    assert older.title not in page  # neither its title nor its period tabs
    assert f"period={two_plans.period_of(older, '第一期').pk}" not in page

    response = client.get(reverse("tasks:my_tasks"), {"plan": older.pk})
    assert response.context["plan"] == older
    assert {row.assignment.task.plan_id for row in response.context["rows"]} == {older.pk}


def test_this_years_plan_comes_before_a_newer_one(login, plans):
    older, newer = plans
    later = two_plans.make_plan(timezone.localdate().year + 1)
    response = login(COUNTY_REPORTER).get(reverse("tasks:my_tasks"))
    assert response.context["plan"] == newer
    assert [p.pk for p in response.context["plans"]] == [later.pk, newer.pk, older.pk]


def test_a_plan_not_live_or_not_an_id_falls_back_to_this_years(login, plans, plan):
    _older, newer = plans
    client = login(COUNTY_REPORTER)
    for wanted in (plan.pk, "abc", "²", 10**20, ""):  # plan: the demo's, closed
        response = client.get(reverse("tasks:my_tasks"), {"plan": wanted})
        assert response.status_code == 200 and response.context["plan"] == newer


def test_it_opens_on_the_period_with_a_returned_report_then_the_first_not_reported(login, plans):
    older, newer = plans
    client = login(COUNTY_REPORTER)
    # this year's: 第一期 has task 1 returned, though 第二期 is the current one
    assert client.get(reverse("tasks:my_tasks")).context["period"] == two_plans.period_of(newer, "第一期")
    # last year's: 第二期 has the returned report, though 第一期 is overdue with task 3 unreported
    response = client.get(reverse("tasks:my_tasks"), {"plan": older.pk})
    assert response.context["period"] == two_plans.period_of(older, "第二期")

    returned = ProgressReport.objects.get(
        assignment=two_plans.county_assignment(newer, 1), period=two_plans.period_of(newer, "第一期")
    )
    workflow.submit(returned, user(COUNTY_REPORTER))
    # nothing returned: the earliest period in which a task is not reported (第一期 is all reported now)
    assert client.get(reverse("tasks:my_tasks")).context["period"] == two_plans.period_of(newer, "第二期")
    # a period asked for wins
    third = two_plans.period_of(newer, "第三期")
    assert client.get(reverse("tasks:my_tasks"), {"plan": newer.pk, "period": third.pk}).context["period"] == third
    # a period of the other plan is not taken for this one
    other = two_plans.period_of(older, "第一期")
    response = client.get(reverse("tasks:my_tasks"), {"plan": newer.pk, "period": other.pk})
    assert response.context["plan"] == newer and response.context["period"].plan_id == newer.pk


def test_signing_for_returns_to_the_tab(login, plans):
    _older, newer = plans
    client = login(COUNTY_REPORTER)
    p2 = two_plans.period_of(newer, "第二期")
    response = client.get(reverse("tasks:my_tasks"), {"plan": newer.pk, "period": p2.pk})
    unsigned = two_plans.county_assignment(newer, 3)
    line = next(line for line in response.context["lines"] if line["pk"] == unsigned.pk)
    assert line["confirm_url"] == reverse("tasks:receipt_confirm", args=[unsigned.pk])
    assert f'<input type="hidden" name="next" value="{tab(newer, p2).replace("&", "&amp;")}">' in (
        response.content.decode()
    )
    response = client.post(line["confirm_url"], {"next": tab(newer, p2)})
    assert response.status_code == 302 and response["Location"] == tab(newer, p2)
    unsigned.refresh_from_db()
    assert unsigned.receipt == Assignment.Receipt.CONFIRMED


def test_signing_for_all_signs_the_plan_shown_and_returns_to_the_tab(login, plans):
    older, newer = plans
    pending_elsewhere = two_plans.county_assignment(older, 1)
    Assignment.objects.filter(pk=pending_elsewhere.pk).update(receipt=Assignment.Receipt.PENDING)
    client = login(COUNTY_REPORTER)
    p1 = two_plans.period_of(newer, "第一期")
    response = client.post(
        reverse("tasks:receipt_confirm", args=[0]), {"plan": newer.pk, "next": tab(newer, p1)}
    )
    assert response["Location"] == tab(newer, p1)
    assert two_plans.county_assignment(newer, 3).receipt == Assignment.Receipt.CONFIRMED
    assert two_plans.county_assignment(older, 1).receipt == Assignment.Receipt.PENDING


def test_an_objection_returns_to_the_tab(login, plans):
    _older, newer = plans
    unsigned = two_plans.lead_assignment(newer, 2)  # no report yet: it may still be contested
    Assignment.objects.filter(pk=unsigned.pk).update(receipt=Assignment.Receipt.PENDING)
    client = login(LEAD_REPORTER)
    p1 = two_plans.period_of(newer, "第一期")
    page = client.get(tab(newer, p1))
    line = next(line for line in page.context["lines"] if line["pk"] == unsigned.pk)
    assert line["contest_url"] == f"{reverse('tasks:receipt_contest', args=[unsigned.pk])}?next={quote(tab(newer, p1), safe='')}"
    form = client.get(line["contest_url"])
    assert form.context["back"] == tab(newer, p1)
    response = client.post(line["contest_url"], {"reason": "不属于本单位职责。", "next": tab(newer, p1)})
    assert response["Location"] == tab(newer, p1)
    assert AssignmentEvent.objects.filter(assignment=unsigned, action=AssignmentEvent.Action.CONTEST).exists()


def test_saving_and_submitting_return_to_the_tab(login, plans):
    older, _newer = plans
    client = login(COUNTY_REPORTER)
    q2 = two_plans.period_of(older, "第二期")
    here = tab(older, q2)
    response = client.get(here)
    returned = two_plans.county_assignment(older, 1)
    line = next(line for line in response.context["lines"] if line["pk"] == returned.pk)
    edit = reverse("tasks:report_edit", args=[returned.pk, q2.pk])
    assert line["action_url"] == f"{edit}?next={quote(here, safe='')}"
    form = client.get(line["action_url"])
    assert form.context["back"] == here
    assert f'<input type="hidden" name="next" value="{here.replace("&", "&amp;")}">' in form.content.decode()
    report = form.context["report"]
    data = {"progress": "on_track", "body": "已补充具体数据。", "version": report.version, "next": here}
    saved = client.post(edit, {**data, "intent": "save"})
    assert saved["Location"] == f"{edit}?next={quote(here, safe='')}"
    report.refresh_from_db()
    submitted = client.post(edit, {**data, "version": report.version, "intent": "submit"})
    assert submitted["Location"] == here
    report.refresh_from_db()
    assert report.state == State.SUBMITTED


def test_a_submit_from_the_report_page_returns_to_the_tab(login, plans):
    _older, newer = plans
    client = login(COUNTY_REPORTER)
    p2 = two_plans.period_of(newer, "第二期")
    draft = ProgressReport.objects.get(assignment=two_plans.county_assignment(newer, 1), period=p2)
    page = client.get(reverse("tasks:report_detail", args=[draft.pk]), {"next": tab(newer, p2)})
    assert page.context["back"] == tab(newer, p2)
    response = client.post(
        reverse("tasks:report_submit", args=[draft.pk]), {"version": draft.version, "next": tab(newer, p2)}
    )
    assert response["Location"] == tab(newer, p2)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/my/", "javascript:alert(1)", "my/"])
def test_a_next_that_is_not_a_local_path_is_ignored(login, plans, target):
    _older, newer = plans
    unsigned = two_plans.county_assignment(newer, 3)
    response = login(COUNTY_REPORTER).post(reverse("tasks:receipt_confirm", args=[unsigned.pk]), {"next": target})
    assert response["Location"] == reverse("tasks:my_tasks")


def test_the_query_count_is_flat_in_plans_and_rows(login, plan):
    one, two, more = two_plans.query_counts(login(COUNTY_REPORTER), plan, reverse("tasks:my_tasks"))
    assert one == two == more


def test_coordinator_sees_no_plan_here(login, plans):
    response = login(COORDINATOR).get(reverse("tasks:my_tasks"))
    assert response.status_code == 200 and response.context["plan"] is None and response.context["rows"] == []


def test_last_years_plan_past_its_periods_still_shows_a_returned_report_to_fix(login, plans):
    """Spring: last year's plan is live while its year-end report is written, its periods all past, so it is
    judged as of its end (WorkPlan.as_of): the lights and days late stop there, but a report returned now is
    shown as returned, to be fixed, on 我的任务 and on home — and nothing of it is listed as due."""
    older, _newer = plans
    year_end = datetime.date(older.year, 12, 31)
    for number, period in enumerate(older.periods.order_by("due_on"), start=1):
        ReportingPeriod.objects.filter(pk=period.pk).update(
            starts_on=datetime.date(older.year, number * 3 - 2, 1), ends_on=datetime.date(older.year, number * 3, 28),
            due_on=datetime.date(older.year, number * 3 + 1, 10),
        )
    older.refresh_from_db()
    assert older.as_of() == year_end
    client = login(COUNTY_REPORTER)
    response = client.get(reverse("tasks:my_tasks"), {"plan": older.pk})
    assert response.context["period"].name == "第二期"  # the returned report's
    line = next(line for line in response.context["lines"] if line["number"] == "1")
    assert "已退回" in line["badge"] and line["action"] == "按退回意见修改"
    assert "截至 " in response.context["as_of_note"]
    home = client.get(reverse("home")).content.decode()
    block = home.split(f'data-plan="{older.pk}"')[1].split('class="plan-work"')[0]
    assert '<strong data-count="returned">1</strong>' in block
    assert '<strong data-count="due_soon">0</strong>' in block


def test_the_notice_of_a_published_plan_opens_my_tasks_on_that_plan(login, plans):
    _older, newer = plans
    draft = two_plans.make_plan(timezone.localdate().year + 1)
    WorkPlan.objects.filter(pk=draft.pk).update(status=WorkPlan.Status.DRAFT)
    draft.refresh_from_db()
    publish_plan(draft, user(COORDINATOR))
    note = Notification.objects.filter(recipient=user(COUNTY_REPORTER)).latest("pk")
    assert note.url == f"{reverse('tasks:my_tasks')}?plan={draft.pk}"
    response = login(COUNTY_REPORTER).get(note.url)
    assert response.context["plan"] == draft and draft != newer

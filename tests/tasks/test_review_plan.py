"""The review pages show one live plan at a time: a province-wide database holds one plan per city, and the
queue's filter choices, counts and rows must stay those of the plan being reviewed."""

import datetime

import pytest
from django.urls import reverse

from tasks import workflow
from tasks.models import Assignment, ProgressReport, ReportingPeriod, Section, Task, WorkPlan
from tests.conftest import COORDINATOR, COUNTY_REPORTER, LEADER, user
from units.models import Membership, Unit

pytestmark = pytest.mark.django_db
State = ProgressReport.State


@pytest.fixture
def other(plan):
    """A second live plan (another city's) with one unit of its own, one task, one period and one submitted
    report of that unit."""
    newer = WorkPlan.objects.create(
        year=plan.year + 1, title="另一市法治政府建设工作计划", doc_number="他政办字〔2023〕1号",
        status=WorkPlan.Status.ACTIVE,
    )
    section = Section.objects.create(plan=newer, number=1, title="部分一")
    task = Task.objects.create(plan=newer, section=section, number=1, title="另一市的任务", content="内容")
    unit = Unit.objects.create(name="另一市司法局", short_name="他市司法局", kind=Unit.Kind.CITY_DEPARTMENT)
    assignment = Assignment.objects.create(task=task, unit=unit, role=Assignment.Role.LEAD)
    period = ReportingPeriod.objects.create(
        plan=newer, name="他市第一期", starts_on=datetime.date(2023, 1, 1), ends_on=datetime.date(2023, 3, 31),
        due_on=datetime.date(2099, 4, 10),
    )
    reporter = user(COUNTY_REPORTER)
    Membership.objects.create(user=reporter, unit=unit, role=Membership.Role.REPORTER)
    report = workflow.save_report(assignment=assignment, period=period, user=reporter, data={"body": "他市进展"})
    report = workflow.submit(report, reporter)
    return newer, period, unit, report


def submitted_county_report(plan, period):
    county = Assignment.objects.get(task__plan=plan, task__number=1, unit__short_name="东昌府区")
    reporter = user(COUNTY_REPORTER)
    report = workflow.save_report(assignment=county, period=period, user=reporter, data={"body": "东昌府区进展"})
    return workflow.submit(report, reporter)


def test_the_queue_shows_the_newest_live_plan_and_switches_on_request(login, plan, period, other):
    newer, other_period, other_unit, other_report = other
    mine = submitted_county_report(plan, period)
    client = login(COORDINATOR)
    url = reverse("tasks:review_queue")

    response = client.get(url)
    assert response.context["review_plan"] == newer
    assert [r.pk for r in response.context["page"]] == [other_report.pk]
    units = list(response.context["filter"].form.fields["unit"].queryset)
    assert units == [other_unit]
    assert dict((value, n) for value, _label, n in response.context["counts"])[State.SUBMITTED] == 1
    page = response.content.decode()
    assert "切换计划" in page and plan.title in page and newer.title in page
    assert f'name="plan" value="{newer.pk}"' in page

    response = client.get(url, {"plan": plan.pk})
    assert response.context["review_plan"] == plan
    assert response.context["page"].paginator.count == ProgressReport.objects.filter(
        period__plan=plan, state=State.SUBMITTED
    ).count()
    listed = {r.pk for r in client.get(url, {"plan": plan.pk, "period": period.pk}).context["page"]}
    assert listed == {mine.pk}
    units = set(response.context["filter"].form.fields["unit"].queryset)
    assert other_unit not in units and len(units) == Unit.objects.filter(assignments__task__plan=plan).distinct().count()
    periods = set(response.context["filter"].form.fields["period"].queryset)
    assert other_period not in periods and period in periods
    # the page's own links keep the plan
    assert f"?plan={plan.pk}&amp;state=submitted" in response.content.decode()


def test_a_period_chooses_its_plan(login, plan, period, other):
    response = login(COORDINATOR).get(reverse("tasks:review_queue"), {"period": period.pk})
    assert response.context["review_plan"] == plan
    response = login(COORDINATOR).get(reverse("tasks:missing_reports"), {"period": period.pk})
    assert response.context["review_plan"] == plan and response.context["period"] == period


def test_a_plan_that_is_not_live_or_not_an_id_falls_back_to_the_newest(login, plan, other):
    newer = other[0]
    draft = WorkPlan.objects.create(year=2030, title="草稿计划", doc_number="草〔2030〕1号")
    client = login(COORDINATOR)
    for wanted in (draft.pk, "abc", "²", 10**20, ""):
        response = client.get(reverse("tasks:review_queue"), {"plan": wanted})
        assert response.status_code == 200
        assert response.context["review_plan"] == newer


def test_accepting_several_returns_to_the_same_plan(login, plan, period, other):
    mine = submitted_county_report(plan, period)
    client = login(COORDINATOR)
    query = client.get(reverse("tasks:review_queue"), {"plan": plan.pk}).context["query"]
    response = client.post(
        reverse("tasks:review_accept_many"),
        {"report": [mine.pk], f"version_{mine.pk}": mine.version, "query": query},
    )
    assert response.status_code == 302 and f"plan={plan.pk}" in response["Location"]
    mine.refresh_from_db()
    assert mine.state == State.ACCEPTED


def test_missing_reports_offers_the_chosen_plans_periods_only(login, plan, period, other):
    newer, other_period, other_unit, _report = other
    client = login(COORDINATOR)
    response = client.get(reverse("tasks:missing_reports"))
    assert response.context["review_plan"] == newer
    assert response.context["periods"] == [other_period]
    assert response.context["total"] == 0  # its one assignment has reported

    response = client.get(reverse("tasks:missing_reports"), {"plan": plan.pk, "period": period.pk})
    assert other_period not in response.context["periods"] and period in response.context["periods"]
    assert all(unit != other_unit for unit, _rows in response.context["by_unit"])


def test_the_review_tabs_name_one_plan(login, plan, other):
    newer = other[0]
    page = login(LEADER).get(reverse("tasks:review_queue")).content.decode()
    assert page.count("签收与异议") == 1
    assert reverse("tasks:receipts", args=[newer.pk]) in page
    assert reverse("tasks:receipts", args=[plan.pk]) not in page
    # on a plan's own page, the tabs are that plan's
    page = login(COORDINATOR).get(reverse("tasks:period_list", args=[plan.pk])).content.decode()
    assert reverse("tasks:receipts", args=[plan.pk]) in page
    assert reverse("tasks:receipts", args=[newer.pk]) not in page


def test_one_live_plan_shows_no_switch(login, plan):
    page = login(COORDINATOR).get(reverse("tasks:review_queue")).content.decode()
    assert "切换计划" not in page

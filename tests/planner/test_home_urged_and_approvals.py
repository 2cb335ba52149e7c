"""The unit member's home with two live plans: what they were urged to report (with the coordinator's note
and reply-by), and for the unit approver the reports waiting for their approval — per plan, each link landing
on exactly one of the reports counted, the same ones workflow.allowed() lets them approve."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tasks import access, workflow
from tasks.models import ProgressReport, WorkPlan
from tests import two_plans
from tests.conftest import APPROVER, COORDINATOR, COUNTY_REPORTER, user
from units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(plan):
    older, newer = two_plans.build(plan)
    WorkPlan.objects.filter(pk__in=[older.pk, newer.pk]).update(unit_approval=True)
    older.refresh_from_db()
    newer.refresh_from_db()
    return older, newer


def block(page, plan):
    return re.search(rf'<div class="plan-work" data-plan="{plan.pk}">(.*?)</div>', page, re.S).group(1)


def items(html, kind):
    found = re.search(rf'<ul class="work-items" data-kind="{kind}">(.*?)</ul>', html, re.S)
    return [] if found is None else re.findall(r'<a href="([^"]+)">', found.group(1))


def count(html, kind):
    found = re.search(rf'<strong data-count="{kind}">(\d+)</strong>', html)
    return int(found.group(1)) if found else None


def test_the_reporter_sees_the_urge_note_and_reply_by(login, plans):
    _older, newer = plans
    county = Unit.objects.get(short_name="东昌府区")
    reply_by = timezone.localdate() + datetime.timedelta(days=4)
    workflow.urge_unit(
        county, two_plans.period_of(newer, "第二期"), user(COORDINATOR), "请周五前补报第3项",
        reply_by=reply_by, assignments=[two_plans.county_assignment(newer, 3)], confirm=True,
    )
    page = login(COUNTY_REPORTER).get(reverse("home")).content.decode()
    mine = block(page, newer)
    assert count(mine, "urged") == 1
    assert "请周五前补报第3项" in mine and reply_by.isoformat() in mine


def test_the_approvers_home_lists_exactly_the_reports_they_may_approve_per_plan(login, plans):
    approver = user(APPROVER)
    page = login(APPROVER).get(reverse("home")).content.decode()
    for plan in plans:
        expected = {
            r.pk
            for r in ProgressReport.objects.filter(assignment__task__plan=plan, assignment__unit__short_name="东昌府区")
            if workflow.allowed(approver, access.get_report_for_user(approver, r.pk))["approve"]
        }
        assert expected, plan  # the fixture has returned and draft reports in both plans
        mine = block(page, plan)
        links = items(mine, "to_approve")
        assert count(mine, "to_approve") == len(links) == len(expected)
        landed = set()
        for href in links:
            response = login(APPROVER).get(href.replace("&amp;", "&"))
            assert response.status_code == 200
            assert response.context["allowed"]["approve"]
            landed.add(response.context["report"].pk)
        assert landed == expected


def test_the_reporter_has_no_approval_list(login, plans):
    page = login(COUNTY_REPORTER).get(reverse("home")).content.decode()
    assert 'data-count="to_approve"' not in page


def test_an_approved_report_leaves_the_list(login, plans):
    _older, newer = plans
    page = login(APPROVER).get(reverse("home")).content.decode()
    before = count(block(page, newer), "to_approve")
    report = ProgressReport.objects.filter(assignment__task__plan=newer, state="draft").first()
    workflow.approve(report, user(APPROVER))
    page = login(APPROVER).get(reverse("home")).content.decode()
    assert count(block(page, newer), "to_approve") == before - 1
    other = ProgressReport.objects.filter(assignment__task__plan=newer, state="returned").first()
    workflow.approver_return(other, user(APPROVER), "请补充。")  # now with the liaison, not the approver
    page = login(APPROVER).get(reverse("home")).content.decode()
    assert count(block(page, newer), "to_approve") == before - 2


def home_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def test_the_approvers_home_query_count_is_flat(login, plan):
    client = login(APPROVER)
    WorkPlan.objects.filter(pk=plan.pk).update(status=WorkPlan.Status.CLOSED)
    year = timezone.localdate().year
    older, newer = two_plans.make_plan(year - 1), two_plans.make_plan(year)
    two_plans.fill(older, newer)
    WorkPlan.objects.filter(pk__in=[older.pk, newer.pk]).update(unit_approval=True)
    WorkPlan.objects.filter(pk=older.pk).update(status=WorkPlan.Status.CLOSED)
    client.get(reverse("home"))
    one = home_queries(client)
    WorkPlan.objects.filter(pk=older.pk).update(status=WorkPlan.Status.ACTIVE)
    two = home_queries(client)
    WorkPlan.objects.filter(pk__in=[older.pk, newer.pk]).update(unit_approval=False)  # the reports are made
    two_plans.add_tasks(newer, 3)
    two_plans.add_tasks(older, 3)
    WorkPlan.objects.filter(pk__in=[older.pk, newer.pk]).update(unit_approval=True)
    more = home_queries(client)
    assert one == two == more
    page = client.get(reverse("home")).content.decode()
    assert count(block(page, newer), "to_approve") >= 4  # the rows grew: 3 more returned reports

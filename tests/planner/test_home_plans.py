"""Home with two live plans: every count is per plan, and its link lands on exactly the items counted."""

import re

import pytest
from django.urls import reverse

from tasks.models import Assignment, ExtensionRequest, ProgressReport
from tests import two_plans
from tests.conftest import APPROVER, COORDINATOR, COUNTY_REPORTER

pytestmark = pytest.mark.django_db
State = ProgressReport.State


@pytest.fixture
def plans(plan):
    return two_plans.build(plan)


def coordinator_counts(page, plan):
    """{kind: (count, link)} of one plan's block on the coordinator's home."""
    block = re.search(rf'<div class="plan-work" data-plan="{plan.pk}">(.*?)</div>', page, re.S).group(1)
    found = re.findall(r'<a data-count="(\w+)" href="([^"]+)"><strong>(\d+)</strong>', block)
    return {kind: (int(n), href.replace("&amp;", "&")) for kind, href, n in found}


def test_the_coordinators_counts_are_per_plan_and_link_to_exactly_those_items(login, plans):
    older, newer = plans
    client = login(COORDINATOR)
    page = client.get(reverse("home")).content.decode()
    assert page.index(f'data-plan="{newer.pk}"') < page.index(f'data-plan="{older.pk}"')  # this year's first
    assert f"{newer.year}年计划" in page and f"{older.year}年计划" in page

    expected = {
        newer: {"submitted": 1, "contested": 0, "extensions": 0, "missing": 4},
        older: {"submitted": 1, "contested": 1, "extensions": 1, "missing": 6},
    }
    for plan, numbers in expected.items():
        counts = coordinator_counts(page, plan)
        assert {kind: n for kind, (n, _link) in counts.items()} == numbers

        queue = client.get(counts["submitted"][1])
        assert queue.context["review_plan"] == plan
        listed = {r.pk for r in queue.context["page"]}
        assert listed == set(
            ProgressReport.objects.filter(period__plan=plan, state=State.SUBMITTED).values_list("pk", flat=True)
        )
        assert len(listed) == numbers["submitted"]

        receipts = client.get(counts["contested"][1].split("#")[0])
        assert receipts.context["review_plan"] == plan
        contested = [a for a, _form in receipts.context["contested"]]
        assert len(contested) == numbers["contested"]
        assert all(a.task.plan_id == plan.pk and a.receipt == Assignment.Receipt.CONTESTED for a in contested)

        extensions = client.get(counts["extensions"][1])
        assert extensions.context["review_plan"] == plan
        pending = [r for r, _form in extensions.context["pending"]]
        assert len(pending) == numbers["extensions"]
        assert all(r.assignment.task.plan_id == plan.pk for r in pending)

        missing = client.get(counts["missing"][1])
        assert missing.context["review_plan"] == plan
        assert missing.context["period"].name == "第二期" and missing.context["period"].plan_id == plan.pk
        assert missing.context["total"] == numbers["missing"]
        rows = [row for _unit, unit_rows in missing.context["by_unit"] for row in unit_rows]
        assert len(rows) == numbers["missing"]
        assert all(row.assignment.task.plan_id == plan.pk for row in rows)


def reporter_block(page, plan):
    return re.search(rf'<div class="plan-work" data-plan="{plan.pk}">(.*?)</div>', page, re.S).group(1)


def reporter_items(block, kind):
    items = re.search(rf'<ul class="work-items" data-kind="{kind}">(.*?)</ul>', block, re.S)
    if items is None:
        return []
    return [(href.replace("&amp;", "&"), text) for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', items.group(1))]


def test_a_reporters_home_lists_what_needs_them_per_plan(login, plans):
    older, newer = plans
    client = login(COUNTY_REPORTER)
    page = client.get(reverse("home")).content.decode()
    assert page.index(f'data-plan="{newer.pk}"') < page.index(f'data-plan="{older.pk}"')
    # kind → [(task number, period name)] of each plan (see tests/two_plans.py)
    expected = {
        newer: {"returned": [(1, "第一期")], "unsigned": [(3, None)], "due_soon": [(1, "第二期"), (3, "第二期")],
                "urged": [(3, "第二期")]},
        older: {"returned": [(1, "第二期")], "unsigned": [], "due_soon": [(3, "第一期"), (2, "第二期"), (3, "第二期")],
                "urged": []},
    }
    for plan, kinds in expected.items():
        block = reporter_block(page, plan)
        for kind, items in kinds.items():
            count = int(re.search(rf'<strong data-count="{kind}">(\d+)</strong>', block).group(1))
            assert count == len(items), (plan.year, kind)
            links = reporter_items(block, kind)
            assert [text.split()[0] for _href, text in links] == [f"第{n}项" for n, _period in items]
            for (href, _text), (number, period_name) in zip(links, items, strict=True):
                assignment = two_plans.county_assignment(plan, number)
                if period_name is None:  # an assignment to sign for: its row on 我的任务, with 签收
                    response = client.get(href.split("#")[0])
                    assert response.context["plan"] == plan
                    assert href.endswith(f"#a{assignment.pk}")
                    line = next(r for r in response.context["lines"] if r["pk"] == assignment.pk)
                    assert line["receipt"] == Assignment.Receipt.PENDING and line["confirm_url"]
                    assert len(response.context["pending_receipt"]) == count
                    continue
                response = client.get(href)
                assert response.status_code == 200
                assert response.context["assignment"] == assignment
                assert response.context["period"] == two_plans.period_of(plan, period_name)
                # the form returns to 我的任务 on that plan and period
                assert response.context["back"] == (
                    f"{reverse('tasks:my_tasks')}?plan={plan.pk}&period={response.context['period'].pk}"
                )
                report = response.context["report"]
                if kind == "returned":
                    assert report.state == State.RETURNED
                else:
                    assert report is None or report.state in (State.DRAFT, State.RETURNED)


@pytest.mark.parametrize("who", [COORDINATOR, COUNTY_REPORTER])
def test_home_query_count_is_flat_in_plans_and_rows(login, plan, who):
    """The same number of queries with one live plan or two, and as the rows double."""
    one, two, more = two_plans.query_counts(login(who), plan, reverse("home"), grow_older=True)
    assert one == two == more


def test_extension_decisions_return_to_their_plan(login, plans):
    older, _newer = plans
    extension = ExtensionRequest.objects.get(assignment__task__plan=older)
    response = login(COORDINATOR).post(
        reverse("tasks:extension_decide", args=[extension.pk]), {f"e{extension.pk}-decision": "refuse",
                                                                 f"e{extension.pk}-note": "时限不变。"},
    )
    assert response.status_code == 302 and response["Location"] == f"{reverse('tasks:extensions')}?plan={older.pk}"


def test_the_units_approver_is_led_to_pages_they_may_open(login, plans):
    """The approver does not write reports: a returned report leads to its page, a report not yet written to its
    row on 我的任务 (never to a form they would be refused)."""
    older, newer = plans
    client = login(APPROVER)
    page = client.get(reverse("home")).content.decode()
    (href, _text), = reporter_items(reporter_block(page, newer), "returned")
    response = client.get(href)
    assert response.status_code == 200
    assert response.context["report"].state == State.RETURNED and response.context["report"].period.plan == newer
    for href, _text in reporter_items(reporter_block(page, older), "due_soon"):
        response = client.get(href.split("#")[0])
        assert response.status_code == 200

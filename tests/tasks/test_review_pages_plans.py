"""The coordinator's pages that list work, with two live plans: each shows one plan with the switch, and its
query count is the same with one plan or two and as the rows double."""

import pytest
from django.urls import reverse

from tasks.models import ExtensionRequest, WorkPlan
from tests import two_plans
from tests.conftest import COORDINATOR

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(plan):
    return two_plans.build(plan)


def test_every_page_offers_the_plan_switch(login, plans):
    older, newer = plans
    client = login(COORDINATOR)
    pages = [
        reverse("tasks:review_queue"), reverse("tasks:missing_reports"), reverse("tasks:extensions"),
        reverse("tasks:receipts", args=[newer.pk]), reverse("tasks:period_list", args=[newer.pk]),
    ]
    for url in pages:
        response = client.get(url)
        page = response.content.decode()
        assert response.context["review_plan"] == newer, url
        assert "切换计划" in page, url
        assert f'<option value="{older.pk}">{older.year} · {older.title}</option>' in page, url
        assert f'<option value="{newer.pk}" selected>' in page, url


@pytest.mark.parametrize("name", ["tasks:receipts", "tasks:period_list"])
def test_a_page_of_one_plan_switches_by_redirect(login, plans, name):
    older, newer = plans
    client = login(COORDINATOR)
    response = client.get(reverse(name, args=[newer.pk]), {"plan": older.pk})
    assert response.status_code == 302 and response["Location"] == reverse(name, args=[older.pk])
    for same_or_bad in (newer.pk, "abc", 10**20):
        assert client.get(reverse(name, args=[newer.pk]), {"plan": same_or_bad}).status_code == 200
    draft = WorkPlan.objects.create(year=2030, title="草稿计划", doc_number="草〔2030〕1号")
    assert client.get(reverse(name, args=[newer.pk]), {"plan": draft.pk}).status_code == 200  # not live


def test_extensions_are_those_of_the_plan_shown(login, plans):
    older, newer = plans
    client = login(COORDINATOR)
    assert client.get(reverse("tasks:extensions")).context["pending"] == []
    pending = client.get(reverse("tasks:extensions"), {"plan": older.pk}).context["pending"]
    assert [r for r, _form in pending] == list(ExtensionRequest.objects.filter(assignment__task__plan=older))
    page = client.get(reverse("tasks:review_queue"), {"plan": older.pk}).content.decode()
    assert f'{reverse("tasks:extensions")}?plan={older.pk}' in page  # the tab keeps the plan


@pytest.mark.parametrize("name", ["review_queue", "missing_reports", "extensions", "receipts", "period_list"])
def test_the_query_count_is_flat_in_plans_and_rows(login, plan, name):
    if name in ("receipts", "period_list"):  # pages of one plan by URL
        url, data = (lambda newer: reverse(f"tasks:{name}", args=[newer.pk])), None
    else:
        url, data = reverse(f"tasks:{name}"), (lambda newer: {"plan": newer.pk})
    one, two, more = two_plans.query_counts(login(COORDINATOR), plan, url, data)
    assert one == two == more

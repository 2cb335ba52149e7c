"""The task list's filters (django-filter) and the query counts of the plan page and the task list."""

import pytest
from django.urls import reverse

from tasks.models import Assignment, Section, Task
from tests.conftest import COORDINATOR, LEADER
from units.models import Unit

pytestmark = pytest.mark.django_db


def listed_numbers(response):
    return [task.number for task in response.context["tasks"]]


def test_without_filters_it_lists_all_22(login, plan):
    response = login(LEADER).get(reverse("tasks:task_list", args=[plan.pk]))
    assert listed_numbers(response) == list(range(1, 23))


def test_it_filters_by_section(login, plan):
    section = plan.sections.get(number=8)
    response = login(LEADER).get(reverse("tasks:task_list", args=[plan.pk]), {"section": section.pk})
    assert listed_numbers(response) == [16, 17, 18, 19, 20]


def test_it_filters_by_unit_and_role(login, plan):
    unit = Unit.objects.get(short_name="市大数据局")
    url = reverse("tasks:task_list", args=[plan.pk])
    assert listed_numbers(login(LEADER).get(url, {"unit": unit.pk, "role": "lead"})) == [21, 22]
    assert {2, 21, 22} <= set(listed_numbers(login(LEADER).get(url, {"unit": unit.pk})))  # 市政府各部门
    justice = Unit.objects.get(short_name="市司法局")
    led = listed_numbers(login(LEADER).get(url, {"unit": justice.pk, "role": "lead"}))
    assert led == [1, 2, 3, 4, 5, 8, 9, 10, 11, 14, 16, 17, 18, 19, 20]


def test_it_filters_by_unit_kind(login, plan):
    url = reverse("tasks:task_list", args=[plan.pk])
    county_tasks = listed_numbers(login(LEADER).get(url, {"unit_kind": "county"}))
    assert county_tasks == [n for n in range(1, 23) if n != 9]
    led_by_party = listed_numbers(login(LEADER).get(url, {"unit_kind": "party_judicial", "role": "lead"}))
    assert led_by_party == []


def test_it_filters_by_words(login, plan):
    url = reverse("tasks:task_list", args=[plan.pk])
    assert listed_numbers(login(LEADER).get(url, {"q": "行政复议"})) == [18]


def test_a_unit_from_another_plan_is_not_offered(login, plan):
    outsider = Unit.objects.create(name="测试外部单位", short_name="外部单位")
    response = login(LEADER).get(reverse("tasks:task_list", args=[plan.pk]), {"unit": outsider.pk})
    assert response.status_code == 200
    assert "筛选条件有误" in response.content.decode()


def grow(plan, extra_tasks, extra_units):
    """Add tasks and units so that query counts can be compared at two sizes."""
    units = Unit.objects.bulk_create(
        Unit(name=f"增长测试单位{i}", short_name=f"测试单位{i}") for i in range(extra_units)
    )
    section = Section.objects.create(plan=plan, number=10, title="增长测试")
    tasks = Task.objects.bulk_create(
        Task(plan=plan, section=section, number=100 + i, title=f"测试任务{i}", content="内容")
        for i in range(extra_tasks)
    )
    Assignment.objects.bulk_create(
        Assignment(task=task, unit=unit, role="responsible") for task in tasks for unit in units
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [("tasks:plan_detail", 14), ("tasks:task_list", 12)],
)
# session, user, groups, plan, (plan totals: 2), memberships for the menu, unread notifications (the bell),
# the plan's last due date (the 2022 plan's year is over: judged as of its end, WorkPlan.as_of),
# then the page's own reads (plan page: + its close/reopen events, for the coordinator):
# plan page: sections, tasks, assignments+units, pending groups; task list: sections, units, tasks,
# assignments+units, pending groups (the filter's choice lists).
def test_query_counts_stay_flat_as_the_plan_grows(login, plan, django_assert_num_queries, name, expected):
    client = login(COORDINATOR)
    url = reverse(name, args=[plan.pk])
    client.get(url)  # warm the session
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    grow(plan, extra_tasks=40, extra_units=30)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    assert "测试任务39" in response.content.decode()


def test_filtered_task_list_query_count_is_flat(login, plan, django_assert_num_queries):
    client = login(COORDINATOR)
    url = reverse("tasks:task_list", args=[plan.pk])
    params = {"unit_kind": "county", "role": "responsible"}
    client.get(url, params)
    with django_assert_num_queries(12):  # + the plan's last due date (WorkPlan.as_of)
        client.get(url, params)

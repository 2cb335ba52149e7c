"""The 2022 plan as loaded from fixtures/, and create_plan's all-or-nothing rules."""

import copy
import json

import pytest
from django.conf import settings
from django.urls import reverse

from tasks.models import Assignment, Section, Task, WorkPlan
from tasks.plans import PlanDataError, create_plan
from tests.conftest import COORDINATOR, LEAD_REPORTER, LEADER
from units.models import Unit, UnitGroup

pytestmark = pytest.mark.django_db

COUNTIES = {"东昌府区", "临清市", "茌平区", "阳谷县", "莘县", "东阿县", "冠县", "高唐县"}
ZONES = {"经开区管委会", "高新区管委会", "度假区管委会"}


def units_of(task, role):
    return {a.unit.short_name for a in task.assignments.filter(role=role).select_related("unit")}


@pytest.fixture
def plan_data():
    return json.loads((settings.BASE_DIR / "fixtures" / "plan_2022.json").read_text(encoding="utf-8"))


def test_the_2022_plan_has_9_sections_and_22_tasks(plan):
    assert plan.sections.count() == 9
    assert list(plan.tasks.values_list("number", flat=True)) == list(range(1, 23))
    assert plan.status == WorkPlan.Status.ACTIVE
    assert plan.issued_on.isoformat() == "2022-03-25"
    assert plan.source_text.count("牵头单位") == 21


def test_task_18_is_led_by_the_justice_bureau_with_the_8_counties(plan):
    task = plan.tasks.get(number=18)
    assert units_of(task, Assignment.Role.LEAD) == {"市司法局"}
    assert units_of(task, Assignment.Role.RESPONSIBLE) == COUNTIES


def test_task_12_has_no_lead_unit(plan):
    task = plan.tasks.get(number=12)
    assert units_of(task, Assignment.Role.LEAD) == set()
    responsible = units_of(task, Assignment.Role.RESPONSIBLE)
    assert COUNTIES | ZONES <= responsible
    assert "市司法局" in responsible  # 市政府各部门, expanded


def test_the_responsibility_text_is_kept_verbatim(plan):
    task = plan.tasks.get(number=2)
    assert task.responsibility_text == (
        "〔牵头单位:市政府办公室、市司法局;责任单位:市政府各部门,各县(市、区)人民政府、市属开发区管委会]"
    )
    assert task.title == "将法治政府建设与经济社会发展同部署、同推进、同考核、同奖惩。"


def test_a_lead_unit_is_not_also_listed_as_responsible(plan):
    task = plan.tasks.get(number=1)
    assert units_of(task, Assignment.Role.LEAD) == {"市政府办公室", "市司法局", "市教育体育局"}
    assert task.assignments.filter(unit__short_name="市司法局").count() == 1


def test_selective_groups_are_left_for_the_coordinator(plan):
    task = plan.tasks.get(number=9)
    assert list(task.pending_groups.values_list("name", flat=True)) == ["市政府有关部门"]
    assert units_of(task, Assignment.Role.RESPONSIBLE) == set()
    assert plan.tasks.filter(pending_groups__isnull=False).distinct().count() == 10


def test_it_saves_nothing_when_a_unit_is_unknown(plan_data):
    data = copy.deepcopy(plan_data)
    data["doc_number"] = "测试〔2022〕1号"
    data["sections"][3]["items"][0]["lead_units"].append("市宇宙探索局")
    before = (
        WorkPlan.objects.count(),
        Section.objects.count(),
        Task.objects.count(),
        Assignment.objects.count(),
    )
    with pytest.raises(PlanDataError) as error:
        create_plan(data)
    assert error.value.problems == ["第9项：找不到单位“市宇宙探索局”，请先在单位名录中添加该单位或别名。"]
    after = (
        WorkPlan.objects.count(),
        Section.objects.count(),
        Task.objects.count(),
        Assignment.objects.count(),
    )
    assert after == before


def test_it_refuses_a_doc_number_that_exists(plan_data):
    with pytest.raises(PlanDataError, match="已经存在"):
        create_plan(plan_data)


def test_a_group_named_as_lead_is_refused(plan_data):
    data = copy.deepcopy(plan_data)
    data["doc_number"] = "测试〔2022〕2号"
    data["sections"][0]["items"][0]["lead_units"] = ["市直各部门"]
    with pytest.raises(PlanDataError, match="单位组"):
        create_plan(data)


def test_a_new_plan_starts_as_a_draft_and_resolves_aliases(plan_data):
    data = copy.deepcopy(plan_data)
    data["doc_number"] = "测试〔2022〕3号"
    data["sections"][0]["items"][0]["lead_units"] = ["聊城市人民政府办公室", "市 司法局"]
    new = create_plan(data)
    assert new.status == WorkPlan.Status.DRAFT
    first = new.tasks.get(number=1)
    assert units_of(first, Assignment.Role.LEAD) == {"市政府办公室", "市司法局"}
    assert new.tasks.count() == 22
    assert Unit.objects.filter(assignments__task__plan=new).distinct().count() > 40


def test_the_coordinator_settles_a_selective_group_on_the_task_page(login, plan):
    task = plan.tasks.get(number=9)
    group = UnitGroup.objects.get(name="市政府有关部门")
    finance, justice = Unit.objects.get(short_name="市财政局"), Unit.objects.get(short_name="市司法局")
    url = reverse("tasks:task_choose_group", args=[task.pk, group.pk])
    assert login(LEADER).post(url, {"units": [finance.pk]}).status_code == 403
    assert login(LEAD_REPORTER).post(url, {"units": [finance.pk]}).status_code == 403
    page = login(COORDINATOR).get(task.get_absolute_url()).content.decode()
    assert "选定“市政府有关部门”的单位" in page
    response = login(COORDINATOR).post(url, {"units": [finance.pk, justice.pk]}, follow=True)
    assert "已为“市政府有关部门”选定 1 个单位" in response.content.decode()  # 市司法局 already leads
    assert units_of(task, Assignment.Role.RESPONSIBLE) == {"市财政局"}
    assert not task.pending_groups.exists()
    assert login(COORDINATOR).post(url, {"units": [finance.pk]}).status_code == 404  # no longer pending


def test_only_members_of_the_group_can_be_chosen(login, plan):
    task = plan.tasks.get(number=9)
    group = UnitGroup.objects.get(name="市政府有关部门")
    county = Unit.objects.get(short_name="东昌府区")
    response = login(COORDINATOR).post(
        reverse("tasks:task_choose_group", args=[task.pk, group.pk]), {"units": [county.pk]}, follow=True
    )
    assert "请至少勾选一个单位" in response.content.decode()
    assert not task.assignments.filter(unit=county).exists()
    assert task.pending_groups.filter(pk=group.pk).exists()

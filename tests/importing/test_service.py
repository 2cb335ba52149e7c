"""From the parsed notice to the saved plan: the seed, the preview, decisions, refusals, the command."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from importing.parser import parse_notice
from importing.service import import_notice, notice_as_json, plan_data, preview_notice
from tasks.models import Assignment, WorkPlan
from tasks.plans import PlanDataError
from units.models import Unit, UnitAlias, UnitGroup

pytestmark = pytest.mark.django_db

FIXTURES = settings.BASE_DIR / "fixtures"
SEED = (FIXTURES / "plan_2022_notice.txt").read_text(encoding="utf-8")

NOTICE = """聊城市人民政府办公室
聊政办字〔2031〕7号
关于印发聊城市2031年法治政府建设工作计划的通知
聊城市人民政府办公室
2031年2月1日
一、测试部分
1. 第一项任务。内容。〔牵头单位:市司法局、市星际办;责任单位:市政府有关部门,各县(市、区)人民政府〕
2. 第二项任务。6月底前完成。〔牵头单位:市星际办;责任单位:市直各部门〕
"""


def test_the_seed_notice_imports_to_exactly_the_fixture_plan():
    expected = json.loads((FIXTURES / "plan_2022.json").read_text(encoding="utf-8"))
    produced = json.loads(json.dumps(plan_data(parse_notice(SEED)), default=str))
    assert produced == expected


def test_the_demo_plan_is_the_imported_seed(plan):
    assert plan.source_text == SEED
    expected = json.loads((FIXTURES / "plan_2022.json").read_text(encoding="utf-8"))
    assert [task.title for task in plan.tasks.order_by("number")] == [
        item["title"] for section in expected["sections"] for item in section["items"]
    ]


def test_the_preview_lists_unknown_names_and_selective_groups():
    preview = preview_notice(parse_notice(NOTICE))
    assert preview.unresolved == {"市星际办": [1, 2]}
    assert [(number, group.name) for number, group in preview.selective] == [(1, "市政府有关部门")]
    first = preview.items[0]
    assert [unit.short_name for unit in first.leads] == ["市司法局"]
    assert len(first.responsibles) == 8
    assert preview.existing_plan is None and preview.blocked == ""


def test_decisions_are_applied_in_one_import():
    notice = parse_notice(NOTICE)
    justice = Unit.objects.get(short_name="市司法局")
    group = UnitGroup.objects.get(name="市政府有关部门")
    finance = Unit.objects.get(short_name="市财政局")
    plan = import_notice(
        notice,
        source_text=NOTICE,
        new_units={"市星际办": Unit.Kind.CITY_DEPARTMENT},
        choices={(1, group.pk): [finance, justice]},
    )
    assert plan.status == WorkPlan.Status.DRAFT
    first, second = plan.tasks.order_by("number")
    roles = dict(first.assignments.values_list("unit__short_name", "role"))
    assert roles["市星际办"] == "lead" and roles["市司法局"] == "lead" and roles["市财政局"] == "responsible"
    assert not first.pending_groups.exists()
    assert second.deadline.isoformat() == "2031-06-30"
    assert Unit.objects.filter(name="市星际办").exists()


def test_mapping_a_name_saves_the_alias_for_next_time():
    justice = Unit.objects.get(short_name="市司法局")
    import_notice(parse_notice(NOTICE), source_text=NOTICE, aliases={"市星际办": justice})
    assert UnitAlias.objects.get(name="市星际办").unit == justice
    assert preview_notice(parse_notice(NOTICE.replace("7号", "8号"))).unresolved == {}


def test_an_unresolved_name_saves_nothing():
    before = (WorkPlan.objects.count(), Assignment.objects.count(), Unit.objects.count())
    with pytest.raises(PlanDataError, match="市星际办"):
        import_notice(parse_notice(NOTICE), source_text=NOTICE)
    assert (WorkPlan.objects.count(), Assignment.objects.count(), Unit.objects.count()) == before


def test_an_ignored_name_is_left_out_but_kept_in_the_verbatim_text():
    plan = import_notice(parse_notice(NOTICE), source_text=NOTICE, ignored={"市星际办"})
    second = plan.tasks.get(number=2)
    assert not second.assignments.filter(role="lead").exists()
    assert "市星际办" in second.responsibility_text


def test_a_duplicate_is_refused_unless_a_draft_is_replaced():
    notice = parse_notice(NOTICE)
    first = import_notice(notice, source_text=NOTICE, ignored={"市星际办"})
    with pytest.raises(PlanDataError, match="已经存在"):
        import_notice(notice, source_text=NOTICE, ignored={"市星际办"})
    second = import_notice(notice, source_text=NOTICE, ignored={"市星际办"}, replace=True)
    assert not WorkPlan.objects.filter(pk=first.pk).exists()
    WorkPlan.objects.filter(pk=second.pk).update(status=WorkPlan.Status.ACTIVE)
    with pytest.raises(PlanDataError, match="已发布的计划不能被替换"):
        import_notice(notice, source_text=NOTICE, ignored={"市星际办"}, replace=True)


def test_the_seed_is_refused_as_a_duplicate_of_the_live_demo_plan():
    preview = preview_notice(parse_notice(SEED))
    assert preview.existing_plan is not None
    assert "已经存在且已发布" in preview.blocked


def test_the_json_resolves_names_to_full_unit_names():
    data = notice_as_json(parse_notice(SEED))
    item18 = data["sections"][7]["items"][2]
    assert item18["number"] == 18
    assert item18["lead_units"] == ["聊城市司法局"]
    assert item18["groups"] == ["各县(市、区)人民政府"]
    assert len(item18["responsible_units"]) == 8 and item18["unresolved"] == []
    item13 = data["sections"][5]["items"][0]
    assert item13["groups"] == ["市政府执法部门", "各县(市、区)政府", "市属开发区管委会"]


def test_the_command_prints_the_dry_run_as_json_and_saves_nothing(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text(SEED.replace("〔2022〕9号", "〔2022〕99号"), encoding="utf-8")
    out = io.StringIO()
    call_command("import_plan", str(path), "--dry-run", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["doc_number"] == "聊政办字〔2022〕99号"
    assert sum(len(section["items"]) for section in data["sections"]) == 22
    assert data["issued_on"] == "2022-03-25" and data["warnings"]
    assert not WorkPlan.objects.filter(doc_number="聊政办字〔2022〕99号").exists()


def test_the_command_imports_and_refuses_unknown_names(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text(NOTICE, encoding="utf-8")
    with pytest.raises(CommandError, match="市星际办（第1、2项）"):
        call_command("import_plan", str(path), stdout=io.StringIO())
    path.write_text(NOTICE.replace("市星际办", "市司法局"), encoding="utf-8")
    out = io.StringIO()
    call_command("import_plan", str(path), "--publish", stdout=out)
    assert "2 项任务" in out.getvalue()
    assert WorkPlan.objects.get(doc_number="聊政办字〔2031〕7号").status == WorkPlan.Status.ACTIVE


def test_the_command_explains_a_bad_file(tmp_path):
    path = tmp_path / "notice.docx"
    path.write_bytes(b"not a word file")
    with pytest.raises(CommandError):
        call_command("import_plan", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_plan", str(tmp_path / "missing.txt"), stdout=io.StringIO())


def test_a_group_written_as_lead_unit_blocks_the_import():
    preview = preview_notice(parse_notice(NOTICE.replace("牵头单位:市星际办", "牵头单位:市直各部门")))
    assert preview.items[1].lead_groups == ["市直各部门"]
    assert "第2项的牵头单位写作单位组“市直各部门”" in preview.blocked

"""Notice order kept (issue 17): the lead units stay in the order the notice names them, the first is 主牵头,
on the import preview, the task page, the plan's unit chips, the ledger and the year-end material."""

import datetime

import pytest
from django.urls import reverse

from annual.assembly import accepted_reports
from annual.ledger import ledger_rows
from tasks.models import Assignment, ProgressReport, ReportingPeriod, WorkPlan
from tests.conftest import COORDINATOR
from tests.importing.test_views import IMPORT, PREVIEW, confirm
from units.models import UnitGroup

pytestmark = pytest.mark.django_db

NOTICE = """聊城市人民政府办公室
聊政办字〔2031〕17号
关于印发聊城市2031年法治政府建设工作计划的通知
聊城市人民政府办公室
2031年2月1日
一、测试部分
1. 第一项任务。内容。〔牵头单位:市应急局、市公安局、市卫生健康委;责任单位:各县(市、区)人民政府,市司法局〕
2. 第二项任务。内容。〔牵头单位:市司法局;责任单位:市公安局〕
"""
LEADS = ["市应急局", "市公安局", "市卫生健康委"]


def positions(page, names, after='class="chip lead"'):
    """Where the names first appear after the first lead chip (the notice's verbatim text comes before)."""
    start = page.find(after) if after else 0
    assert start >= 0
    found = [page.find(name, start) for name in names]
    assert all(index >= 0 for index in found), names
    return found


def imported(client):
    client.post(IMPORT, {"text": NOTICE})
    preview = client.get(PREVIEW).content.decode()
    confirm(client)
    return preview, WorkPlan.objects.get(doc_number="聊政办字〔2031〕17号")


def test_the_notice_order_is_kept_everywhere_and_the_first_lead_is_principal(login):
    client = login(COORDINATOR)
    preview, plan = imported(client)
    # the preview: in the notice's order, the first marked
    found = positions(preview, ["市应急局（主牵头）", "市公安局", "市卫生健康委"])
    assert found == sorted(found)
    task = plan.tasks.get(number=1)
    leads = list(task.assignments.filter(role=Assignment.Role.LEAD).order_by("order"))
    assert [a.unit.short_name for a in leads] == LEADS
    assert [a.order for a in leads] == [0, 1, 2]
    # responsible units: the one named directly first, then the group's members in the group's order
    responsibles = list(task.assignments.filter(role=Assignment.Role.RESPONSIBLE).order_by("order"))
    counties = list(UnitGroup.objects.get(name="各县(市、区)人民政府").members.all())
    assert [a.unit_id for a in responsibles] == [responsibles[0].unit_id] + [u.pk for u in counties]
    assert responsibles[0].unit.short_name == "市司法局"
    assert [a.order for a in responsibles] == list(range(len(responsibles)))
    # the task page: the same order, the first marked 主牵头 (a task with one lead unit has no mark)
    page = client.get(reverse("tasks:task_detail", args=[task.pk])).content.decode()
    found = positions(page, LEADS, after='class="grid"')
    assert found == sorted(found)
    assert page.count("主牵头") == 1 and found[0] < page.find("主牵头") < found[1]
    single = client.get(reverse("tasks:task_detail", args=[plan.tasks.get(number=2).pk])).content.decode()
    assert "主牵头" not in single
    # the plan's unit chips
    page = client.get(reverse("tasks:plan_detail", args=[plan.pk])).content.decode()
    found = positions(page, ["市应急局（主牵头）", "市公安局", "市卫生健康委"])
    assert found == sorted(found)
    # the ledger's 牵头单位 column
    period = ReportingPeriod.objects.create(
        plan=plan, name="全年", starts_on=datetime.date(2031, 1, 1), ends_on=datetime.date(2031, 12, 31),
        due_on=datetime.date(2031, 12, 10),
    )
    rows = [row for row in ledger_rows(plan) if row[1] == 1]
    assert rows[0][3] == "市应急局（主牵头）、市公安局、市卫生健康委"
    assert [row[4] for row in rows[:3]] == LEADS
    # the year-end material: the accepted reports in the same order, the first lead principal
    for assignment in reversed(leads):  # created in reverse: the order is not the rows' order
        ProgressReport.objects.create(
            assignment=assignment, period=period, state=ProgressReport.State.ACCEPTED, body="开展了工作。"
        )
    material = [r for r in accepted_reports(period) if r.assignment.task_id == task.pk]
    assert [r.assignment.unit.short_name for r in material] == LEADS
    assert [r.principal for r in material] == [True, False, False]


def test_the_migration_numbers_existing_rows_in_pk_order_within_task_and_role(plan):
    """0007 fills `order` of the rows the importer created (in notice order) before the field existed."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("tasks.migrations.0007_assignment_order")
    Assignment.objects.filter(task__plan=plan).update(order=0)
    migration.number_in_notice_order(apps, None)
    for task in plan.tasks.all()[:5]:
        for role in Assignment.Role.values:
            rows = list(task.assignments.filter(role=role).order_by("pk").values_list("order", flat=True))
            assert rows == list(range(len(rows)))

"""A hand-built plan of 2030 (a year the holiday library does not know: Monday–Friday are working days) with two
county units on one task and two periods, whose events give a known score for every rule item."""

import datetime

from django.utils import timezone

from tasks import workflow
from tasks.models import (
    Assignment,
    AssignmentEvent,
    ExtensionRequest,
    ReportEvent,
    ReportingPeriod,
    Section,
    Task,
    WorkPlan,
)
from units.models import Membership, Unit, User

YEAR = 2030
ISSUED = datetime.date(2030, 1, 7)  # a Monday: the receipt limit (5 working days) is Monday 14 January
P1_DUE = datetime.date(2030, 4, 5)  # Friday
P2_DUE = datetime.date(2030, 7, 5)  # Friday
ON = datetime.date(2030, 8, 1)


def at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def backdate(model, pk, day):
    model.objects.filter(pk=pk).update(at=at(day))


def build():
    coordinator = User.objects.get(username="coordinator")
    plan = WorkPlan.objects.create(
        year=YEAR, title="2030年测试计划", doc_number="测试〔2030〕1号", issuer="测试市人民政府办公室",
        issued_on=ISSUED, status=WorkPlan.Status.ACTIVE,
    )
    WorkPlan.objects.filter(pk=plan.pk).update(created_at=at(ISSUED))
    plan.refresh_from_db()
    section = Section.objects.create(plan=plan, number=1, title="测试部分")
    task = Task.objects.create(plan=plan, section=section, number=1, title="测试任务", content="内容")
    p1 = ReportingPeriod.objects.create(plan=plan, name="上半年", starts_on=datetime.date(2030, 1, 1),
                                        ends_on=datetime.date(2030, 3, 31), due_on=P1_DUE)
    p2 = ReportingPeriod.objects.create(plan=plan, name="全年", starts_on=datetime.date(2030, 4, 1),
                                        ends_on=datetime.date(2030, 6, 30), due_on=P2_DUE)
    units, reporters, assignments = {}, {}, {}
    for key, name in (("a", "测试县甲"), ("b", "测试县乙")):
        units[key] = Unit.objects.create(name=name, short_name=name, kind=Unit.Kind.COUNTY, order=900)
        reporters[key] = User.objects.create_user(username=f"test_{key}", password="x")
        Membership.objects.create(user=reporters[key], unit=units[key], role=Membership.Role.REPORTER)
        assignments[key] = Assignment.objects.create(task=task, unit=units[key], role=Assignment.Role.RESPONSIBLE)

    def report(key, period, submit_day, *, returned_on=None, accept_day=None):
        a = assignments[key]
        r = workflow.save_report(assignment=a, period=period, user=User.objects.get(pk=reporters[key].pk),
                                 data={"progress": "on_track", "body": f"{units[key].name}完成了工作，召开会议3次。"})
        workflow.submit(r, User.objects.get(pk=reporters[key].pk))
        backdate(ReportEvent, r.events.get(action="submit").pk, submit_day)
        if returned_on:
            workflow.return_report(r, coordinator, "请补充数据")
            backdate(ReportEvent, r.events.get(action="return").pk, returned_on)
            workflow.submit(r, User.objects.get(pk=reporters[key].pk))
            later = r.events.filter(action="submit").order_by("-pk").first()
            backdate(ReportEvent, later.pk, returned_on + datetime.timedelta(days=1))
        if accept_day:
            workflow.accept(r, coordinator)
            backdate(ReportEvent, r.events.get(action="accept").pk, accept_day)
        return r

    # Unit 甲: signed on time, both periods on time and accepted first time: 17/17 → 100.
    workflow.confirm_receipt(assignments["a"], reporters["a"])
    backdate(AssignmentEvent, AssignmentEvent.objects.get(assignment=assignments["a"], action="confirm").pk,
             datetime.date(2030, 1, 14))
    report("a", p1, P1_DUE, accept_day=datetime.date(2030, 4, 8))
    report("a", p2, datetime.date(2030, 7, 1), accept_day=datetime.date(2030, 7, 8))
    # Unit 乙: signed late; 上半年 late, returned, accepted; urged after the due date once (and once before,
    # which does not count); 全年 on time and accepted; one granted extension:
    # (4 + 3 + 2) / 17 × 100 − 1 − 2 = 49.9.
    workflow.confirm_receipt(assignments["b"], reporters["b"])
    backdate(AssignmentEvent, AssignmentEvent.objects.get(assignment=assignments["b"], action="confirm").pk,
             datetime.date(2030, 1, 15))
    plan_period = p1
    workflow.urge(assignments["b"], coordinator, "请报送", period=plan_period)
    workflow.urge(assignments["b"], coordinator, "请报送", period=plan_period)
    urges = list(AssignmentEvent.objects.filter(assignment=assignments["b"], action="urge").order_by("pk"))
    backdate(AssignmentEvent, urges[0].pk, datetime.date(2030, 4, 3))  # before the due date: no deduction
    backdate(AssignmentEvent, urges[1].pk, datetime.date(2030, 4, 9))
    report("b", p1, datetime.date(2030, 4, 10), returned_on=datetime.date(2030, 4, 11),
           accept_day=datetime.date(2030, 4, 15))
    report("b", p2, datetime.date(2030, 7, 2), accept_day=datetime.date(2030, 7, 9))
    Assignment.objects.filter(pk=assignments["b"].pk).update(deadline=datetime.date(2030, 6, 30))
    request = workflow.request_extension(Assignment.objects.get(pk=assignments["b"].pk), reporters["b"],
                                         datetime.date(2030, 9, 30), "等待上级文件")
    workflow.decide_extension(request, coordinator, grant=True)
    ExtensionRequest.objects.filter(pk=request.pk).update(decided_at=at(datetime.date(2030, 5, 6)))
    return {"plan": plan, "p1": p1, "p2": p2, "units": units, "reporters": reporters, "assignments": assignments,
            "coordinator": coordinator}

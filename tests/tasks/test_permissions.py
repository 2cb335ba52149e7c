"""Every reporting view × every role, on objects of one unit (东昌府区, "unit A").

The expected outcome is written once, in EXPECTED. A URL of the tasks, notifications, dashboards, annual (the
year-end report), importing, units or audit namespace with no entry fails `test_every_url_has_an_entry`, so a new
view cannot ship without its permission row.

Roles: anonymous; reporter of unit A (dongchangfu); approver of unit A (dongchangfu_shenhe); reporter of
unit B (jingkaiqu: not on the task's lead unit); the lead unit's reporter (sifaju: 市司法局 leads task 1 and
reads its contributions); coordinator; leader.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from annual import assembly
from annual.models import AnnualReport
from assessment import circular, practice
from notifications.models import Notification
from tasks import workflow
from tasks.models import Assignment, ExtensionRequest, ProgressReport, ReportAttachment, ReportingPeriod
from tasks.uploads import check_attachment
from tests.conftest import APPROVER, COORDINATOR, COUNTY_REPORTER, LEAD_REPORTER, LEADER, ZONE_REPORTER
from units.models import Membership, Unit, User

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", COUNTY_REPORTER, APPROVER, ZONE_REPORTER, LEAD_REPORTER, COORDINATOR, LEADER]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# name: (method, {role: status}); a missing role means the same as "other" in the row.
# 302 after a POST is the redirect of a successful action; 302 for anonymous is the log-in page.
OK, GONE, NO = "ok", 404, 403
READERS_ONLY = {COUNTY_REPORTER: NO, APPROVER: NO, ZONE_REPORTER: NO, LEAD_REPORTER: NO, COORDINATOR: 200, LEADER: 200}
COORDINATOR_ONLY = {COUNTY_REPORTER: NO, APPROVER: NO, ZONE_REPORTER: NO, LEAD_REPORTER: NO, COORDINATOR: 302, LEADER: NO}
EXPECTED = {
    "tasks:my_tasks": ("get", {COUNTY_REPORTER: 200, APPROVER: 200, ZONE_REPORTER: 200, LEAD_REPORTER: 200, COORDINATOR: 200, LEADER: 200}),
    "tasks:report_edit": ("get", {COUNTY_REPORTER: 200, APPROVER: NO, ZONE_REPORTER: GONE, LEAD_REPORTER: NO, COORDINATOR: NO, LEADER: NO}),
    "tasks:report_detail": ("get", {COUNTY_REPORTER: 200, APPROVER: 200, ZONE_REPORTER: GONE, LEAD_REPORTER: 200, COORDINATOR: 200, LEADER: 200}),
    "tasks:report_submit": ("post", {COUNTY_REPORTER: 302, APPROVER: NO, ZONE_REPORTER: GONE, LEAD_REPORTER: NO, COORDINATOR: NO, LEADER: NO}),
    "tasks:report_approve": ("post", {COUNTY_REPORTER: NO, APPROVER: 302, ZONE_REPORTER: GONE, LEAD_REPORTER: NO, COORDINATOR: NO, LEADER: NO}),
    "tasks:report_approver_return": ("post", {COUNTY_REPORTER: NO, APPROVER: 302, ZONE_REPORTER: GONE, LEAD_REPORTER: NO, COORDINATOR: NO, LEADER: NO}),
    "tasks:report_withdraw": ("post", {COUNTY_REPORTER: 302, APPROVER: NO, ZONE_REPORTER: GONE, LEAD_REPORTER: NO, COORDINATOR: NO, LEADER: NO}),
    "tasks:report_accept": ("post", {COUNTY_REPORTER: NO, APPROVER: NO, ZONE_REPORTER: GONE, LEAD_REPORTER: NO, COORDINATOR: 302, LEADER: NO}),
    "tasks:report_return": ("post", {COUNTY_REPORTER: NO, APPROVER: NO, ZONE_REPORTER: GONE, LEAD_REPORTER: NO, COORDINATOR: 302, LEADER: NO}),
    "tasks:attachment": ("get", {COUNTY_REPORTER: 200, APPROVER: 200, ZONE_REPORTER: GONE, LEAD_REPORTER: 200, COORDINATOR: 200, LEADER: 200}),
    "tasks:consolidation": ("get", {COUNTY_REPORTER: NO, APPROVER: NO, ZONE_REPORTER: NO, LEAD_REPORTER: 200, COORDINATOR: 200, LEADER: 200}),
    "tasks:receipt_confirm": ("post", {COUNTY_REPORTER: 302, APPROVER: 302, ZONE_REPORTER: GONE, LEAD_REPORTER: NO, COORDINATOR: NO, LEADER: NO}),
    "tasks:receipt_contest": ("get", {COUNTY_REPORTER: 200, APPROVER: 200, ZONE_REPORTER: GONE, LEAD_REPORTER: NO, COORDINATOR: NO, LEADER: NO}),
    "tasks:receipt_resolve": ("post", {COUNTY_REPORTER: NO, APPROVER: NO, ZONE_REPORTER: NO, LEAD_REPORTER: NO, COORDINATOR: 302, LEADER: NO}),
    "tasks:extension_request": ("get", {COUNTY_REPORTER: 200, APPROVER: NO, ZONE_REPORTER: GONE, LEAD_REPORTER: NO, COORDINATOR: NO, LEADER: NO}),
    "tasks:extensions": ("get", {COUNTY_REPORTER: NO, APPROVER: NO, ZONE_REPORTER: NO, LEAD_REPORTER: NO, COORDINATOR: 200, LEADER: 200}),
    "tasks:extension_decide": ("post", {COUNTY_REPORTER: NO, APPROVER: NO, ZONE_REPORTER: NO, LEAD_REPORTER: NO, COORDINATOR: 302, LEADER: NO}),
    "tasks:review_queue": ("get", {COUNTY_REPORTER: NO, APPROVER: NO, ZONE_REPORTER: NO, LEAD_REPORTER: NO, COORDINATOR: 200, LEADER: 200}),
    "tasks:review_accept_many": ("post", {COUNTY_REPORTER: NO, APPROVER: NO, ZONE_REPORTER: NO, LEAD_REPORTER: NO, COORDINATOR: 302, LEADER: NO}),
    "tasks:missing_reports": ("get", {COUNTY_REPORTER: NO, APPROVER: NO, ZONE_REPORTER: NO, LEAD_REPORTER: NO, COORDINATOR: 200, LEADER: 200}),
    "tasks:urge": ("post", {COUNTY_REPORTER: NO, APPROVER: NO, ZONE_REPORTER: NO, LEAD_REPORTER: NO, COORDINATOR: 302, LEADER: NO}),
    "tasks:receipt_urge": ("post", {**COORDINATOR_ONLY, LEADER: NO}),
    "tasks:receipts": ("get", {COUNTY_REPORTER: NO, APPROVER: NO, ZONE_REPORTER: NO, LEAD_REPORTER: NO, COORDINATOR: 200, LEADER: 200}),
    "tasks:period_list": ("get", {COUNTY_REPORTER: 200, APPROVER: 200, ZONE_REPORTER: 200, LEAD_REPORTER: 200, COORDINATOR: 200, LEADER: 200}),
    "tasks:period_lock": ("post", {COUNTY_REPORTER: NO, APPROVER: NO, ZONE_REPORTER: NO, LEAD_REPORTER: NO, COORDINATOR: 302, LEADER: NO}),
    # closing and reopening a plan: coordinators only (everyone else reads the plan, so 403, not 404)
    "tasks:plan_close": ("post", {**COORDINATOR_ONLY}),
    "tasks:plan_reopen": ("post", {**COORDINATOR_ONLY}),
    # assignment control and 办结 (issue 17): coordinators only; everyone else reads the task, so 403, not 404
    "tasks:assignment_add": ("post", {**COORDINATOR_ONLY}),
    "tasks:assignment_remove": ("post", {**COORDINATOR_ONLY}),
    "tasks:assignment_role": ("post", {**COORDINATOR_ONLY}),
    "tasks:assignment_deadline": ("post", {**COORDINATOR_ONLY}),
    "tasks:task_deadline": ("post", {**COORDINATOR_ONLY}),
    "tasks:task_complete": ("post", {**COORDINATOR_ONLY}),
    "tasks:task_reopen": ("post", {**COORDINATOR_ONLY}),
    "tasks:period_edit": ("get", {**COORDINATOR_ONLY, COORDINATOR: 200}),
    "tasks:plan_unit_approval": ("post", {**COORDINATOR_ONLY}),
    "notifications:list": ("get", {COUNTY_REPORTER: 200, APPROVER: 200, ZONE_REPORTER: 200, LEAD_REPORTER: 200, COORDINATOR: 200, LEADER: 200}),
    # the notification belongs to the unit A reporter: anyone else gets 404
    "notifications:open": ("get", {COUNTY_REPORTER: 302, APPROVER: GONE, ZONE_REPORTER: GONE, LEAD_REPORTER: GONE, COORDINATOR: GONE, LEADER: GONE}),
    "notifications:read_all": ("post", {COUNTY_REPORTER: 302, APPROVER: 302, ZONE_REPORTER: 302, LEAD_REPORTER: 302, COORDINATOR: 302, LEADER: 302}),
    # dashboards: coordinators and leaders read; nobody else, not even the lead unit
    "dashboards:dashboard": ("get", {**READERS_ONLY}),
    "dashboards:dashboard_units": ("get", {**READERS_ONLY}),
    "dashboards:dashboard_units_xlsx": ("get", {**READERS_ONLY}),
    "dashboards:matrix": ("get", {**READERS_ONLY}),
    "dashboards:matrix_xlsx": ("get", {**READERS_ONLY}),
    "dashboards:dashboard_list": ("get", {**READERS_ONLY}),
    "dashboards:public_switch": ("post", {**COORDINATOR_ONLY}),
    # the public page needs no log-in, and is not there until the coordinator switches it on
    "dashboards:public_dashboard": ("get", {"anonymous": GONE, COUNTY_REPORTER: GONE, APPROVER: GONE, ZONE_REPORTER: GONE, LEAD_REPORTER: GONE, COORDINATOR: GONE, LEADER: GONE}),
    # the year-end report and the ledger: coordinators write, leaders read
    "annual:annual_report": ("get", {**READERS_ONLY}),
    "annual:annual_print": ("get", {**READERS_ONLY}),
    "annual:annual_docx": ("get", {**READERS_ONLY}),
    "annual:ledger": ("get", {**READERS_ONLY}),
    "annual:annual_assemble": ("post", {**COORDINATOR_ONLY}),
    "annual:annual_head": ("get", {**COORDINATOR_ONLY, COORDINATOR: 200}),
    "annual:annual_part": ("get", {**COORDINATOR_ONLY, COORDINATOR: 200}),
    "annual:annual_part_replace": ("post", {**COORDINATOR_ONLY}),
    "annual:annual_part_dismiss": ("post", {**COORDINATOR_ONLY}),
    "annual:annual_template": ("get", {**COORDINATOR_ONLY, COORDINATOR: 200}),
    "annual:annual_template_preset": ("post", {**COORDINATOR_ONLY}),
    "annual:annual_figures": ("get", {**READERS_ONLY}),
    "annual:annual_figures_xlsx": ("get", {**READERS_ONLY}),
    # unit users: coordinators only; the reset page acts on the unit A reporter
    "units:user_list": ("get", {**READERS_ONLY, LEADER: NO}),
    "units:password_reset": ("get", {**COORDINATOR_ONLY, COORDINATOR: 200}),
    # unit accounts: coordinators only (the deactivation page acts on the unit A reporter; POSTs in
    # tests/units/test_accounts.py)
    "units:account_create": ("get", {**COORDINATOR_ONLY, COORDINATOR: 200}),
    "units:account_import": ("get", {**COORDINATOR_ONLY, COORDINATOR: 200}),
    "units:account_template": ("get", {**COORDINATOR_ONLY, COORDINATOR: 200}),
    "units:account_deactivate": ("get", {**COORDINATOR_ONLY, COORDINATOR: 200}),
    # the audit log: coordinators only, not even leaders
    "audit:log": ("get", {**READERS_ONLY, LEADER: NO}),
    # 考核与通报: units read the rule and their own score; readers see all; coordinators change
    "assessment:ranking": ("get", {COUNTY_REPORTER: 200, APPROVER: 200, ZONE_REPORTER: 200, LEAD_REPORTER: 200, COORDINATOR: 200, LEADER: 200}),
    "assessment:ranking_xlsx": ("get", {**READERS_ONLY}),
    "assessment:rule": ("get", {COUNTY_REPORTER: 200, APPROVER: 200, ZONE_REPORTER: 200, LEAD_REPORTER: 200, COORDINATOR: 200, LEADER: 200}),
    "assessment:rule_edit": ("get", {**COORDINATOR_ONLY, COORDINATOR: 200}),
    # unit A's score: its own members, readers; another unit (even the lead unit) gets 404
    "assessment:unit_score": ("get", {COUNTY_REPORTER: 200, APPROVER: 200, ZONE_REPORTER: GONE, LEAD_REPORTER: GONE, COORDINATOR: 200, LEADER: 200}),
    "assessment:adjust": ("post", {**COORDINATOR_ONLY}),
    "assessment:practices": ("get", {**READERS_ONLY}),
    "assessment:practice_mark": ("get", {**COORDINATOR_ONLY, COORDINATOR: 200}),
    "assessment:practice_delete": ("post", {**COORDINATOR_ONLY}),
    "assessment:circular_list": ("get", {**READERS_ONLY}),
    # a draft circular: readers only; units see it once published (404 before)
    "assessment:circular": ("get", {COUNTY_REPORTER: GONE, APPROVER: GONE, ZONE_REPORTER: GONE, LEAD_REPORTER: GONE, COORDINATOR: 200, LEADER: 200}),
    "assessment:circular_docx": ("get", {COUNTY_REPORTER: GONE, APPROVER: GONE, ZONE_REPORTER: GONE, LEAD_REPORTER: GONE, COORDINATOR: 200, LEADER: 200}),
    "assessment:circular_generate": ("post", {**COORDINATOR_ONLY}),
    "assessment:circular_edit": ("get", {**COORDINATOR_ONLY, COORDINATOR: 200}),
    "assessment:circular_publish": ("post", {**COORDINATOR_ONLY}),
}
# Pages of the foundation, covered by tests/planner/test_pages.py, tests/importing/test_views.py and
# tests/tasks/*.
COVERED_ELSEWHERE = {
    "tasks:plan_list", "tasks:plan_detail", "tasks:plan_publish", "tasks:task_list", "tasks:task_detail",
    "tasks:task_choose_group", "importing:import_plan", "importing:import_preview", "importing:import_edit",
}


@pytest.fixture
def world(plan):
    return make_world(plan)


def make_world(plan):
    """Task 1 (led by 市司法局), 东昌府区's assignment on it, a period, a submitted report with an attachment.

    Also used by tests/e2e/test_accessibility.py to open every page of the table in a browser."""
    period = ReportingPeriod.objects.create(
        plan=plan, name="权限测试期", starts_on=datetime.date(2022, 1, 1), ends_on=datetime.date(2022, 12, 31),
        due_on=datetime.date(2099, 12, 31),
    )
    task = plan.tasks.get(number=1)
    assignment = Assignment.objects.get(task=task, unit__short_name="东昌府区")
    reporter = User.objects.get(username=COUNTY_REPORTER)
    report = workflow.save_report(
        assignment=assignment, period=period, user=reporter,
        data={"progress": "on_track", "body": "东昌府区组织集中学法4次。"},
    )
    upload = SimpleUploadedFile("学法记录.pdf", PDF, content_type="application/pdf")
    workflow.save_report(
        assignment=assignment, period=period, user=reporter, data={"progress": "on_track", "body": report.body},
        version=report.version, attachments=[(upload, check_attachment(upload))],
    )
    report.refresh_from_db()
    extension = workflow.request_extension(assignment, reporter, datetime.date(2099, 1, 1), "等待上级文件")
    note = Notification.objects.create(recipient=reporter, title="测试通知", url=task.get_absolute_url())
    return {
        "plan": plan, "period": period, "task": task, "assignment": assignment, "report": report,
        "attachment": ReportAttachment.objects.get(report=report), "extension": extension, "note": note,
    }


def submitted(world):
    report = world["report"]
    report.refresh_from_db()
    if report.state != ProgressReport.State.SUBMITTED:
        workflow.submit(report, User.objects.get(username=COUNTY_REPORTER))
    return report


def draft_of(world):
    """The plan's year-end report draft, assembled by the coordinator."""
    assembly.assemble(world["plan"], period=world["period"], user=User.objects.get(username=COORDINATOR))
    return AnnualReport.objects.get(plan=world["plan"])


def request_for(name, world):
    """(url, data) for one view, with the object and state it acts on prepared."""
    a, period, report = world["assignment"], world["period"], world["report"]
    match name:
        case "tasks:report_edit":
            return reverse(name, args=[a.pk, period.pk]), {}
        case "tasks:report_detail" | "tasks:report_submit":
            return reverse(name, args=[report.pk]), {"version": report.version}
        case "tasks:report_approve":
            world["plan"].unit_approval = True
            world["plan"].save()
            return reverse(name, args=[report.pk]), {"version": report.version}
        case "tasks:report_approver_return":
            world["plan"].unit_approval = True
            world["plan"].save()
            return reverse(name, args=[report.pk]), {"version": report.version, "note": "请补充数据"}
        case "tasks:report_withdraw":
            report = submitted(world)
            return reverse(name, args=[report.pk]), {"version": report.version}
        case "tasks:report_accept":
            report = submitted(world)
            return reverse(name, args=[report.pk]), {"version": report.version}
        case "tasks:report_return":
            report = submitted(world)
            return reverse(name, args=[report.pk]), {"version": report.version, "note": "请补充数据"}
        case "tasks:attachment":
            return reverse(name, args=[world["attachment"].pk]), {}
        case "tasks:consolidation":
            return reverse(name, args=[world["task"].pk, period.pk]), {}
        case "tasks:receipt_confirm" | "tasks:receipt_contest" | "tasks:extension_request":
            return reverse(name, args=[a.pk]), {}
        case "tasks:receipt_resolve":
            workflow.contest(a, User.objects.get(username=COUNTY_REPORTER), "不属于本单位")
            return reverse(name, args=[a.pk]), {"decision": "insist"}
        case "tasks:extension_decide":
            return reverse(name, args=[world["extension"].pk]), {f"e{world['extension'].pk}-decision": "grant"}
        case "tasks:review_accept_many":
            report = submitted(world)
            return reverse(name), {"report": [report.pk], f"version_{report.pk}": report.version}
        case "tasks:urge":
            return reverse(name), {"period": period.pk, "assignment": a.pk}
        case "tasks:receipt_urge":
            return reverse(name, args=[world["plan"].pk]), {"unit": a.unit_id}
        case "tasks:receipts" | "tasks:period_list":
            return reverse(name, args=[world["plan"].pk]), {}
        case "tasks:period_lock":
            return reverse(name, args=[period.pk]), {"locked": "1"}
        case "tasks:plan_close":
            return reverse(name, args=[world["plan"].pk]), {"confirm": "yes", "closed_on": "2022-12-31"}
        case "tasks:plan_reopen":
            workflow.close_plan(world["plan"], User.objects.get(username=COORDINATOR), datetime.date(2022, 12, 31))
            return reverse(name, args=[world["plan"].pk]), {"reason": "补录年底报告"}
        case "tasks:assignment_add":
            unit = Unit.objects.exclude(assignments__task=world["task"]).filter(is_active=True).first()
            return reverse(name, args=[world["task"].pk]), {"add-unit": unit.pk, "add-role": "responsible"}
        case "tasks:assignment_remove":
            return reverse(name, args=[a.pk]), {"reason": "职责调整"}
        case "tasks:assignment_role":
            return reverse(name, args=[a.pk]), {"role": "lead"}
        case "tasks:assignment_deadline" | "tasks:task_deadline":
            target = world["task"].pk if name == "tasks:task_deadline" else a.pk
            return reverse(name, args=[target]), {"deadline": "2022-11-30", "reason": "市委要求提前完成"}
        case "tasks:task_complete":
            ProgressReport.objects.filter(assignment__task=world["task"], state="submitted").update(state="accepted")
            return reverse(name, args=[world["task"].pk]), {"note": "已按市委要求完成"}
        case "tasks:task_reopen":
            ProgressReport.objects.filter(assignment__task=world["task"], state="submitted").update(state="accepted")
            workflow.complete_task(world["task"], User.objects.get(username=COORDINATOR), "已完成")
            return reverse(name, args=[world["task"].pk]), {"note": "发现遗漏"}
        case "tasks:period_edit":
            return reverse(name, args=[period.pk]), {}
        case "tasks:plan_unit_approval":
            return reverse(name, args=[world["plan"].pk]), {"unit_approval": "1"}
        case "units:password_reset" | "units:account_deactivate":
            return reverse(name, args=[User.objects.get(username=COUNTY_REPORTER).pk]), {}
        case "notifications:open":
            return reverse(name, args=[world["note"].pk]), {}
        case "dashboards:public_switch":
            return reverse(name, args=[world["plan"].pk]), {"public": "on", "confirmed": "on"}
        case "annual:annual_assemble":
            return reverse(name, args=[world["plan"].pk]), {"period": period.pk}
        case "annual:annual_part" | "annual:annual_part_replace" | "annual:annual_part_dismiss":
            part = draft_of(world).parts.order_by("pk").first()
            return reverse(name, args=[world["plan"].pk, part.pk]), {"version": part.version}
        case "annual:annual_head" | "annual:annual_print" | "annual:annual_docx" | "annual:annual_template" | "annual:annual_template_preset":
            draft_of(world)
            return reverse(name, args=[world["plan"].pk]), {}
        case "assessment:ranking" | "assessment:ranking_xlsx" | "assessment:practices" | "assessment:circular_list":
            return reverse(name) + f"?plan={world['plan'].pk}&period={period.pk}", {}
        case "assessment:rule" | "assessment:rule_edit":
            return reverse(name, args=[world["plan"].pk]), {}
        case "assessment:unit_score":
            return reverse(name, args=[world["plan"].pk, a.unit_id]), {}
        case "assessment:adjust":
            return reverse(name, args=[world["plan"].pk]), {"unit": a.unit_id, "points": "1", "reason": "测试"}
        case "assessment:practice_mark":
            return reverse(name, args=[report.pk]), {}
        case "assessment:practice_delete":
            report = submitted(world)
            coordinator = User.objects.get(username=COORDINATOR)
            workflow.accept(report, coordinator)
            item = practice.mark(report, coordinator, "集中学法")
            return reverse(name, args=[item.pk]), {}
        case "assessment:circular" | "assessment:circular_docx" | "assessment:circular_edit" | "assessment:circular_publish":
            circular.generate(world["plan"], period, User.objects.get(username=COORDINATOR))
            return reverse(name, args=[world["plan"].pk, period.pk]), {"publish": "1"}
        case "assessment:circular_generate":
            return reverse(name, args=[world["plan"].pk, period.pk]), {}
        case name if name.startswith(("dashboards:", "annual:")):
            return reverse(name, args=[world["plan"].pk]), {}
        case _:
            return reverse(name), {}


CASES = [(name, role) for name in EXPECTED for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_permission_matrix(client, world, name, role, django_user_model):
    method, outcomes = EXPECTED[name]
    url, data = request_for(name, world)
    if role != "anonymous":
        client.force_login(django_user_model.objects.get(username=role))
    response = getattr(client, method)(url, data)
    if role == "anonymous":
        if "anonymous" in outcomes:  # a page that needs no log-in
            assert response.status_code == outcomes["anonymous"], name
            return
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), name
        return
    assert response.status_code == outcomes[role], (name, role, response.status_code)
    if outcomes[role] in (GONE, NO):
        body = response.content.decode() if not response.streaming else ""
        assert "东昌府区组织集中学法4次" not in body


def test_every_url_has_an_entry():
    names = set()
    for app in ("tasks", "notifications", "dashboards", "annual", "importing", "units", "audit", "assessment"):
        resolver = get_resolver().namespace_dict[app][1]
        names |= {f"{app}:{name}" for name in resolver.reverse_dict if isinstance(name, str)}
    missing = names - set(EXPECTED) - COVERED_ELSEWHERE
    assert not missing, f"add these views to EXPECTED: {sorted(missing)}"


def test_a_refused_action_changes_nothing(client, world, django_user_model):
    """The other unit's reporter posts to every action of unit A's report: nothing moves."""
    report = submitted(world)
    before = (report.state, report.version, report.events.count())
    client.force_login(django_user_model.objects.get(username=ZONE_REPORTER))
    for name in ("tasks:report_submit", "tasks:report_accept", "tasks:report_return", "tasks:report_approve"):
        client.post(reverse(name, args=[report.pk]), {"version": report.version, "note": "x"})
    report.refresh_from_db()
    assert (report.state, report.version, report.events.count()) == before
    assert ExtensionRequest.objects.get(pk=world["extension"].pk).state == ExtensionRequest.State.PENDING


# --- separation of duties: nobody reviews a report of their own unit ------------------------------------------

# A coordinator who is also a member (reporter or approver) of unit A, on unit A's submitted report.
OWN_UNIT = {
    "tasks:report_accept": NO,  # refused by tasks.workflow (the 403 page gives its message)
    "tasks:report_return": NO,
    "tasks:review_accept_many": 302,  # the queue again, with the refusal as a message; nothing accepted
}


@pytest.fixture(params=[Membership.Role.REPORTER, Membership.Role.APPROVER])
def own_unit_coordinator(request, world):
    member = User.objects.create_user("coordinator_dongchangfu", full_name="兼任东昌府区人员的统筹人员")
    member.groups.add(Group.objects.get(name="coordinator"))
    Membership.objects.create(user=member, unit=world["assignment"].unit, role=request.param)
    return member


@pytest.mark.parametrize("name", list(OWN_UNIT))
def test_a_coordinator_never_reviews_a_report_of_their_own_unit(client, world, own_unit_coordinator, name):
    url, data = request_for(name, world)
    client.force_login(own_unit_coordinator)
    response = client.post(url, data, follow=name == "tasks:review_accept_many")
    expected = OWN_UNIT[name]
    if expected == 302:
        assert response.redirect_chain and response.status_code == 200
        assert "不能审核本单位的报告" in response.content.decode()
    else:
        assert response.status_code == expected
        assert "另一位统筹人员" in response.content.decode()
    report = ProgressReport.objects.get(pk=world["report"].pk)
    assert (report.state, report.reviewed_by) == (ProgressReport.State.SUBMITTED, None)


def test_the_pages_offer_no_review_of_ones_own_unit_and_a_second_coordinator_reviews(
    client, world, own_unit_coordinator
):
    report = submitted(world)
    client.force_login(own_unit_coordinator)
    page = client.get(reverse("tasks:report_detail", args=[report.pk])).content.decode()
    assert reverse("tasks:report_accept", args=[report.pk]) not in page
    assert "请由另一位统筹人员审核" in page
    queue = client.get(reverse("tasks:review_queue"), {"period": world["period"].pk}).content.decode()
    assert f'name="report" value="{report.pk}"' not in queue
    assert "东昌府区" in queue  # listed, to read, without a tick box

    workflow.accept(report, User.objects.get(username=COORDINATOR))  # the second coordinator
    report.refresh_from_db()
    assert report.state == ProgressReport.State.ACCEPTED

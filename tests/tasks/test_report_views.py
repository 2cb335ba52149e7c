"""The reporting pages through the real stack: 我的任务, writing and submitting, conflicts and refusals that keep
the user's text, review, urging, receipts, extensions, periods and the bell."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from notifications.models import Notification
from tasks import workflow
from tasks.models import (
    Assignment,
    AssignmentEvent,
    ExtensionRequest,
    ProgressReport,
    ReportEvent,
    ReportingPeriod,
    Task,
)
from tests.conftest import COORDINATOR, COUNTY_REPORTER, LEAD_REPORTER, LEADER, ZONE_REPORTER, user
from units.models import Unit

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
State = ProgressReport.State


def edit_url(assignment, period):
    return reverse("tasks:report_edit", args=[assignment.pk, period.pk])


def text(response):
    return response.content.decode()


# --- 我的任务 ----------------------------------------------------------------------------------------------


def test_my_tasks_lists_the_units_assignments_for_the_chosen_period(login, plan, period, county):
    client = login(COUNTY_REPORTER)
    response = client.get(reverse("tasks:my_tasks"), {"period": period.pk})
    rows = response.context["rows"]
    assert {row.assignment.unit.short_name for row in rows} == {"东昌府区"}
    assert len(rows) == Assignment.objects.filter(task__plan=plan, unit__short_name="东昌府区").count()
    assert all(row.period == period for row in rows)
    row = next(r for r in rows if r.assignment == county)
    assert row.report is None and row.action[0] == "填写报告" and row.action[1] == edit_url(county, period)
    page = text(response)
    assert "测试期" in page and "填写报告" in page and "未填写" in page


def test_my_tasks_query_count_does_not_grow_with_assignments(login, plan, period, county, django_assert_max_num_queries):
    client = login(COUNTY_REPORTER)
    url = reverse("tasks:my_tasks") + f"?period={period.pk}"
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    unit = county.unit
    section = plan.sections.first()
    for n in range(30):
        task = Task.objects.create(plan=plan, section=section, number=100 + n, title=f"新增任务{n}", content="内容")
        Assignment.objects.create(task=task, unit=unit, role=Assignment.Role.RESPONSIBLE)
        if n % 2:
            workflow.save_report(
                assignment=Assignment.objects.get(task=task, unit=unit), period=period, user=user(COUNTY_REPORTER),
                data={"body": "进展"},
            )
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(response.context["rows"]) > 30
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    assert len(small) <= 12


# --- writing and submitting ------------------------------------------------------------------------------


def test_a_reporter_saves_a_draft_then_submits(login, period, county):
    client = login(COUNTY_REPORTER)
    assert client.get(edit_url(county, period)).status_code == 200
    response = client.post(
        edit_url(county, period),
        {"version": 0, "progress": "on_track", "body": "组织集中学法4次。", "problems": "", "next_steps": "", "intent": "save"},
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get(assignment=county, period=period)
    assert (report.state, report.version, report.body) == (State.DRAFT, 1, "组织集中学法4次。")
    response = client.post(
        edit_url(county, period),
        {"version": 1, "progress": "on_track", "body": "组织集中学法5次。", "intent": "submit"},
        follow=True,
    )
    report.refresh_from_db()
    assert report.state == State.SUBMITTED and report.body == "组织集中学法5次。"
    assert "报告已报送" in text(response)
    assert list(report.events.values_list("action", flat=True)) == ["create", "edit", "submit"]
    # a submitted report cannot be edited: the page says so and the text stays
    response = client.post(edit_url(county, period), {"version": report.version, "body": "再改一次", "intent": "save"})
    report.refresh_from_db()
    assert report.body == "组织集中学法5次。"
    assert "不能再修改" in text(response) and "再改一次" in text(response)


def test_a_stale_form_is_refused_and_the_users_text_is_kept(login, period, county):
    report = workflow.save_report(assignment=county, period=period, user=user(COUNTY_REPORTER), data={"body": "第一版"})
    # a colleague saves version 2 while our form still says version 1
    workflow.save_report(
        assignment=county, period=period, user=user(COUNTY_REPORTER), data={"body": "同事的第二版"}, version=1
    )
    client = login(COUNTY_REPORTER)
    response = client.post(edit_url(county, period), {"version": 1, "body": "我的修改，不能丢", "intent": "save"})
    assert response.status_code == 200
    page = text(response)
    assert "已被他人修改" in page
    assert "我的修改，不能丢" in page  # our text, in the form
    assert "同事的第二版" in page  # theirs, beside it
    report.refresh_from_db()
    assert (report.body, report.version) == ("同事的第二版", 2)
    # the form now carries version 2: saving again is a deliberate overwrite, and it succeeds
    assert response.context["form"]["version"].value() == 2
    client.post(edit_url(county, period), {"version": 2, "body": "我的修改，不能丢", "intent": "save"})
    report.refresh_from_db()
    assert (report.body, report.version) == ("我的修改，不能丢", 3)


def test_a_locked_period_refuses_the_save_and_keeps_the_text(login, period, county):
    period.locked = True
    period.save()
    client = login(COUNTY_REPORTER)
    response = client.post(edit_url(county, period), {"version": 0, "body": "锁定后写的内容", "intent": "submit"})
    assert response.status_code == 200
    assert "已锁定" in text(response) and "锁定后写的内容" in text(response)
    assert not ProgressReport.objects.filter(assignment=county, period=period).exists()


def test_a_too_big_attachment_is_refused_and_the_text_kept(login, period, county, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    client = login(COUNTY_REPORTER)
    big = SimpleUploadedFile("大文件.pdf", PDF + b"0" * 2048, content_type="application/pdf")
    response = client.post(
        edit_url(county, period), {"version": 0, "body": "附件太大时写的内容", "attachments": big, "intent": "save"}
    )
    page = text(response)
    assert response.status_code == 200
    assert "大文件.pdf" in page and "超过了" in page and "附件太大时写的内容" in page
    assert "请重新选择附件" in page
    assert not ProgressReport.objects.filter(assignment=county, period=period).exists()


def test_an_attachment_that_is_not_what_it_says_is_refused(login, period, county):
    client = login(COUNTY_REPORTER)
    fake = SimpleUploadedFile("通知.docx", b"just text, not a Word file", content_type="application/msword")
    response = client.post(edit_url(county, period), {"version": 0, "body": "内容", "attachments": fake})
    assert "通知.docx" in text(response) and "内容不是" in text(response)
    assert not ProgressReport.objects.filter(assignment=county, period=period).exists()


def test_an_attachment_is_saved_and_downloaded_only_as_a_file(login, period, county):
    client = login(COUNTY_REPORTER)
    upload = SimpleUploadedFile('学法"记录"\n.pdf', PDF, content_type="application/pdf")
    client.post(edit_url(county, period), {"version": 0, "body": "见附件", "attachments": upload, "intent": "save"})
    report = ProgressReport.objects.get(assignment=county, period=period)
    item = report.attachments.get()
    assert item.name == "学法记录.pdf" and item.kind == "pdf" and item.size == len(PDF)
    assert "学法" not in item.file.name  # stored under a random name
    response = client.get(item.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF
    assert ReportEvent.objects.filter(report=report, action="attach").exists()
    # removed: no longer served, and the removal is in the history
    client.post(edit_url(county, period), {"version": report.version, "body": "见附件", "remove_attachments": [item.pk]})
    assert client.get(item.get_absolute_url()).status_code == 404
    assert ReportEvent.objects.filter(report=report, action="detach").exists()


# --- review ------------------------------------------------------------------------------------------------


def submit_county(county, period, body="东昌府区本期开展了学法活动。"):
    report = workflow.save_report(assignment=county, period=period, user=user(COUNTY_REPORTER), data={"body": body})
    return workflow.submit(report, user(COUNTY_REPORTER))


def test_the_coordinator_returns_with_a_note_and_the_reporter_sees_it(login, period, county):
    report = submit_county(county, period)
    client = login(COORDINATOR)
    url = reverse("tasks:report_return", args=[report.pk])
    response = client.post(url, {"version": report.version, "note": ""}, follow=True)
    assert "必须填写退回意见" in text(response)
    report.refresh_from_db()
    assert report.state == State.SUBMITTED
    client.post(url, {"version": report.version, "note": "请补充具体数据"})
    report.refresh_from_db()
    assert report.state == State.RETURNED and report.review_note == "请补充具体数据"
    reporter = login(COUNTY_REPORTER)
    page = text(reporter.get(reverse("tasks:my_tasks"), {"period": period.pk}))
    assert "按退回意见修改" in page and "请补充具体数据" in page
    assert "请补充具体数据" in text(reporter.get(edit_url(county, period)))
    assert Notification.objects.filter(recipient=user(COUNTY_REPORTER), body__contains="请补充具体数据").exists()


def test_accept_with_a_stale_version_is_refused(login, period, county):
    report = submit_county(county, period)
    client = login(COORDINATOR)
    response = client.post(reverse("tasks:report_accept", args=[report.pk]), {"version": report.version - 1}, follow=True)
    report.refresh_from_db()
    assert report.state == State.SUBMITTED
    assert "已被他人修改或处理" in text(response)


def test_the_review_queue_filters_and_accepts_several(login, plan, period, county):
    zone = Assignment.objects.get(task__plan=plan, task__number=1, unit__short_name="经开区管委会")
    one = submit_county(county, period)
    report = workflow.save_report(assignment=zone, period=period, user=user(ZONE_REPORTER), data={"body": "经开区进展"})
    two = workflow.submit(report, user(ZONE_REPORTER))
    client = login(COORDINATOR)
    url = reverse("tasks:review_queue")
    listed = {r.pk for r in client.get(url, {"period": period.pk}).context["page"]}
    assert listed == {one.pk, two.pk}
    counties = {r.pk for r in client.get(url, {"period": period.pk, "unit_kind": "county"}).context["page"]}
    assert counties == {one.pk}
    response = client.post(
        reverse("tasks:review_accept_many"),
        {"report": [one.pk, two.pk], f"version_{one.pk}": one.version, f"version_{two.pk}": two.version - 1},
        follow=True,
    )
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.state == State.ACCEPTED and two.state == State.SUBMITTED
    assert "已审核通过 1 份报告" in text(response) and "经开区" in text(response)


def test_review_queue_query_count_is_flat(login, plan, period):
    client = login(COORDINATOR)
    url = reverse("tasks:review_queue") + f"?period={period.pk}&state="
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assignments = list(Assignment.objects.filter(task__plan=plan)[:60])
    for assignment in assignments[:2]:
        ProgressReport.objects.create(assignment=assignment, period=period, body="x", state=State.SUBMITTED)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for assignment in assignments[2:]:
        ProgressReport.objects.create(assignment=assignment, period=period, body="x", state=State.SUBMITTED)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.context["page"].paginator.count == 60
    assert len(large) == len(small)
    # session, user, groups, memberships, bell, live plans, the period's plan, 3 filter choice lists, counts, page
    assert len(small) <= 14


def test_the_leader_reads_the_queue_but_cannot_act(login, period, county):
    submit_county(county, period)
    page = text(login(LEADER).get(reverse("tasks:review_queue"), {"period": period.pk}))
    assert "东昌府区本期开展了学法活动" in page
    assert 'name="report"' not in page


def test_urging_a_unit_notifies_its_reporters_and_is_recorded(login, plan, period, county):
    client = login(COORDINATOR)
    missing = client.get(reverse("tasks:missing_reports"), {"period": period.pk, "unit_kind": "county"})
    assert any(unit.short_name == "东昌府区" for unit, rows in missing.context["by_unit"])
    before = Notification.objects.filter(recipient=user(COUNTY_REPORTER)).count()
    response = client.post(reverse("tasks:urge"), {"period": period.pk, "unit": county.unit_id, "note": "请本周内报送"}, follow=True)
    count = Assignment.objects.filter(task__plan=plan, unit=county.unit).count()
    assert AssignmentEvent.objects.filter(action="urge", assignment__unit=county.unit, period=period).count() == count
    assert Notification.objects.filter(recipient=user(COUNTY_REPORTER)).count() == before + 1  # one, listing them all
    assert not Notification.objects.filter(recipient=user(ZONE_REPORTER), title__contains="催办").exists()
    assert "已催办" in text(response)


# --- receipts, extensions, periods ------------------------------------------------------------------------


def test_contest_then_reassign(login, plan, county):
    client = login(COUNTY_REPORTER)
    response = client.post(reverse("tasks:receipt_contest", args=[county.pk]), {"reason": ""})
    assert "请写明理由" in text(response)
    client.post(reverse("tasks:receipt_contest", args=[county.pk]), {"reason": "该项工作属于市直部门职责"})
    county.refresh_from_db()
    assert county.receipt == Assignment.Receipt.CONTESTED
    coordinator = login(COORDINATOR)
    page = coordinator.get(reverse("tasks:receipts", args=[plan.pk]))
    assert "该项工作属于市直部门职责" in text(page)
    target = Unit.objects.exclude(assignments__task=county.task).filter(is_active=True).first()
    coordinator.post(
        reverse("tasks:receipt_resolve", args=[county.pk]),
        {"decision": "reassign", f"a{county.pk}-unit": target.pk, f"a{county.pk}-note": "改由该单位承担"},
    )
    county.refresh_from_db()
    assert county.unit == target and county.receipt == Assignment.Receipt.PENDING
    assert AssignmentEvent.objects.filter(assignment=county, action="reassign").exists()


def test_receipt_confirm_all(login, plan):
    client = login(COUNTY_REPORTER)
    pending = Assignment.objects.filter(task__plan=plan, unit__short_name="东昌府区", receipt="pending").count()
    assert pending > 0
    response = client.post(reverse("tasks:receipt_confirm", args=[0]), follow=True)
    assert f"已签收 {pending} 项任务" in text(response)
    assert not Assignment.objects.filter(task__plan=plan, unit__short_name="东昌府区", receipt="pending").exists()


def test_an_extension_changes_the_deadline_only_when_granted(login, county):
    client = login(COUNTY_REPORTER)
    old = county.deadline
    client.post(reverse("tasks:extension_request", args=[county.pk]), {"new_deadline": "2099-12-31", "reason": "等待省级文件"})
    request = ExtensionRequest.objects.get(assignment=county, state="pending")
    county.refresh_from_db()
    assert county.deadline == old
    coordinator = login(COORDINATOR)
    assert "等待省级文件" in text(coordinator.get(reverse("tasks:extensions")))
    coordinator.post(reverse("tasks:extension_decide", args=[request.pk]), {f"e{request.pk}-decision": "grant"})
    county.refresh_from_db()
    assert county.deadline == datetime.date(2099, 12, 31)
    assert AssignmentEvent.objects.filter(assignment=county, action="extension_grant").exists()


def test_a_bad_extension_date_gets_a_chinese_message(login, county):
    response = login(COUNTY_REPORTER).post(
        reverse("tasks:extension_request", args=[county.pk]), {"new_deadline": "明年", "reason": "理由"}
    )
    assert "请按“年-月-日”填写日期" in text(response)
    assert not ExtensionRequest.objects.filter(assignment=county).exists()


def test_quarterly_preset_counts_working_days_across_national_day(login, plan):
    client = login(COORDINATOR)
    client.post(reverse("tasks:period_list", args=[plan.pk]), {"preset": "quarterly"})
    quarters = {p.name: p for p in ReportingPeriod.objects.filter(plan=plan, name__contains="季度")}
    assert set(quarters) == {"第一季度", "第二季度", "第三季度", "第四季度"}
    # Q3 ends on Fri 30 September; 1–7 October are holidays, Sat 8 and Sun 9 are working days:
    # the 5th working day after is Wed 12 October (not Fri 7 October, as plain weekdays would give)
    assert quarters["第三季度"].due_on == datetime.date(2022, 10, 12)
    assert quarters["第一季度"].due_on == datetime.date(2022, 4, 8)  # 4–5 April: 清明 holiday
    # generating again adds nothing
    response = client.post(reverse("tasks:period_list", args=[plan.pk]), {"preset": "quarterly"}, follow=True)
    assert "已经存在" in text(response)


def test_a_custom_period_with_end_before_start_is_explained(login, plan):
    response = login(COORDINATOR).post(
        reverse("tasks:period_list", args=[plan.pk]),
        {"name": "专项", "starts_on": "2022-05-01", "ends_on": "2022-04-01", "due_on": "2022-05-10"},
    )
    assert "结束日期不能早于开始日期" in text(response)
    assert not ReportingPeriod.objects.filter(plan=plan, name="专项").exists()


def test_locking_a_period_stops_the_units(login, period, county):
    login(COORDINATOR).post(reverse("tasks:period_lock", args=[period.pk]), {"locked": "1"})
    period.refresh_from_db()
    assert period.locked
    response = login(COUNTY_REPORTER).get(edit_url(county, period))
    assert "已锁定" in text(response)


# --- the lead unit and the bell ---------------------------------------------------------------------------


def test_the_lead_unit_sees_submitted_reports_not_drafts(login, plan, period, county):
    submit_county(county, period, body="东昌府区已报送的内容")
    zone = Assignment.objects.get(task__plan=plan, task__number=1, unit__short_name="经开区管委会")
    workflow.save_report(assignment=zone, period=period, user=user(ZONE_REPORTER), data={"body": "经开区的草稿内容"})
    page = text(login(LEAD_REPORTER).get(reverse("tasks:consolidation", args=[county.task_id, period.pk])))
    assert "东昌府区已报送的内容" in page
    assert "经开区的草稿内容" not in page
    assert "填写汇总报告" in page


def test_the_bell_counts_unread_and_opening_marks_read(login, period, county):
    submit_county(county, period)
    client = login(COORDINATOR)
    note = Notification.objects.filter(recipient=user(COORDINATOR), read_at__isnull=True).first()
    unread = Notification.objects.filter(recipient=user(COORDINATOR), read_at__isnull=True).count()
    assert f'<span class="count">{unread}</span>' in text(client.get(reverse("home")))
    response = client.get(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None


def test_the_admin_accept_action_goes_through_the_workflow(login, period, county):
    report = submit_county(county, period)
    draft = workflow.save_report(
        assignment=Assignment.objects.get(task=county.task, unit__short_name="经开区管委会"),
        period=period, user=user(ZONE_REPORTER), data={"body": "草稿"},
    )
    response = login(COORDINATOR).post(
        reverse("admin:tasks_progressreport_changelist"),
        {"action": "accept_selected", "_selected_action": [report.pk, draft.pk]},
        follow=True,
    )
    report.refresh_from_db()
    draft.refresh_from_db()
    assert report.state == State.ACCEPTED and draft.state == State.DRAFT
    assert report.events.filter(action="accept", actor__username=COORDINATOR).exists()
    assert "已审核通过 1 份报告" in text(response)


def test_urging_the_ticked_tasks_only(login, plan, period, county):
    ticked = list(Assignment.objects.filter(task__plan=plan, unit=county.unit).order_by("task__number")[:2])
    login(COORDINATOR).post(
        reverse("tasks:urge"),
        {"period": period.pk, "unit": county.unit_id, "scope": "selected", "assignment": [a.pk for a in ticked]},
    )
    urged = AssignmentEvent.objects.filter(action="urge", period=period)
    assert sorted(urged.values_list("assignment_id", flat=True)) == sorted(a.pk for a in ticked)


def test_missing_reports_filter_by_unit_kind(login, period):
    response = login(COORDINATOR).get(reverse("tasks:missing_reports"), {"period": period.pk, "unit_kind": "county"})
    kinds = {unit.kind for unit, rows in response.context["by_unit"]}
    assert kinds == {"county"}
    assert response.context["total"] == Assignment.objects.filter(task__plan=period.plan, unit__kind="county").count()


def test_missing_reports_pages_by_unit_and_counts_them_all(login, plan, period):
    """20 units a page, each with all its rows; the totals above count every unit of the period."""
    units = list(
        Unit.objects.filter(assignments__task__plan=plan).distinct().order_by("order", "name", "pk")
    )
    assert len(units) > 20
    client = login(COORDINATOR)
    url = reverse("tasks:missing_reports")
    first = client.get(url, {"period": period.pk})
    assert [unit for unit, _rows in first.context["by_unit"]] == units[:20]
    assert first.context["unit_count"] == len(units)
    assert first.context["total"] == Assignment.objects.filter(task__plan=plan).count()
    for unit, rows in first.context["by_unit"]:
        assert len(rows) == Assignment.objects.filter(task__plan=plan, unit=unit).count()
    page = text(first)
    assert f"涉及 {len(units)} 个单位" in page and "第 1 / 3 页" in page
    assert f"period={period.pk}&page=2" in page
    second = client.get(url, {"period": period.pk, "page": 2})
    assert [unit for unit, _rows in second.context["by_unit"]] == units[20:40]
    last = client.get(url, {"period": period.pk, "page": 99})  # past the end: the last page
    assert [unit for unit, _rows in last.context["by_unit"]] == units[40:]


def test_urging_from_a_later_page_returns_to_it(login, plan, period):
    client = login(COORDINATOR)
    page_url = reverse("tasks:missing_reports") + f"?period={period.pk}&page=2"
    unit, _rows = client.get(page_url).context["by_unit"][0]
    assert f'name="next" value="{reverse("tasks:missing_reports")}?period={period.pk}&amp;page=2"' in text(
        client.get(page_url)
    )
    response = client.post(reverse("tasks:urge"), {"period": period.pk, "unit": unit.pk, "next": page_url})
    assert response.status_code == 302 and response["Location"] == page_url
    assert AssignmentEvent.objects.filter(action="urge", period=period, assignment__unit=unit).exists()


def test_missing_reports_query_count_is_flat(login, plan, period):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(COORDINATOR)
    url = reverse("tasks:missing_reports") + f"?period={period.pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    for assignment in Assignment.objects.filter(task__plan=plan)[:200]:
        ProgressReport.objects.create(assignment=assignment, period=period, body="x", state=State.SUBMITTED)
    with CaptureQueriesContext(connection) as fewer:
        response = client.get(url)
    assert response.context["total"] == Assignment.objects.filter(task__plan=plan).count() - 200
    assert len(fewer) == len(many) <= 14  # 14: the units' last urges (one query, selectors.last_urges)

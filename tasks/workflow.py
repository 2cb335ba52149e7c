"""The one path for every change to a report or an assignment's standing: views, admin and commands call these.

Each function checks permission (raises `PermissionDenied`), checks the state (raises `WorkflowError` with a
message for the user), writes a `ReportEvent` or `AssignmentEvent`, and notifies the people concerned — in one
transaction, on a row locked with SELECT … FOR UPDATE so that two people acting at once cannot both win.

    draft ──submit──▶ submitted ──accept──▶ accepted
      ▲                   │
      └────── returned ◀──┘ return (a note is required)

With unit approval switched on for the plan, `submit` needs the unit approver's `approve` of the current
version first. Every change bumps `version`; a form carries the version it was read at, and a save on top of
someone else's newer save is refused (`StaleReport`), the user's text kept on screen by the view.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import record
from audit.service import value_text
from notifications.service import notify
from units.models import Membership
from units.roles import COORDINATOR

from . import access
from .models import (
    Assignment,
    AssignmentEvent,
    ExtensionRequest,
    ProgressReport,
    ReportAttachment,
    ReportEvent,
    ReportingPeriod,
    WorkPlan,
)

State = ProgressReport.State
Action = ReportEvent.Action
TEXT_FIELDS = ("progress", "body", "problems", "next_steps")


class WorkflowError(Exception):
    """A refusal the user can act on; `str(error)` is the Chinese message."""

    code = "state"

    def __init__(self, message, code=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def __str__(self):
        return str(self.message)


class PeriodLocked(WorkflowError):
    code = "locked"


class StaleReport(WorkflowError):
    """Someone else saved the report after this user opened it. `current` is the report as it is now."""

    code = "stale"

    def __init__(self, message, current):
        super().__init__(message)
        self.current = current


class ApprovalRequired(WorkflowError, PermissionDenied):
    """Submitting before the unit approver approved this version (the plan requires unit approval)."""

    code = "approval"


# --- helpers -------------------------------------------------------------------------------------------


def unit_users(unit_id, role=Membership.Role.REPORTER):
    return get_user_model().objects.filter(
        memberships__unit_id=unit_id, memberships__role=role, is_active=True
    ).distinct()


def coordinators():
    return get_user_model().objects.filter(groups__name=COORDINATOR, is_active=True).distinct()


def _locked_report(report):
    """The report re-read under a row lock, with what the checks need."""
    return (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("assignment", "assignment__task", "assignment__task__plan", "assignment__unit", "period")
        .get(pk=report.pk)
    )


def _refresh(report, fresh):
    """Copy the saved row back onto the caller's object, so the caller sees what was stored."""
    for field in ProgressReport._meta.concrete_fields:
        setattr(report, field.attname, getattr(fresh, field.attname))


def _event(report, user, action, from_state="", to_state="", comment="", changes=None):
    return ReportEvent.objects.create(
        report=report,
        actor=user,
        action=action,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        version=report.version,
        changes=changes or {},
    )


def _check_period_open(period):
    if period.locked:
        raise PeriodLocked(
            _("“%(period)s”报送期已锁定，不能再修改或报送。如确需修改，请联系统筹人员解锁。")
            % {"period": period.name}
        )


def _check_plan_live(plan):
    if plan.status != WorkPlan.Status.ACTIVE:
        raise WorkflowError(
            _("计划“%(plan)s”当前为“%(status)s”，不能报送进展。")
            % {"plan": plan.title, "status": plan.get_status_display()},
            code="plan",
        )


def _check_version(report, expected_version):
    if expected_version is not None and _as_version(expected_version) != report.version:
        raise StaleReport(
            _("这份报告在您打开之后已被他人修改或处理（现为第 %(version)s 版，“%(state)s”）。请查看最新内容后再操作。")
            % {"version": report.version, "state": report.get_state_display()},
            current=report,
        )


def _as_version(value):
    """The version a form sent; anything that is not a number (a tampered or garbled form) matches none."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _describe(report):
    return _("%(unit)s · 第%(number)s项 · %(period)s") % {
        "unit": report.assignment.unit,
        "number": report.assignment.task.number,
        "period": report.period.name,
    }


# --- writing ----------------------------------------------------------------------------------------------


def save_report(*, assignment, period, user, data, version=None, attachments=(), remove_attachments=()):
    """Create or edit the unit's report of `assignment` for `period`; returns the saved report.

    `data` holds the text fields (progress, body, problems, next_steps); `version` is the version the form was
    read at (None for a new report). `attachments` are `(uploaded_file, checked)` pairs already validated by
    `tasks.uploads.check_attachment`; `remove_attachments` are attachment ids to take off the report.
    """
    if not access.can_write(user, assignment):
        raise PermissionDenied(_("只有本单位的联络员可以填写这份报告。"))
    if period.plan_id != assignment.task.plan_id:
        raise WorkflowError(_("报送期不属于这项任务所在的计划。"))
    _check_plan_live(assignment.task.plan)
    _check_period_open(period)
    values = {field: data.get(field, "") for field in TEXT_FIELDS}
    values["progress"] = values["progress"] or ProgressReport.Progress.NOT_STARTED
    try:
        with transaction.atomic():
            # lock the report row only (no ordering: the default one would join and lock the plan's rows)
            report = (
                ProgressReport.objects.select_for_update(of=("self",))
                .filter(assignment=assignment, period=period)
                .order_by()
                .first()
            )
            if report is None:
                if version not in (None, "", 0, "0"):
                    raise WorkflowError(_("这份报告已不存在，请刷新页面。"))
                report = ProgressReport.objects.create(assignment=assignment, period=period, **values)
                _event(report, user, Action.CREATE, "", report.state, changes=values)
            else:
                report.assignment, report.period = assignment, period
                if not report.is_editable_state:
                    raise WorkflowError(
                        _("这份报告已“%(state)s”，不能再修改。被退回后才能修改。")
                        % {"state": report.get_state_display()}
                    )
                _check_version(report, version if version not in (None, "") else 0)
                changes = {f: v for f, v in values.items() if getattr(report, f) != v}
                if changes:
                    for field, value in changes.items():
                        setattr(report, field, value)
                    report.version += 1
                    report.save()
                    _event(report, user, Action.EDIT, report.state, report.state, changes=changes)
            _change_attachments(report, user, attachments, remove_attachments)
    except IntegrityError:
        # Two first saves at once: the unique (assignment, period) let the other one win.
        current = ProgressReport.objects.get(assignment=assignment, period=period)
        raise StaleReport(_("同一时间已有他人创建了这份报告。请查看最新内容后再保存。"), current=current) from None
    return report


def _change_attachments(report, user, attachments, remove_ids):
    if remove_ids:
        removed = list(report.attachments.filter(pk__in=remove_ids, removed_at__isnull=True))
        if removed:
            ReportAttachment.objects.filter(pk__in=[a.pk for a in removed]).update(removed_at=timezone.now())
            report.version += 1
            report.save(update_fields=["version", "updated_at"])
            _event(report, user, Action.DETACH, report.state, report.state, changes={"attachments": [a.name for a in removed]})
    if attachments:
        current = report.attachments.filter(removed_at__isnull=True).count()
        if current + len(attachments) > settings.ATTACHMENTS_PER_REPORT:
            raise WorkflowError(
                _("每份报告最多 %(limit)s 个附件，已有 %(count)s 个。请先删除不需要的附件。")
                % {"limit": settings.ATTACHMENTS_PER_REPORT, "count": current},
                code="attachments",
            )
        names = []
        for uploaded, checked in attachments:
            attachment = ReportAttachment(
                report=report,
                name=checked.name,
                kind=checked.kind,
                content_type=checked.content_type,
                size=checked.size,
                uploaded_by=user,
            )
            attachment.file.save(checked.name, uploaded, save=False)
            attachment.save()
            names.append(checked.name)
        report.version += 1
        report.save(update_fields=["version", "updated_at"])
        _event(report, user, Action.ATTACH, report.state, report.state, changes={"attachments": names})


# --- transitions ------------------------------------------------------------------------------------------


def request_approval(report, user):
    """送本单位审核: the reporter tells the unit's approvers the report is ready."""
    with transaction.atomic():
        fresh = _locked_report(report)
        assignment = fresh.assignment
        if not access.can_write(user, assignment):
            raise PermissionDenied(_("只有本单位的联络员可以送审。"))
        if not assignment.task.plan.unit_approval:
            raise WorkflowError(_("本计划不需要单位审核，可直接报送。"))
        _check_period_open(fresh.period)
        if not fresh.is_editable_state:
            raise WorkflowError(_("只有草稿或被退回的报告可以送审。"))
        _event(fresh, user, Action.REQUEST_APPROVAL, fresh.state, fresh.state)
        notify(
            unit_users(assignment.unit_id, Membership.Role.APPROVER),
            _("待审核：%(what)s") % {"what": _describe(fresh)},
            _("联络员%(user)s请您审核本单位的进展报告。") % {"user": user},
            fresh.get_absolute_url(),
        )
    _refresh(report, fresh)
    return report


def approve(report, user, expected_version=None):
    """The unit approver approves the report as it is now; the reporter may then submit it."""
    with transaction.atomic():
        fresh = _locked_report(report)
        assignment = fresh.assignment
        if not access.can_approve(user, assignment):
            raise PermissionDenied(_("只有本单位的审核人可以审核这份报告。"))
        if not assignment.task.plan.unit_approval:
            raise WorkflowError(_("本计划不需要单位审核。"))
        _check_period_open(fresh.period)
        if not fresh.is_editable_state:
            raise WorkflowError(
                _("这份报告已“%(state)s”，不需要再审核。") % {"state": fresh.get_state_display()}
            )
        _check_version(fresh, expected_version)
        if not fresh.body.strip():
            raise WorkflowError(_("报告还没有填写工作开展情况，不能审核通过。"), code="empty")
        fresh.approved_at, fresh.approved_by, fresh.approved_version = timezone.now(), user, fresh.version
        fresh.save(update_fields=["approved_at", "approved_by", "approved_version", "updated_at"])
        _event(fresh, user, Action.APPROVE, fresh.state, fresh.state)
        notify(
            unit_users(assignment.unit_id),
            _("已通过单位审核：%(what)s") % {"what": _describe(fresh)},
            _("%(user)s已审核通过，请报送。") % {"user": user},
            fresh.get_absolute_url(),
        )
    _refresh(report, fresh)
    return report


def submit(report, user, expected_version=None):
    """报送: the unit's reporter sends the report to the coordinator."""
    with transaction.atomic():
        fresh = _locked_report(report)
        assignment = fresh.assignment
        if not access.can_write(user, assignment):
            raise PermissionDenied(_("只有本单位的联络员可以报送这份报告。"))
        _check_plan_live(assignment.task.plan)
        _check_period_open(fresh.period)
        if not fresh.is_editable_state:
            raise WorkflowError(
                _("这份报告已“%(state)s”，不能重复报送。") % {"state": fresh.get_state_display()}
            )
        _check_version(fresh, expected_version)
        if not fresh.body.strip():
            raise WorkflowError(_("请先填写“工作开展情况”再报送。"), code="empty")
        if assignment.task.plan.unit_approval and not fresh.is_approved:
            raise ApprovalRequired(_("本计划要求报告先经本单位审核人审核通过（修改后须重新审核），再报送。"))
        before = fresh.state
        fresh.state = State.SUBMITTED
        fresh.submitted_at, fresh.submitted_by = timezone.now(), user
        fresh.version += 1
        fresh.save()
        _event(fresh, user, Action.SUBMIT, before, fresh.state)
        notify(
            coordinators(),
            _("新报送：%(what)s") % {"what": _describe(fresh)},
            _("%(user)s报送了进展报告，请审核。") % {"user": user},
            fresh.get_absolute_url(),
        )
    _refresh(report, fresh)
    return report


def accept(report, user, expected_version=None, note=""):
    """审核通过 by the coordinator."""
    if not access.can_review(user):
        raise PermissionDenied(_("只有统筹人员可以审核报告。"))
    _check_not_own_unit(report, user)
    with transaction.atomic():
        fresh = _locked_report(report)
        if fresh.state != State.SUBMITTED:
            raise WorkflowError(
                _("只有“已报送”的报告可以审核通过，这份报告当前为“%(state)s”。")
                % {"state": fresh.get_state_display()}
            )
        _check_version(fresh, expected_version)
        fresh.state = State.ACCEPTED
        fresh.reviewed_at, fresh.reviewed_by, fresh.review_note = timezone.now(), user, note.strip()
        fresh.version += 1
        fresh.save()
        _event(fresh, user, Action.ACCEPT, State.SUBMITTED, fresh.state, comment=fresh.review_note)
        notify(
            unit_users(fresh.assignment.unit_id),
            _("已审核通过：%(what)s") % {"what": _describe(fresh)},
            fresh.review_note,
            fresh.get_absolute_url(),
        )
    _refresh(report, fresh)
    return report


def return_report(report, user, note, expected_version=None):
    """退回 with a required note: the unit edits and submits again."""
    if not access.can_review(user):
        raise PermissionDenied(_("只有统筹人员可以退回报告。"))
    _check_not_own_unit(report, user)
    note = (note or "").strip()
    if not note:
        raise WorkflowError(_("退回时必须填写退回意见，告诉单位需要修改什么。"), code="note")
    with transaction.atomic():
        fresh = _locked_report(report)
        if fresh.state != State.SUBMITTED:
            raise WorkflowError(
                _("只有“已报送”的报告可以退回，这份报告当前为“%(state)s”。")
                % {"state": fresh.get_state_display()}
            )
        _check_version(fresh, expected_version)
        if fresh.period.locked:
            raise PeriodLocked(
                _("“%(period)s”报送期已锁定，退回后单位也无法修改。请先解锁报送期再退回。")
                % {"period": fresh.period.name}
            )
        fresh.state = State.RETURNED
        fresh.reviewed_at, fresh.reviewed_by, fresh.review_note = timezone.now(), user, note
        fresh.version += 1
        fresh.save()
        _event(fresh, user, Action.RETURN, State.SUBMITTED, fresh.state, comment=note)
        notify(
            unit_users(fresh.assignment.unit_id),
            _("报告被退回：%(what)s") % {"what": _describe(fresh)},
            _("退回意见：%(note)s") % {"note": note},
            fresh.get_absolute_url(),
        )
    _refresh(report, fresh)
    return report


def _check_not_own_unit(report, user):
    """Separation of duties (tasks.access.is_own_unit_report): nobody reviews their own unit's report."""
    if access.is_own_unit_report(user, report):
        raise PermissionDenied(access.own_unit_review_message(report))


def accept_many(reports, user):
    """Accept several at once. Returns (accepted, refused) where refused is a list of (report, message)."""
    if not access.can_review(user):
        raise PermissionDenied(_("只有统筹人员可以审核报告。"))
    accepted, refused = [], []
    for report, version in reports:
        try:
            accept(report, user, expected_version=version)
        except (WorkflowError, PermissionDenied) as error:  # PermissionDenied: a report of the user's own unit
            refused.append((report, str(error)))
        else:
            accepted.append(report)
    return accepted, refused


# --- assignments ------------------------------------------------------------------------------------------


def _assignment_event(assignment, user, action, comment="", period=None, data=None):
    return AssignmentEvent.objects.create(
        assignment=assignment, actor=user, action=action, comment=comment, period=period, data=data or {}
    )


def _locked_assignment(assignment):
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("task", "task__plan", "unit")
        .get(pk=assignment.pk)
    )


def urge(assignment, user, note="", period=None):
    """催办: the unit's reporters are notified and the urge is recorded. Returns how many were notified."""
    if not access.can_review(user):
        raise PermissionDenied(_("只有统筹人员可以催办。"))
    _check_plan_live(assignment.task.plan)
    with transaction.atomic():
        _assignment_event(assignment, user, AssignmentEvent.Action.URGE, note.strip(), period)
        what = _("第%(number)s项“%(title)s”") % {"number": assignment.task.number, "title": assignment.task.title}
        if period is not None:
            what = f"{what} · {period.name}"
        return notify(
            unit_users(assignment.unit_id),
            _("【催办】%(what)s") % {"what": what},
            note.strip() or _("请尽快报送本单位的工作进展。"),
            assignment.task.get_absolute_url(),
        )


def confirm_receipt(assignment, user):
    """签收: the unit confirms the assignment is its own."""
    if not access.can_write(user, assignment) and not access.can_approve(user, assignment):
        raise PermissionDenied(_("只有本单位人员可以签收。"))
    with transaction.atomic():
        fresh = _locked_assignment(assignment)
        if fresh.receipt in (Assignment.Receipt.CONFIRMED, Assignment.Receipt.INSISTED):
            return fresh
        fresh.receipt, fresh.receipt_at, fresh.receipt_by = Assignment.Receipt.CONFIRMED, timezone.now(), user
        fresh.save(update_fields=["receipt", "receipt_at", "receipt_by"])
        _assignment_event(fresh, user, AssignmentEvent.Action.CONFIRM)
    return fresh


def contest(assignment, user, reason):
    """退回分工: the unit says the assignment is not its own, with a reason; the coordinator decides."""
    if not access.can_write(user, assignment) and not access.can_approve(user, assignment):
        raise PermissionDenied(_("只有本单位人员可以对分工提出异议。"))
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("请写明理由：为什么这项任务不是本单位的职责，应由哪个单位承担。"), code="note")
    with transaction.atomic():
        fresh = _locked_assignment(assignment)
        if fresh.receipt == Assignment.Receipt.INSISTED:
            raise WorkflowError(_("统筹人员已确认维持这项分工，如仍有异议请直接联系统筹人员。"))
        if fresh.reports.exclude(state=State.DRAFT).exists():
            raise WorkflowError(_("本单位已报送过这项任务的进展，不能再退回分工。"))
        fresh.receipt, fresh.receipt_at, fresh.receipt_by = Assignment.Receipt.CONTESTED, timezone.now(), user
        fresh.receipt_note = reason
        fresh.save(update_fields=["receipt", "receipt_at", "receipt_by", "receipt_note"])
        _assignment_event(fresh, user, AssignmentEvent.Action.CONTEST, reason)
        notify(
            coordinators(),
            _("分工异议：%(unit)s · 第%(number)s项")
            % {"unit": fresh.unit, "number": fresh.task.number},
            reason,
            fresh.task.get_absolute_url(),
        )
    return fresh


def insist(assignment, user, note=""):
    """维持分工: the coordinator keeps the assignment with the unit."""
    if not access.can_review(user):
        raise PermissionDenied(_("只有统筹人员可以处理分工异议。"))
    with transaction.atomic():
        fresh = _locked_assignment(assignment)
        if fresh.receipt != Assignment.Receipt.CONTESTED:
            raise WorkflowError(_("这项分工没有待处理的异议。"))
        fresh.receipt, fresh.receipt_at, fresh.receipt_by = Assignment.Receipt.INSISTED, timezone.now(), user
        fresh.save(update_fields=["receipt", "receipt_at", "receipt_by"])
        _assignment_event(fresh, user, AssignmentEvent.Action.INSIST, note.strip())
        notify(
            unit_users(fresh.unit_id),
            _("维持分工：第%(number)s项") % {"number": fresh.task.number},
            note.strip() or _("经研究，这项任务仍由本单位承担，请按要求推进并报送。"),
            fresh.task.get_absolute_url(),
        )
    return fresh


def reassign(assignment, user, unit, note=""):
    """改派: the assignment moves to another unit, which must sign for it."""
    if not access.can_review(user):
        raise PermissionDenied(_("只有统筹人员可以改派任务。"))
    with transaction.atomic():
        fresh = _locked_assignment(assignment)
        if unit.pk == fresh.unit_id:
            raise WorkflowError(_("请选择另一个单位。"))
        if Assignment.objects.filter(task=fresh.task, unit=unit).exists():
            raise WorkflowError(
                _("%(unit)s已经承担这项任务，不能重复分工。") % {"unit": unit.name}
            )
        if fresh.reports.exists():
            raise WorkflowError(_("原单位已填写过这项任务的报告，不能改派。如需调整请新增分工。"))
        old_unit = fresh.unit
        fresh.unit = unit
        fresh.receipt, fresh.receipt_at, fresh.receipt_by, fresh.receipt_note = (
            Assignment.Receipt.PENDING, None, None, ""
        )
        fresh.save(update_fields=["unit", "receipt", "receipt_at", "receipt_by", "receipt_note"])
        _assignment_event(
            fresh, user, AssignmentEvent.Action.REASSIGN, note.strip(),
            data={"from_unit": old_unit.name, "to_unit": unit.name},
        )
        notify(
            unit_users(unit.pk),
            _("新分工待签收：第%(number)s项") % {"number": fresh.task.number},
            _("统筹人员将这项任务改由本单位承担（原为%(unit)s），请签收。") % {"unit": old_unit.name},
            reverse("tasks:my_tasks"),
        )
        notify(
            unit_users(old_unit.pk),
            _("分工已调整：第%(number)s项") % {"number": fresh.task.number},
            _("这项任务已改由%(unit)s承担。") % {"unit": unit.name},
            fresh.task.get_absolute_url(),
        )
    return fresh


# --- deadline extensions ----------------------------------------------------------------------------------


def request_extension(assignment, user, new_deadline, reason):
    """延期申请: a reporter asks for a later completion deadline."""
    if not access.can_write(user, assignment):
        raise PermissionDenied(_("只有本单位的联络员可以申请延期。"))
    _check_plan_live(assignment.task.plan)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("请写明延期理由。"), code="note")
    with transaction.atomic():
        fresh = _locked_assignment(assignment)
        if fresh.deadline and new_deadline <= fresh.deadline:
            raise WorkflowError(
                _("申请的日期须晚于现在的完成时限（%(date)s）。") % {"date": fresh.deadline.isoformat()},
                code="date",
            )
        if fresh.extension_requests.filter(state=ExtensionRequest.State.PENDING).exists():
            raise WorkflowError(_("这项任务已有一份延期申请在等待审批，请等待结果。"))
        request = ExtensionRequest.objects.create(
            assignment=fresh, requested_by=user, reason=reason, old_deadline=fresh.deadline, new_deadline=new_deadline
        )
        _assignment_event(
            fresh, user, AssignmentEvent.Action.EXTENSION_REQUEST, reason,
            data={"from": _iso(fresh.deadline), "to": new_deadline.isoformat()},
        )
        notify(
            coordinators(),
            _("延期申请：%(unit)s · 第%(number)s项")
            % {"unit": fresh.unit, "number": fresh.task.number},
            _("申请延至%(date)s。理由：%(reason)s") % {"date": new_deadline.isoformat(), "reason": reason},
            reverse("tasks:extensions"),
        )
    return request


def decide_extension(request, user, grant, note=""):
    """The coordinator grants (the assignment's deadline moves) or refuses."""
    if not access.can_review(user):
        raise PermissionDenied(_("只有统筹人员可以审批延期申请。"))
    note = (note or "").strip()
    if not grant and not note:
        raise WorkflowError(_("不同意延期时请写明意见。"), code="note")
    with transaction.atomic():
        fresh = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
        if fresh.state != ExtensionRequest.State.PENDING:
            raise WorkflowError(_("这份延期申请已经处理过了。"))
        assignment = _locked_assignment(fresh.assignment)
        fresh.state = ExtensionRequest.State.GRANTED if grant else ExtensionRequest.State.REFUSED
        fresh.decided_by, fresh.decided_at, fresh.decision_note = user, timezone.now(), note
        fresh.save()
        action = AssignmentEvent.Action.EXTENSION_GRANT if grant else AssignmentEvent.Action.EXTENSION_REFUSE
        data = {"from": _iso(assignment.deadline), "to": fresh.new_deadline.isoformat()}
        if grant:
            assignment.deadline = fresh.new_deadline
            assignment.save(update_fields=["deadline"])
        _assignment_event(assignment, user, action, note, data=data)
        title = _("同意延期") if grant else _("不同意延期")
        notify(
            unit_users(assignment.unit_id),
            _("%(title)s：第%(number)s项") % {"title": title, "number": assignment.task.number},
            note or _("完成时限延至%(date)s。") % {"date": fresh.new_deadline.isoformat()},
            assignment.task.get_absolute_url(),
        )
    request.refresh_from_db()
    return request


def _iso(day):
    return day.isoformat() if day else ""


# --- periods ----------------------------------------------------------------------------------------------


def set_period_locked(period, user, locked):
    """Lock (no more edits or submissions) or unlock a reporting period."""
    if not access.can_review(user):
        raise PermissionDenied(_("只有统筹人员可以锁定或解锁报送期。"))
    was_locked = ReportingPeriod.objects.filter(pk=period.pk).values_list("locked", flat=True).first()
    updated = ReportingPeriod.objects.filter(pk=period.pk).update(locked=locked)
    period.locked = locked
    if updated and was_locked != locked:  # a bulk update sends no signal: the audit entry is written here
        field = ReportingPeriod._meta.get_field("locked")
        record("update", period, changes={"locked": [value_text(field, was_locked), value_text(field, locked)]}, user=user)
    return updated

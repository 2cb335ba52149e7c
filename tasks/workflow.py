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

import datetime
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import record
from audit.service import value_text
from notifications.service import notify
from units.models import Membership, Unit
from units.roles import COORDINATOR

from . import access
from .models import (
    Assignment,
    AssignmentEvent,
    ExtensionRequest,
    PlanEvent,
    ProgressReport,
    ReportAttachment,
    ReportEvent,
    ReportingPeriod,
    Task,
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


# --- what a user may do with a report now ------------------------------------------------------------------
#
# One rule: `allowed(user, report)` answers, for each action, whether this user may take it now and, if not,
# why. The workflow's guards raise its refusals; the report pages show its buttons and reasons; 我的任务's
# next step reads it. A new state or role is one edit here.

ACTIONS = ("edit", "request_approval", "approve", "approver_return", "submit", "withdraw", "accept", "return")

NOT_WRITER = gettext_lazy("只有本单位的联络员可以填写这份报告。")
NOT_WRITER_REQUEST = gettext_lazy("只有本单位的联络员可以送审。")
NOT_WRITER_SUBMIT = gettext_lazy("只有本单位的联络员可以报送这份报告。")
NOT_APPROVER = gettext_lazy("只有本单位的审核人可以审核这份报告。")
NOT_REVIEWER_ACCEPT = gettext_lazy("只有统筹人员可以审核报告。")
NOT_REVIEWER_RETURN = gettext_lazy("只有统筹人员可以退回报告。")
PLAN_NOT_LIVE = gettext_lazy("计划“%(plan)s”当前为“%(status)s”，不能报送进展。")
PERIOD_LOCKED = gettext_lazy("“%(period)s”报送期已锁定，不能再修改或报送。如确需修改，请联系统筹人员解锁。")
PERIOD_LOCKED_RETURN = gettext_lazy("“%(period)s”报送期已锁定，退回后单位也无法修改。请先解锁报送期再退回。")
NO_REPORT = gettext_lazy("这份报告还没有填写，请先填写并保存。")
TASK_COMPLETED = gettext_lazy("这项任务已办结，报告只能查阅。如需继续报送，请联系统筹人员重新办理。")
ASSIGNMENT_REMOVED = gettext_lazy("统筹人员已将本单位移出这项任务，报告只能查阅，不能再修改或报送。")
NOT_EDITABLE = gettext_lazy("这份报告已“%(state)s”，不能再修改。被退回后才能修改。")
APPROVAL_NOT_USED = gettext_lazy("本计划不需要单位审核，可直接报送。")
APPROVAL_NOT_USED_APPROVE = gettext_lazy("本计划不需要单位审核。")
REQUEST_NOT_EDITABLE = gettext_lazy("只有草稿或被退回的报告可以送审。")
APPROVE_NOT_EDITABLE = gettext_lazy("这份报告已“%(state)s”，不需要再审核。")
EMPTY_APPROVE = gettext_lazy("报告还没有填写工作开展情况，不能审核通过。")
ALREADY_APPROVED = gettext_lazy("这一版报告已经审核通过，等待联络员报送。")
WITH_LIAISON = gettext_lazy("这一版报告已退回联络员修改，联络员修改或重新送审后再审核。")
SUBMIT_NOT_EDITABLE = gettext_lazy("这份报告已“%(state)s”，不能重复报送。")
EMPTY_SUBMIT = gettext_lazy("请先填写“工作开展情况”再报送。")
APPROVAL_REQUIRED = gettext_lazy("本计划要求报告先经本单位审核人审核通过（修改后须重新审核），再报送。")
ACCEPT_NOT_SUBMITTED = gettext_lazy("只有“已报送”的报告可以审核通过，这份报告当前为“%(state)s”。")
RETURN_NEEDS_NOTE = gettext_lazy("退回时必须填写退回意见，告诉单位需要修改什么。")
RETURN_NOT_SUBMITTED = gettext_lazy("只有“已报送”的报告可以退回，这份报告当前为“%(state)s”。")
NOT_APPROVER_RETURN = gettext_lazy("只有本单位的审核人可以把报告退回联络员。")
APPROVER_RETURN_NOT_EDITABLE = gettext_lazy("这份报告已“%(state)s”，不在单位审核环节，不能退回联络员。")
APPROVER_RETURN_NEEDS_NOTE = gettext_lazy("退回联络员时必须填写意见，告诉联络员需要修改什么。")
NOT_WRITER_WITHDRAW = gettext_lazy("只有本单位的联络员可以撤回这份报告。")
WITHDRAW_NOT_SUBMITTED = gettext_lazy(
    "只有“已报送”且统筹人员尚未审核的报告可以撤回，这份报告当前为“%(state)s”。"
)
PERIOD_LOCKED_WITHDRAW = gettext_lazy("“%(period)s”报送期已锁定，撤回后也无法修改或重新报送。如确需修改，请联系统筹人员。")


class Refusal:
    """Why an action is refused. `code` picks the exception the workflow raises; a `late` refusal is checked
    after the form's version (a stale form is told so first)."""

    __slots__ = ("code", "message", "late")

    def __init__(self, code, message, late=False):
        self.code, self.message, self.late = code, str(message), late

    def __repr__(self):
        return f"Refusal({self.code!r}, {self.message!r})"

    def __str__(self):
        return self.message

    def error(self):
        if self.code == "permission":
            return PermissionDenied(self.message)
        if self.code == "locked":
            return PeriodLocked(self.message)
        if self.code == "approval":
            return ApprovalRequired(self.message)
        return WorkflowError(self.message, code=self.code)


class Allowed:
    """The answer of `allowed()`: `allowed["submit"]` is a bool (templates: `allowed.submit`, `allowed.return`);
    `refusal(action)` the `Refusal` or None, `reason(action)` its words ("" when allowed). Each action's checks
    run when first asked (a list row asks for one or two)."""

    def __init__(self, checks, needs_approval=False):
        self._checks = checks  # action -> function returning a Refusal or None
        self._refusals = {}
        self.needs_approval = needs_approval  # the unit approver has not approved this version (plan requires it)

    def refusal(self, action):
        if action not in ACTIONS:
            raise KeyError(action)
        if action not in self._refusals:
            self._refusals[action] = self._checks[action]()
        return self._refusals[action]

    def __getitem__(self, action):
        return self.refusal(action) is None

    def __repr__(self):
        return f"Allowed({', '.join(self.actions) or '-'})"

    @property
    def actions(self):
        """The actions allowed, in ACTIONS order."""
        return tuple(a for a in ACTIONS if self[a])

    @property
    def any(self):
        return bool(self.actions)

    def reason(self, action):
        refusal = self.refusal(action)
        return refusal.message if refusal else ""

    def hints(self):
        """The reasons a person who may act on this report cannot act now (not "you have no role here")."""
        seen = []
        for action in ACTIONS:
            refusal = self.refusal(action)
            if refusal and refusal.code in ("locked", "plan", "empty", "approval", "removed", "completed") and refusal.message not in seen:
                seen.append(refusal.message)
        return seen


def _first(*checks):
    """The first refusal among `(condition, refusal-maker)` pairs whose condition holds; a condition may be a
    function, called only when the checks before it passed."""
    for condition, make in checks:
        if condition() if callable(condition) else condition:
            return make()
    return None


def allowed(user, report, *, assignment=None, period=None):
    """What `user` may do with `report` now, and why not. For a report not yet written pass `report=None`
    with its `assignment` and `period` (a list may pass them for a report too, loaded once for many rows).
    Reads no rows: the assignment's task and plan and the period are loaded (`access.get_report_for_user` and
    the workflow's locked read do so)."""
    if assignment is None:
        assignment = report.assignment
    if period is None:
        period = report.period
    plan = assignment.task.plan
    writer = access.can_write(user, assignment)
    approver = access.can_approve(user, assignment)
    reviewer = access.can_review(user)
    # separation of duties: a coordinator who is also a member of the unit never reviews its report
    own_unit = reviewer and report is not None and access.is_own_unit_report(user, report)
    live = plan.status == WorkPlan.Status.ACTIVE
    removed = not assignment.is_active
    completed = assignment.task.completed_at is not None
    state = report.state if report is not None else None
    editable = report is None or report.is_editable_state
    approved = report is not None and report.is_approved
    with_liaison = report is not None and report.is_with_liaison

    def empty():
        return report is None or not report.has_body

    def plan_refusal():
        return Refusal("plan", PLAN_NOT_LIVE % {"plan": plan.title, "status": plan.get_status_display()})

    def locked():
        return Refusal("locked", PERIOD_LOCKED % {"period": period.name})

    def state_refusal(message):
        return lambda: Refusal("state", message % {"state": report.get_state_display()})

    no_report = (report is None, lambda: Refusal("state", NO_REPORT))
    checks = {
        "edit": lambda: _first(
            (not writer, lambda: Refusal("permission", NOT_WRITER)),
            (removed, lambda: Refusal("removed", ASSIGNMENT_REMOVED)),
            (completed, lambda: Refusal("completed", TASK_COMPLETED)),
            (not live, plan_refusal),
            (period.locked, locked),
            (not editable, state_refusal(NOT_EDITABLE)),
        ),
        "request_approval": lambda: _first(
            (not writer, lambda: Refusal("permission", NOT_WRITER_REQUEST)),
            (removed, lambda: Refusal("removed", ASSIGNMENT_REMOVED)),
            (completed, lambda: Refusal("completed", TASK_COMPLETED)),
            (not plan.unit_approval, lambda: Refusal("state", APPROVAL_NOT_USED)),
            (not live, plan_refusal),
            (period.locked, locked),
            no_report,
            (not editable, lambda: Refusal("state", REQUEST_NOT_EDITABLE)),
        ),
        "approve": lambda: _first(
            (not approver, lambda: Refusal("permission", NOT_APPROVER)),
            (removed, lambda: Refusal("removed", ASSIGNMENT_REMOVED)),
            (completed, lambda: Refusal("completed", TASK_COMPLETED)),
            (not plan.unit_approval, lambda: Refusal("state", APPROVAL_NOT_USED_APPROVE)),
            (not live, plan_refusal),
            (period.locked, locked),
            no_report,
            (not editable, state_refusal(APPROVE_NOT_EDITABLE)),
            (empty, lambda: Refusal("empty", EMPTY_APPROVE, late=True)),
            (approved, lambda: Refusal("state", ALREADY_APPROVED, late=True)),
            (with_liaison, lambda: Refusal("state", WITH_LIAISON, late=True)),
        ),
        "approver_return": lambda: _first(
            (not approver, lambda: Refusal("permission", NOT_APPROVER_RETURN)),
            (not plan.unit_approval, lambda: Refusal("state", APPROVAL_NOT_USED_APPROVE)),
            (not live, plan_refusal),
            (period.locked, locked),
            no_report,
            (not editable, state_refusal(APPROVER_RETURN_NOT_EDITABLE)),
            (with_liaison, lambda: Refusal("state", WITH_LIAISON, late=True)),
        ),
        "withdraw": lambda: _first(
            (not writer, lambda: Refusal("permission", NOT_WRITER_WITHDRAW)),
            (not live, plan_refusal),
            no_report,
            (state != State.SUBMITTED, state_refusal(WITHDRAW_NOT_SUBMITTED)),
            (period.locked, lambda: Refusal("locked", PERIOD_LOCKED_WITHDRAW % {"period": period.name}, late=True)),
        ),
        "submit": lambda: _first(
            (not writer, lambda: Refusal("permission", NOT_WRITER_SUBMIT)),
            (removed, lambda: Refusal("removed", ASSIGNMENT_REMOVED)),
            (completed, lambda: Refusal("completed", TASK_COMPLETED)),
            (not live, plan_refusal),
            (period.locked, locked),
            no_report,
            (not editable, state_refusal(SUBMIT_NOT_EDITABLE)),
            (empty, lambda: Refusal("empty", EMPTY_SUBMIT, late=True)),
            (plan.unit_approval and not approved, lambda: Refusal("approval", APPROVAL_REQUIRED, late=True)),
        ),
        "accept": lambda: _first(
            (not reviewer, lambda: Refusal("permission", NOT_REVIEWER_ACCEPT)),
            no_report,
            (own_unit, lambda: Refusal("permission", access.own_unit_review_message(report))),
            (state != State.SUBMITTED, state_refusal(ACCEPT_NOT_SUBMITTED)),
        ),
        "return": lambda: _first(
            (not reviewer, lambda: Refusal("permission", NOT_REVIEWER_RETURN)),
            no_report,
            (own_unit, lambda: Refusal("permission", access.own_unit_review_message(report))),
            (state != State.SUBMITTED, state_refusal(RETURN_NOT_SUBMITTED)),
            (period.locked, lambda: Refusal("locked", PERIOD_LOCKED_RETURN % {"period": period.name}, late=True)),
        ),
    }
    return Allowed(checks, needs_approval=plan.unit_approval and not approved)


def _guard(user, report, action, expected_version=None):
    """Raise the refusal of `allowed()` for `action`, the form's version checked between early and late ones."""
    refusal = allowed(user, report).refusal(action)
    if refusal is not None and not refusal.late:
        raise refusal.error()
    _check_version(report, expected_version)
    if refusal is not None:
        raise refusal.error()


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


def _check_plan_live(plan):
    if plan.status != WorkPlan.Status.ACTIVE:
        raise WorkflowError(
            PLAN_NOT_LIVE % {"plan": plan.title, "status": plan.get_status_display()},
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


def _bump_version(report):
    """A new version without a new text (submit, accept): an approval of the text moves with it, since the
    approver approved what the coordinator now reads."""
    carried = report.is_approved
    report.version += 1
    if carried:
        report.approved_version = report.version


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
    refusal = allowed(user, None, assignment=assignment, period=period).refusal("edit")
    if refusal is not None and refusal.code == "permission":
        raise refusal.error()
    if period.plan_id != assignment.task.plan_id:
        raise WorkflowError(_("报送期不属于这项任务所在的计划。"))
    if refusal is not None:
        raise refusal.error()
    values = {field: data.get(field, "") for field in TEXT_FIELDS}
    values["progress"] = values["progress"] or ProgressReport.Progress.NOT_STARTED
    try:
        with transaction.atomic():
            report = (
                ProgressReport.objects.select_for_update(of=("self",)).filter(assignment=assignment, period=period).first()
            )
            if report is None:
                if version not in (None, "", 0, "0"):
                    raise WorkflowError(_("这份报告已不存在，请刷新页面。"))
                report = ProgressReport.objects.create(assignment=assignment, period=period, **values)
                _event(report, user, Action.CREATE, "", report.state, changes=values)
            else:
                report.assignment, report.period = assignment, period
                _guard(user, report, "edit", version if version not in (None, "") else 0)
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
        _guard(user, fresh, "request_approval")
        if fresh.approver_returned_version is not None:  # sent again as it is: the approver decides anew
            fresh.approver_returned_version = None
            fresh.save(update_fields=["approver_returned_version", "updated_at"])
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
        _guard(user, fresh, "approve", expected_version)
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
        _guard(user, fresh, "submit", expected_version)
        before = fresh.state
        fresh.state = State.SUBMITTED
        fresh.submitted_at, fresh.submitted_by = timezone.now(), user
        # A new round: the review fields describe the review that decides it (an earlier return's note is
        # history, in the RETURN event).
        fresh.reviewed_at, fresh.reviewed_by, fresh.review_note = None, None, ""
        _bump_version(fresh)
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
        raise PermissionDenied(NOT_REVIEWER_ACCEPT)
    with transaction.atomic():
        fresh = _locked_report(report)
        _guard(user, fresh, "accept", expected_version)
        fresh.state = State.ACCEPTED
        fresh.reviewed_at, fresh.reviewed_by, fresh.review_note = timezone.now(), user, note.strip()
        _bump_version(fresh)
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
        raise PermissionDenied(NOT_REVIEWER_RETURN)
    note = (note or "").strip()
    if not note:
        raise WorkflowError(RETURN_NEEDS_NOTE, code="note")
    with transaction.atomic():
        fresh = _locked_report(report)
        _guard(user, fresh, "return", expected_version)
        fresh.state = State.RETURNED
        fresh.reviewed_at, fresh.reviewed_by, fresh.review_note = timezone.now(), user, note
        fresh.version += 1
        # The unit approver's approval was for the round the coordinator sent back: the next round needs its own.
        fresh.approved_at, fresh.approved_by, fresh.approved_version = None, None, None
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


def approver_return(report, user, note, expected_version=None):
    """退回联络员: with unit approval on, the unit approver sends the report back to the unit's reporters with a
    required note. The state stays (a draft stays a draft, a report the coordinator returned stays returned:
    the state names where the report is with the coordinator); an approval given earlier ends (the reporter
    edits, the approver approves again); the version moves on and is marked `approver_returned_version`: the
    approver may not approve it (nor return it again) until the liaison edits it (a new version) or asks for
    approval again (送审 clears the mark); the note is in the APPROVER_RETURN event."""
    note = (note or "").strip()
    with transaction.atomic():
        fresh = _locked_report(report)
        refusal = allowed(user, fresh).refusal("approver_return")
        if refusal is not None and refusal.code == "permission":
            raise refusal.error()
        if not note:
            raise WorkflowError(APPROVER_RETURN_NEEDS_NOTE, code="note")
        _guard(user, fresh, "approver_return", expected_version)
        fresh.approved_at, fresh.approved_by, fresh.approved_version = None, None, None
        fresh.version += 1
        fresh.approver_returned_version = fresh.version  # with the liaison until edited or sent again
        fresh.save()
        _event(fresh, user, Action.APPROVER_RETURN, fresh.state, fresh.state, comment=note)
        notify(
            unit_users(fresh.assignment.unit_id),
            _("单位审核退回：%(what)s") % {"what": _describe(fresh)},
            _("审核人%(user)s退回了报告，请修改后再送审。意见：%(note)s") % {"user": user, "note": note},
            fresh.get_absolute_url(),
        )
    _refresh(report, fresh)
    return report


def withdraw(report, user, expected_version=None):
    """撤回: the unit's reporter takes back a report sent by mistake, while the coordinator has not decided on it
    (still "submitted"). It becomes a draft again with its text kept, the version moves on, the submission
    fields are cleared (the WITHDRAW event and the SUBMIT before it keep the history), and the coordinators are
    told. With unit approval on, the withdrawn report needs the approver's approval again: the reporter
    withdraws because something in it is wrong, and the approver must see what is sent next (its approvers
    are told too)."""
    with transaction.atomic():
        fresh = _locked_report(report)
        _guard(user, fresh, "withdraw", expected_version)
        fresh.state = State.DRAFT
        fresh.submitted_at, fresh.submitted_by = None, None
        fresh.approved_at, fresh.approved_by, fresh.approved_version = None, None, None
        fresh.version += 1
        fresh.save()
        _event(fresh, user, Action.WITHDRAW, State.SUBMITTED, fresh.state)
        notify(
            coordinators(),
            _("报告已撤回：%(what)s") % {"what": _describe(fresh)},
            _("%(user)s撤回了已报送的进展报告，修改后会重新报送，暂不需要审核。") % {"user": user},
            fresh.get_absolute_url(),
        )
        if fresh.assignment.task.plan.unit_approval:
            notify(
                unit_users(fresh.assignment.unit_id, Membership.Role.APPROVER),
                _("报告已撤回：%(what)s") % {"what": _describe(fresh)},
                _("联络员%(user)s撤回了已报送的报告，重新报送前需要您再次审核。") % {"user": user},
                fresh.get_absolute_url(),
            )
    _refresh(report, fresh)
    return report


def accept_many(reports, user):
    """Accept several at once. Returns (accepted, refused) where refused is a list of (report, message)."""
    if not access.can_review(user):
        raise PermissionDenied(NOT_REVIEWER_ACCEPT)
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


# --- urging: one message per person and unit ------------------------------------------------------------------

URGE_REPLY_BY_MAX_DAYS = 90  # a reply-by date further off than this is no urging (and most likely a typo)


class UrgeRepeat(WorkflowError):
    """The unit was urged for this period within `settings.URGE_REPEAT_HOURS`: the coordinator confirms first.
    `last` is the latest urge (an AssignmentEvent), `hours` how many hours ago it was."""

    code = "repeat"

    def __init__(self, message, last, hours):
        super().__init__(message)
        self.last, self.hours = last, hours


class UrgeResult:
    """What an urge did: `assignments` covered, `people` notified, the shared `batch` key of its events."""

    __slots__ = ("assignments", "people", "batch")

    def __init__(self, assignments, people, batch):
        self.assignments, self.people, self.batch = assignments, people, batch


def check_reply_by(reply_by, today=None):
    """A reply-by date (答复期限) is today or later, and at most URGE_REPLY_BY_MAX_DAYS days ahead."""
    if reply_by is None:
        return None
    today = today or timezone.localdate()
    if reply_by < today:
        raise WorkflowError(_("答复期限不能早于今天，请重新选择日期。"), code="reply_by")
    if (reply_by - today).days > URGE_REPLY_BY_MAX_DAYS:
        raise WorkflowError(
            _("答复期限不能晚于今天起 %(days)s 天，请选择更近的日期。") % {"days": URGE_REPLY_BY_MAX_DAYS},
            code="reply_by",
        )
    return reply_by


def unreported(period):
    """The assignments of the period's plan with no submitted or accepted report in the period."""
    reported = ProgressReport.objects.filter(period=period, state__in=(State.SUBMITTED, State.ACCEPTED))
    return (
        Assignment.objects.active()
        .filter(task__plan_id=period.plan_id, task__completed_at__isnull=True)
        .exclude(pk__in=reported.values("assignment_id"))
    )


def recent_urge(unit, period, action=AssignmentEvent.Action.URGE, now=None, plan=None):
    """The latest urge (`action`) of the unit for the period (催签收: for the `plan`, without a period) within
    settings.URGE_REPEAT_HOURS, or None."""
    now = now or timezone.now()
    since = now - datetime.timedelta(hours=settings.URGE_REPEAT_HOURS)
    events = AssignmentEvent.objects.filter(action=action, assignment__unit_id=unit.pk, at__gte=since)
    events = events.filter(period=period) if period is not None else events.filter(period__isnull=True)
    if plan is not None:
        events = events.filter(assignment__task__plan_id=plan.pk)
    return events.select_related("actor").order_by("-at", "-pk").first()


def repeat_refusal(last, now, what):
    """The UrgeRepeat for an urge `last` (an AssignmentEvent) `what` (催办 / 催签收): "X小时前已催办过该单位，
    确定再次催办？" — the view shows its words before anything is sent."""
    hours = max(int((now - last.at).total_seconds() // 3600), 0)
    ago = _("%(hours)s小时前") % {"hours": hours} if hours else _("不到1小时前")
    return UrgeRepeat(
        _("%(ago)s已%(what)s过该单位，确定再次%(what)s？") % {"ago": ago, "what": what}, last, hours
    )


def _record_urge(assignments, user, action, note, reply_by, period=None):
    """One AssignmentEvent (`action`: URGE or URGE_RECEIPT) per assignment urged, in one insert, all sharing
    data {"batch", "reply_by"}; returns the batch key."""
    batch = uuid.uuid4().hex
    data = {"batch": batch, "reply_by": reply_by.isoformat() if reply_by else ""}
    AssignmentEvent.objects.bulk_create(
        AssignmentEvent(assignment=a, actor=user, action=action, comment=note, period=period, data=data)
        for a in assignments
    )
    return batch


def _task_lines(assignments):
    return "\n".join(
        _("第%(number)s项 %(title)s") % {"number": a.task.number, "title": a.task.title} for a in assignments
    )


def _my_tasks_link(plan_id, period=None):
    url = f"{reverse('tasks:my_tasks')}?plan={plan_id}"
    return f"{url}&period={period.pk}" if period is not None else url


def urge_unit(unit, period, user, note="", reply_by=None, assignments=None, confirm=False):
    """催办 a unit for a period: each of its reporters gets ONE message listing the tasks covered (number and
    title), with the coordinator's note and an optional reply-by date; one AssignmentEvent(URGE, period) is
    written per assignment, all sharing `data = {"batch": <uuid>, "reply_by": <iso or "">}`.

    `assignments`: the ones to urge (restricted to the unit and the period's plan); default: all the unit's
    assignments not yet reported in the period. Urging the unit again for the same period within
    settings.URGE_REPEAT_HOURS raises `UrgeRepeat` unless `confirm`. Returns an `UrgeResult`."""
    if not access.can_review(user):
        raise PermissionDenied(_("只有统筹人员可以催办。"))
    plan = period.plan if period is not None else None
    note = (note or "").strip()
    reply_by = check_reply_by(reply_by)
    with transaction.atomic():
        # one urge of a unit at a time: two coordinators clicking at once do not both send
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        if assignments is None:
            chosen = unreported(period).filter(unit_id=unit.pk)
        else:
            chosen = Assignment.objects.filter(pk__in=[a.pk for a in assignments], unit_id=unit.pk)
            if period is not None:
                chosen = chosen.filter(task__plan_id=period.plan_id)
        chosen = list(chosen.select_related("task", "task__plan").order_by("task__number", "pk"))
        if plan is None and chosen:
            plan = chosen[0].task.plan
        if plan is not None:
            _check_plan_live(plan)
        if not chosen:
            raise WorkflowError(_("该单位没有需要催办的任务：它们已经报送了。"), code="nothing")
        now = timezone.now()
        last = recent_urge(unit, period, now=now)
        if last is not None and not confirm:
            raise repeat_refusal(last, now, _("催办"))
        batch = _record_urge(chosen, user, AssignmentEvent.Action.URGE, note, reply_by, period)
        lines = [note or _("请尽快报送本单位的工作进展。")]
        if reply_by:
            lines.append(_("请于%(date)s前报送。") % {"date": reply_by.isoformat()})
        if len(chosen) == 1:
            task = chosen[0].task
            what = _("第%(number)s项“%(title)s”") % {"number": task.number, "title": task.title}
            if period is not None:
                what = f"{what} · {period.name}"
            title, url = _("【催办】%(what)s") % {"what": what}, task.get_absolute_url()
        else:
            title = _("【催办】%(period)s：%(count)s项任务尚未报送") % {
                "period": period.name if period is not None else plan.title, "count": len(chosen)
            }
            lines.append(_("尚未报送的任务：") + "\n" + _task_lines(chosen))
            url = _my_tasks_link(plan.pk, period)
        people = notify(unit_users(unit.pk), title, "\n".join(lines), url)
    return UrgeResult(len(chosen), people, batch)


def urge(assignment, user, note="", period=None):
    """催办 one assignment (the contract's call): `urge_unit` with that one assignment, confirmed (a caller of
    this function has decided). Returns how many people were notified."""
    return urge_unit(assignment.unit, period, user, note, assignments=[assignment], confirm=True).people


def unsigned(plan):
    """The plan's assignments in force not yet signed for (签收) by their unit."""
    return Assignment.objects.active().filter(task__plan_id=plan.pk, receipt=Assignment.Receipt.PENDING)


def urge_receipt(unit, plan, user, note="", reply_by=None, confirm=False):
    """催签收: each of the unit's reporters and approvers (both may sign) gets ONE message listing the plan's
    tasks the unit has not signed for, with the note and an optional reply-by date; one
    AssignmentEvent(URGE_RECEIPT) per assignment, sharing data {"batch", "reply_by"}. A repeat for the unit and
    plan within settings.URGE_REPEAT_HOURS raises UrgeRepeat unless `confirm`. Returns an UrgeResult."""
    if not access.can_review(user):
        raise PermissionDenied(_("只有统筹人员可以催签收。"))
    _check_plan_live(plan)
    note = (note or "").strip()
    reply_by = check_reply_by(reply_by)
    action = AssignmentEvent.Action.URGE_RECEIPT
    with transaction.atomic():
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        chosen = list(unsigned(plan).filter(unit_id=unit.pk).select_related("task").order_by("task__number", "pk"))
        if not chosen:
            raise WorkflowError(_("该单位的分工已全部签收，不需要催签收。"), code="nothing")
        now = timezone.now()
        last = recent_urge(unit, None, action, now=now, plan=plan)
        if last is not None and not confirm:
            raise repeat_refusal(last, now, _("催签收"))
        batch = _record_urge(chosen, user, action, note, reply_by)
        lines = [note or _("请登录系统，在“我的任务”中签收本单位承担的任务；如有异议请说明理由。")]
        if reply_by:
            lines.append(_("请于%(date)s前签收。") % {"date": reply_by.isoformat()})
        lines.append(_("尚未签收的任务：") + "\n" + _task_lines(chosen))
        people = notify(
            [*unit_users(unit.pk), *unit_users(unit.pk, Membership.Role.APPROVER)],
            _("【催签收】%(plan)s：%(count)s项任务尚未签收") % {"plan": plan.title, "count": len(chosen)},
            "\n".join(lines),
            _my_tasks_link(plan.pk),
        )
    return UrgeResult(len(chosen), people, batch)


def confirm_receipt(assignment, user):
    """签收: the unit confirms the assignment is its own."""
    if not access.can_write(user, assignment) and not access.can_approve(user, assignment):
        raise PermissionDenied(_("只有本单位人员可以签收。"))
    with transaction.atomic():
        fresh = _locked_assignment(assignment)
        _check_active(fresh)
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
        _check_active(fresh)
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
        _check_active(fresh)
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
        _check_active(fresh)
        if unit.pk == fresh.unit_id:
            raise WorkflowError(_("请选择另一个单位。"))
        if Assignment.objects.filter(task=fresh.task, unit=unit, is_active=False).exists():
            raise WorkflowError(
                _("%(unit)s曾被移出这项任务。如需由它承担，请在任务页“增加单位”中重新加入，再移出原单位。")
                % {"unit": unit.name}
            )
        if Assignment.objects.filter(task=fresh.task, unit=unit).exists():
            raise WorkflowError(
                _("%(unit)s已经承担这项任务，不能重复分工。") % {"unit": unit.name}
            )
        if fresh.reports.exists():
            raise WorkflowError(_("原单位已填写过这项任务的报告，不能改派。如需调整请新增分工。"))
        old_unit = fresh.unit
        fresh.unit = unit
        _unsigned(fresh)
        fresh.save(update_fields=["unit", *RECEIPT_FIELDS])
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
        _check_active(fresh)
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


# --- closing a plan -------------------------------------------------------------------------------------------


def close_plan(plan, user, closed_on=None):
    """结束计划: an active plan becomes closed (已结束) on `closed_on` (default: today, never later than today);
    from then on its lights, counts and days late are judged as of that day (`WorkPlan.as_of`)."""
    if not access.can_manage_plans(user):
        raise PermissionDenied(_("只有统筹人员可以结束工作计划。"))
    today = timezone.localdate()
    closed_on = closed_on or today
    if closed_on > today:
        raise WorkflowError(_("结束日期不能晚于今天。"))
    if closed_on.year < plan.year:
        raise WorkflowError(_("结束日期不能早于计划年度（%(year)s年）。") % {"year": plan.year})
    with transaction.atomic():
        fresh = WorkPlan.objects.select_for_update().get(pk=plan.pk)
        if fresh.status != WorkPlan.Status.ACTIVE:
            raise WorkflowError(
                _("只有执行中的计划可以结束，该计划当前为“%(status)s”。") % {"status": fresh.get_status_display()}
            )
        fresh.status, fresh.closed_on, fresh.closed_by = WorkPlan.Status.CLOSED, closed_on, user
        fresh.save(update_fields=["status", "closed_on", "closed_by"])  # the audit log records the change
        PlanEvent.objects.create(plan=fresh, actor=user, action=PlanEvent.Action.CLOSE, closed_on=closed_on)
    plan.status, plan.closed_on, plan.closed_by = fresh.status, fresh.closed_on, fresh.closed_by
    return plan


def reopen_plan(plan, user, reason):
    """重新开启: a closed plan is carried out again (执行中) and judged as of today; a reason is required."""
    if not access.can_manage_plans(user):
        raise PermissionDenied(_("只有统筹人员可以重新开启工作计划。"))
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("请填写重新开启的理由。"), code="reason")
    with transaction.atomic():
        fresh = WorkPlan.objects.select_for_update().get(pk=plan.pk)
        if fresh.status != WorkPlan.Status.CLOSED:
            raise WorkflowError(_("只有已结束的计划可以重新开启。"))
        closed_on = fresh.closed_on
        fresh.status, fresh.closed_on, fresh.closed_by = WorkPlan.Status.ACTIVE, None, None
        fresh.save(update_fields=["status", "closed_on", "closed_by"])
        PlanEvent.objects.create(
            plan=fresh, actor=user, action=PlanEvent.Action.REOPEN, closed_on=closed_on, reason=reason
        )
    plan.status, plan.closed_on, plan.closed_by = fresh.status, None, None
    return plan


# --- assignment control (the coordinator changes who carries a task, and until when) ----------------------
#
# A unit taken off a task is never deleted: its assignment is deactivated (`is_active=False`, with who, when and
# why), so its events and reports stay in the task's history, and it leaves every to-do list, count, dashboard
# and export of current work (`Assignment.objects.active()`). Adding the unit again reactivates that row.

NOT_MANAGER = gettext_lazy("只有统筹人员可以调整任务分工。")


def _require_manager(user, message=NOT_MANAGER):
    if not access.can_manage_plans(user):
        raise PermissionDenied(message)


def _check_plan_open(plan):
    """Assignments, deadlines and periods change while the plan is a draft or being carried out."""
    if plan.status == WorkPlan.Status.CLOSED:
        raise WorkflowError(
            _("计划“%(plan)s”已结束，不能再调整。如确需调整，请先重新开启计划。") % {"plan": plan.title}, code="plan"
        )


def _check_active(assignment):
    if not assignment.is_active:
        raise WorkflowError(
            _("%(unit)s已被移出这项任务。如需恢复，请在任务页“增加单位”中重新加入。") % {"unit": assignment.unit.name}
        )


RECEIPT_FIELDS = ["receipt", "receipt_at", "receipt_by", "receipt_note"]


def _unsigned(assignment):
    """The assignment waits for its unit to sign (签收) again: after a reassignment, a role change or a return
    to the task. Saved by the caller (RECEIPT_FIELDS)."""
    assignment.receipt, assignment.receipt_at, assignment.receipt_by, assignment.receipt_note = (
        Assignment.Receipt.PENDING, None, None, ""
    )


def _next_order(task, role):
    last = Assignment.objects.filter(task=task, role=role).aggregate(last=Max("order"))["last"]
    return 0 if last is None else last + 1


def _unit_name(unit):
    return unit.short_name or unit.name


def change_role(assignment, user, role, note=""):
    """调整分工: a lead unit becomes a responsible unit or the reverse (it goes last in its new role). An
    objection to the assignment is settled by it: the unit signs again for its new role."""
    _require_manager(user)
    if role not in Assignment.Role.values:
        raise WorkflowError(_("请选择“牵头”或“责任”。"), code="role")
    with transaction.atomic():
        fresh = _locked_assignment(assignment)
        _check_plan_open(fresh.task.plan)
        _check_active(fresh)
        if fresh.role == role:
            raise WorkflowError(
                _("%(unit)s已经是这项任务的%(role)s单位。") % {"unit": fresh.unit.name, "role": fresh.get_role_display()}
            )
        old, old_role = fresh.get_role_display(), fresh.role
        fresh.role, fresh.order = role, _next_order(fresh.task, role)
        _unsigned(fresh)
        fresh.save(update_fields=["role", "order", *RECEIPT_FIELDS])
        new = fresh.get_role_display()
        _assignment_event(
            fresh, user, AssignmentEvent.Action.CHANGE_ROLE, note.strip(), data={"from": old_role, "to": role}
        )
        notify(
            unit_users(fresh.unit_id),
            _("分工已调整：第%(number)s项") % {"number": fresh.task.number},
            (note.strip() + "\n" if note.strip() else "")
            + _("统筹人员将本单位在这项任务中的分工由“%(old)s”调整为“%(new)s”，请重新签收。") % {"old": old, "new": new},
            fresh.task.get_absolute_url(),
        )
    assignment.role, assignment.order, assignment.receipt = fresh.role, fresh.order, fresh.receipt
    return fresh


def add_assignment(task, user, unit, role, deadline=None, note=""):
    """增加单位: the unit joins the task in `role` (last in that role), its deadline the task's unless given, and
    is asked to sign. A unit already on the task is refused; one taken off it before is reactivated."""
    _require_manager(user)
    if role not in Assignment.Role.values:
        raise WorkflowError(_("请选择“牵头”或“责任”。"), code="role")
    if not unit.is_active:
        raise WorkflowError(_("%(unit)s已停用，不能分配任务。") % {"unit": unit.name}, code="unit")
    note = (note or "").strip()
    with transaction.atomic():
        fresh_task = Task.objects.select_for_update().select_related("plan").get(pk=task.pk)
        _check_plan_open(fresh_task.plan)
        existing = Assignment.objects.select_for_update().filter(task=fresh_task, unit=unit).first()
        if existing is not None and existing.is_active:
            raise WorkflowError(
                _("%(unit)s已经是这项任务的%(role)s单位，不能重复增加。如需改为牵头或责任，请在单位一行点“调整分工”。")
                % {"unit": unit.name, "role": existing.get_role_display()},
                code="unit",
            )
        deadline = deadline or fresh_task.deadline
        if existing is not None:
            assignment = existing
            assignment.is_active = True
            assignment.deactivated_at, assignment.deactivated_by, assignment.deactivation_reason = None, None, ""
            assignment.role, assignment.order, assignment.deadline = role, _next_order(fresh_task, role), deadline
            _unsigned(assignment)
            assignment.save()
            action = AssignmentEvent.Action.REACTIVATE
        else:
            assignment = Assignment.objects.create(
                task=fresh_task, unit=unit, role=role, deadline=deadline, order=_next_order(fresh_task, role)
            )
            action = AssignmentEvent.Action.ADD
        _assignment_event(assignment, user, action, note, data={"role": role, "deadline": _iso(deadline)})
        if fresh_task.plan.status == WorkPlan.Status.ACTIVE:
            notify(
                unit_users(unit.pk),
                _("新分工待签收：第%(number)s项") % {"number": fresh_task.number},
                (note + "\n" if note else "")
                + _("统筹人员将本单位增加为这项任务的%(role)s单位，完成时限%(date)s，请签收。")
                % {"role": assignment.get_role_display(), "date": _iso(deadline) or _("未定")},
                f"{reverse('tasks:my_tasks')}?plan={fresh_task.plan_id}",
            )
    return assignment


def remove_assignment(assignment, user, reason):
    """移出任务: the unit leaves the task. The assignment is deactivated, never deleted (its events and any
    reports stay in the task's history). Refused while one of its reports awaits review: decide it first."""
    _require_manager(user)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("请写明移出的理由，单位会收到这一说明。"), code="note")
    with transaction.atomic():
        fresh = _locked_assignment(assignment)
        _check_plan_open(fresh.task.plan)
        _check_active(fresh)
        if fresh.reports.filter(state=State.SUBMITTED).exists():
            raise WorkflowError(
                _("%(unit)s有一份报告正在等待审核，请先审核通过或退回，再移出这个单位。") % {"unit": fresh.unit.name}
            )
        fresh.is_active = False
        fresh.deactivated_at, fresh.deactivated_by, fresh.deactivation_reason = timezone.now(), user, reason
        fresh.save(update_fields=["is_active", "deactivated_at", "deactivated_by", "deactivation_reason"])
        ExtensionRequest.objects.filter(assignment=fresh, state=ExtensionRequest.State.PENDING).update(
            state=ExtensionRequest.State.REFUSED, decided_by=user, decided_at=timezone.now(),
            decision_note=_("单位已被移出这项任务。"),
        )
        _assignment_event(fresh, user, AssignmentEvent.Action.REMOVE, reason, data={"role": fresh.role})
        notify(
            unit_users(fresh.unit_id),
            _("已移出任务：第%(number)s项") % {"number": fresh.task.number},
            _("统筹人员已将本单位移出这项任务，不需要再报送。理由：%(reason)s") % {"reason": reason},
            fresh.task.get_absolute_url(),
        )
    assignment.is_active = False
    return fresh


def _deadline_change(deadline, reason):
    """A deadline change names the new date and says why; returns the reason stripped."""
    if deadline is None:
        raise WorkflowError(_("请填写新的完成时限（例如 2022-12-31）。"), code="date")
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("请写明调整完成时限的理由。"), code="note")
    return reason


def set_task_deadline(task, user, deadline, reason):
    """调整任务的完成时限: the task's deadline moves, and with it each assignment's that equalled the old one
    (an assignment given its own deadline — an extension — keeps it). The units moved are notified."""
    _require_manager(user)
    reason = _deadline_change(deadline, reason)
    with transaction.atomic():
        fresh = Task.objects.select_for_update().select_related("plan").get(pk=task.pk)
        _check_plan_open(fresh.plan)
        old = fresh.deadline
        if old == deadline:
            raise WorkflowError(_("新的完成时限与现在相同（%(date)s）。") % {"date": _iso(old)}, code="date")
        fresh.deadline = deadline
        fresh.save(update_fields=["deadline"])
        same = {"deadline": old} if old else {"deadline__isnull": True}
        moved = list(Assignment.objects.select_for_update(of=("self",)).active().filter(task=fresh, **same))
        for assignment in moved:
            assignment.deadline = deadline
        Assignment.objects.bulk_update(moved, ["deadline"])
        AssignmentEvent.objects.bulk_create(
            AssignmentEvent(
                assignment=assignment, actor=user, action=AssignmentEvent.Action.DEADLINE, comment=reason,
                data={"from": _iso(old), "to": _iso(deadline)},
            )
            for assignment in moved
        )
        PlanEvent.objects.create(
            plan=fresh.plan, task=fresh, actor=user, action=PlanEvent.Action.TASK_DEADLINE, reason=reason,
            data={"from": _iso(old), "to": _iso(deadline), "assignments": len(moved)},
        )
        for assignment in moved:
            notify(
                unit_users(assignment.unit_id),
                _("完成时限调整：第%(number)s项") % {"number": fresh.number},
                _("完成时限由%(old)s调整为%(new)s。理由：%(reason)s")
                % {"old": _iso(old) or _("未定"), "new": _iso(deadline), "reason": reason},
                fresh.get_absolute_url(),
            )
    task.deadline = deadline
    return moved


def set_assignment_deadline(assignment, user, deadline, reason):
    """调整一个单位的完成时限, with a reason; the unit is notified."""
    _require_manager(user)
    reason = _deadline_change(deadline, reason)
    with transaction.atomic():
        fresh = _locked_assignment(assignment)
        _check_plan_open(fresh.task.plan)
        _check_active(fresh)
        old = fresh.deadline
        if old == deadline:
            raise WorkflowError(_("新的完成时限与现在相同（%(date)s）。") % {"date": _iso(old)}, code="date")
        fresh.deadline = deadline
        fresh.save(update_fields=["deadline"])
        _assignment_event(
            fresh, user, AssignmentEvent.Action.DEADLINE, reason, data={"from": _iso(old), "to": _iso(deadline)}
        )
        notify(
            unit_users(fresh.unit_id),
            _("完成时限调整：第%(number)s项") % {"number": fresh.task.number},
            _("本单位的完成时限由%(old)s调整为%(new)s。理由：%(reason)s")
            % {"old": _iso(old) or _("未定"), "new": _iso(deadline), "reason": reason},
            fresh.task.get_absolute_url(),
        )
    assignment.deadline = deadline
    return fresh


def _plan_reporters(plan):
    """The reporters of the units with assignments in force in the plan."""
    return get_user_model().objects.filter(
        memberships__unit__assignments__task__plan=plan,
        memberships__unit__assignments__is_active=True,
        memberships__role=Membership.Role.REPORTER,
        is_active=True,
    ).distinct()


def update_period(period, user, *, name, starts_on, ends_on, due_on):
    """修改报送期 (name and dates), with clear refusals; the units are told when its due date moves."""
    _require_manager(user, _("只有统筹人员可以修改报送期。"))
    name = (name or "").strip()
    problems = []
    if not name:
        problems.append(_("请填写报送期名称，例如“第一季度”。"))
    if not (starts_on and ends_on and due_on):
        problems.append(_("请填写开始日期、结束日期和报送截止日期。"))
    else:
        if ends_on < starts_on:
            problems.append(_("结束日期不能早于开始日期。"))
        if due_on < starts_on:
            problems.append(_("报送截止日期不能早于开始日期。"))
    if problems:
        raise WorkflowError("".join(problems), code="period")
    with transaction.atomic():
        fresh = ReportingPeriod.objects.select_for_update().select_related("plan").get(pk=period.pk)
        _check_plan_open(fresh.plan)
        if ReportingPeriod.objects.filter(plan=fresh.plan, name=name).exclude(pk=fresh.pk).exists():
            raise WorkflowError(_("本计划已有名为“%(name)s”的报送期，请换一个名称。") % {"name": name}, code="period")
        before = {"name": fresh.name, "starts_on": _iso(fresh.starts_on), "ends_on": _iso(fresh.ends_on),
                  "due_on": _iso(fresh.due_on)}
        after = {"name": name, "starts_on": _iso(starts_on), "ends_on": _iso(ends_on), "due_on": _iso(due_on)}
        changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
        if not changes:
            raise WorkflowError(_("没有修改任何内容。"), code="period")
        fresh.name, fresh.starts_on, fresh.ends_on, fresh.due_on = name, starts_on, ends_on, due_on
        fresh.save(update_fields=["name", "starts_on", "ends_on", "due_on"])
        PlanEvent.objects.create(
            plan=fresh.plan, actor=user, action=PlanEvent.Action.PERIOD_CHANGE, data={"period": fresh.pk, **changes}
        )
        if fresh.plan.status == WorkPlan.Status.ACTIVE and ("due_on" in changes or "name" in changes):
            notify(
                _plan_reporters(fresh.plan),
                _("报送期调整：%(name)s") % {"name": name},
                _("“%(name)s”的报送截止日期为%(due)s（%(start)s至%(end)s）。")
                % {"name": name, "due": _iso(due_on), "start": _iso(starts_on), "end": _iso(ends_on)},
                f"{reverse('tasks:my_tasks')}?plan={fresh.plan_id}&period={fresh.pk}",
            )
    for field in ("name", "starts_on", "ends_on", "due_on"):
        setattr(period, field, getattr(fresh, field))
    return period


def reports_waiting_for_approval(plan):
    """The plan's reports a reporter sent to the unit approver (送本单位审核) that are not approved yet."""
    return ProgressReport.objects.filter(
        period__plan=plan,
        state__in=(State.DRAFT, State.RETURNED),
        events__action=Action.REQUEST_APPROVAL,
        events__version=F("version"),
    ).exclude(approved_version=F("version")).distinct()


def set_unit_approval(plan, user, on, note=""):
    """Switch the plan's unit approval (报送前须本单位审核) on or off.

    Off: reports waiting for their approver keep their text and state; their reporters may now submit them
    directly and are told so. On: a report not yet submitted needs its approver first; submitted and accepted
    reports are not affected. Returns the number of reports that were waiting for approval."""
    _require_manager(user, _("只有统筹人员可以调整单位审核设置。"))
    with transaction.atomic():
        fresh = WorkPlan.objects.select_for_update().get(pk=plan.pk)
        _check_plan_open(fresh)
        if fresh.unit_approval == bool(on):
            raise WorkflowError(_("单位审核已经是“%(state)s”。") % {"state": _("开启") if on else _("关闭")})
        waiting = list(reports_waiting_for_approval(fresh).values_list("assignment__unit_id", flat=True))
        fresh.unit_approval = bool(on)
        fresh.save(update_fields=["unit_approval"])
        PlanEvent.objects.create(
            plan=fresh, actor=user, action=PlanEvent.Action.UNIT_APPROVAL, reason=(note or "").strip(),
            data={"on": bool(on), "waiting": len(waiting)},
        )
        if fresh.status == WorkPlan.Status.ACTIVE:
            if on:
                recipients = _plan_reporters(fresh)
                body = _("本计划的报告报送前须经本单位审核人审核通过。已报送的报告不受影响。")
            else:
                recipients = get_user_model().objects.filter(
                    memberships__unit_id__in=set(waiting), is_active=True
                ).distinct()
                body = _("本计划不再需要单位审核：等待审核的报告内容不变，联络员可以直接报送。")
            notify(
                recipients,
                _("单位审核设置调整：%(title)s") % {"title": fresh.title},
                body,
                f"{reverse('tasks:my_tasks')}?plan={fresh.pk}",
            )
    plan.unit_approval = fresh.unit_approval
    return len(waiting)


# --- 办结 (closing a task) ----------------------------------------------------------------------------------


def final_period(plan):
    """The plan's last reporting period (latest due date): its reports are the task's final account."""
    return ReportingPeriod.objects.filter(plan=plan).order_by("-due_on", "-pk").first()


def unaccepted_units(task, period):
    """The units in force on the task whose report for `period` is not accepted (all of them without a period)."""
    assignments = Assignment.objects.active().filter(task=task).select_related("unit").order_by("role", "order", "pk")
    if period is not None:
        assignments = assignments.exclude(reports__period=period, reports__state=State.ACCEPTED)
    return [a.unit for a in assignments]


def complete_task(task, user, note=""):
    """办结: the coordinator closes the task. Allowed when every unit in force on it has its final-period report
    accepted; otherwise only with a note saying why it is closed now. Closed tasks leave the to-do lists
    (我的任务 shows them as 已办结, the review queue, missing reports and reminders skip them)."""
    _require_manager(user, _("只有统筹人员可以办结任务。"))
    note = (note or "").strip()
    with transaction.atomic():
        fresh = Task.objects.select_for_update().select_related("plan").get(pk=task.pk)
        _check_plan_live(fresh.plan)
        if fresh.completed_at is not None:
            raise WorkflowError(_("第%(number)s项已经办结。") % {"number": fresh.number})
        waiting = ProgressReport.objects.filter(assignment__task=fresh, state=State.SUBMITTED).count()
        if waiting:
            raise WorkflowError(
                _("这项任务还有 %(count)s 份报告等待审核，请先审核通过或退回，再办结。") % {"count": waiting}
            )
        period = final_period(fresh.plan)
        missing = unaccepted_units(fresh, period)
        if missing and not note:
            names = "、".join(_unit_name(unit) for unit in missing[:10]) + ("等" if len(missing) > 10 else "")
            if period is None:
                reason = _("本计划还没有报送期")
            else:
                reason = _("%(count)s 个单位“%(period)s”的报告尚未审核通过（%(names)s）") % {
                    "count": len(missing), "period": period.name, "names": names,
                }
            raise WorkflowError(
                _("%(reason)s。如确需现在办结，请在“办结说明”中写明原因。") % {"reason": reason}, code="note"
            )
        fresh.completed_at, fresh.completed_by, fresh.completion_note = timezone.now(), user, note
        fresh.save(update_fields=["completed_at", "completed_by", "completion_note"])
        PlanEvent.objects.create(
            plan=fresh.plan, task=fresh, actor=user, action=PlanEvent.Action.TASK_COMPLETE, reason=note,
            data={"unaccepted": [_unit_name(unit) for unit in missing]},
        )
        notify(
            get_user_model().objects.filter(
                memberships__unit__assignments__task=fresh, memberships__unit__assignments__is_active=True,
                memberships__role=Membership.Role.REPORTER, is_active=True,
            ).distinct(),
            _("任务已办结：第%(number)s项") % {"number": fresh.number},
            note or _("这项任务已经办结，不需要再报送。"),
            fresh.get_absolute_url(),
        )
    task.completed_at, task.completed_by, task.completion_note = fresh.completed_at, user, note
    return task


def reopen_task(task, user, reason):
    """重新办理: a closed task is carried out again; a reason is required."""
    _require_manager(user, _("只有统筹人员可以重新办理任务。"))
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("请填写重新办理的理由。"), code="note")
    with transaction.atomic():
        fresh = Task.objects.select_for_update().select_related("plan").get(pk=task.pk)
        _check_plan_live(fresh.plan)
        if fresh.completed_at is None:
            raise WorkflowError(_("第%(number)s项没有办结，不需要重新办理。") % {"number": fresh.number})
        fresh.completed_at, fresh.completed_by, fresh.completion_note = None, None, ""
        fresh.save(update_fields=["completed_at", "completed_by", "completion_note"])
        PlanEvent.objects.create(plan=fresh.plan, task=fresh, actor=user, action=PlanEvent.Action.TASK_REOPEN, reason=reason)
        notify(
            get_user_model().objects.filter(
                memberships__unit__assignments__task=fresh, memberships__unit__assignments__is_active=True,
                memberships__role=Membership.Role.REPORTER, is_active=True,
            ).distinct(),
            _("任务重新办理：第%(number)s项") % {"number": fresh.number},
            reason,
            fresh.get_absolute_url(),
        )
    task.completed_at, task.completed_by, task.completion_note = None, None, ""
    return task

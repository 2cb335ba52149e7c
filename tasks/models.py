"""What and how far: the year's plan, its numbered tasks, who carries them, and their progress reports."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from units.models import Unit, UnitGroup

CHINESE_NUMERALS = "零一二三四五六七八九"


def chinese_number(number):
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (section numbers as plans write them)."""
    if not 0 < number < 100:
        return str(number)
    tens, ones = divmod(number, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else CHINESE_NUMERALS[tens]) + "十"
    if ones:
        text += CHINESE_NUMERALS[ones]
    return text


class WorkPlan(models.Model):
    """The year's plan notice (法治政府建设年度工作计划), e.g. 聊政办字〔2022〕9号."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ACTIVE = "active", _("执行中")
        CLOSED = "closed", _("已结束")

    year = models.PositiveIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=200)
    doc_number = models.CharField(_("文号"), max_length=100, unique=True)
    issuer = models.CharField(_("发文机关"), max_length=100, blank=True)
    issued_on = models.DateField(_("发文日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    source_text = models.TextField(_("通知原文"), blank=True)
    unit_approval = models.BooleanField(
        _("报送前须本单位审核"),
        default=False,
        help_text=_("勾选后，单位联络员的报告须经本单位审核人审核通过后才能报送。"),
    )
    public_dashboard = models.BooleanField(
        _("公开进展页面"),
        default=False,
        help_text=_("开启后，任何人（无需登录）都可以查看本计划的总体进展：只有汇总数字，没有报告内容和人员姓名。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    closed_on = models.DateField(
        _("结束日期"),
        null=True,
        blank=True,
        help_text=_("计划结束后，各项状态、统计和逾期天数都按这一天计算。"),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结束操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("工作计划")
        verbose_name_plural = _("工作计划")
        ordering = ["-year", "-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2100), name="tasks_workplan_year_range"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("tasks:plan_detail", args=[self.pk])

    def as_of(self, periods=None, today=None):
        """The day this plan is judged on (截至): the closing date of a closed plan; once its year is over and
        its last period's due date has passed, the later of 12月31日 and that due date; else today.

        `periods`: the plan's periods when the caller has them (saves a query); `today`: the site's date."""
        from .status import today as site_today  # (status imports this module)

        today = today or site_today()
        if self.status == self.Status.CLOSED and self.closed_on:
            return min(self.closed_on, today)
        year_end = datetime.date(self.year, 12, 31)
        if today <= year_end:
            return today
        if periods is None:
            last_due = self.periods.aggregate(last=models.Max("due_on"))["last"]
        else:
            last_due = max((p.due_on for p in periods), default=None)
        end = max(year_end, last_due) if last_due else year_end
        return end if today > end else today


class PlanEvent(models.Model):
    """A plan closed (结束) or reopened (重新开启), a period or the unit-approval switch changed, a task's deadline
    changed, a task closed (办结) or reopened: with who, when and why (`data`: what changed). Never deleted."""

    class Action(models.TextChoices):
        CLOSE = "close", _("结束计划")
        REOPEN = "reopen", _("重新开启")
        PERIOD_CHANGE = "period_change", _("修改报送期")
        UNIT_APPROVAL = "unit_approval", _("调整单位审核")
        TASK_DEADLINE = "task_deadline", _("调整任务完成时限")
        TASK_COMPLETE = "task_complete", _("任务办结")
        TASK_REOPEN = "task_reopen", _("任务重新办理")

    plan = models.ForeignKey(WorkPlan, verbose_name=_("工作计划"), on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    closed_on = models.DateField(_("结束日期"), null=True, blank=True)
    reason = models.TextField(_("说明"), blank=True)
    task = models.ForeignKey(
        "Task", verbose_name=_("任务"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("计划记录")
        verbose_name_plural = _("计划记录")

    def __str__(self):
        return f"{self.plan} {self.get_action_display()}"


class Section(models.Model):
    """A numbered part of the plan (一、持续推进学习宣传贯彻习近平法治思想)."""

    plan = models.ForeignKey(
        WorkPlan, verbose_name=_("工作计划"), on_delete=models.CASCADE, related_name="sections"
    )
    number = models.PositiveIntegerField(_("序号"))
    title = models.CharField(_("标题"), max_length=200)

    class Meta:
        verbose_name = _("部分")
        verbose_name_plural = _("部分")
        ordering = ["plan_id", "number"]  # the column, not the plan's own ordering (which would join)
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="tasks_section_unique_number"),
        ]

    def __str__(self):
        return f"{self.numeral}、{self.title}"

    @property
    def numeral(self):
        return chinese_number(self.number)


class Task(models.Model):
    """One numbered item of the plan, with the 〔牵头单位…;责任单位…〕 annotation kept verbatim."""

    plan = models.ForeignKey(
        WorkPlan, verbose_name=_("工作计划"), on_delete=models.CASCADE, related_name="tasks"
    )
    section = models.ForeignKey(
        Section, verbose_name=_("部分"), on_delete=models.CASCADE, related_name="tasks"
    )
    number = models.PositiveIntegerField(_("编号"))
    title = models.CharField(_("标题"), max_length=500)
    content = models.TextField(_("任务内容"))
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    responsibility_text = models.TextField(_("责任分工原文"), blank=True)
    pending_groups = models.ManyToManyField(
        UnitGroup,
        verbose_name=_("待选定的单位组"),
        blank=True,
        related_name="pending_tasks",
        help_text=_("计划写作“有关部门”一类的单位组，统筹人员选定具体单位后移除。"),
    )
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    completion_note = models.TextField(_("办结说明"), blank=True)

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["plan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="tasks_task_unique_number"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def get_absolute_url(self):
        return reverse("tasks:task_detail", args=[self.pk])

    @property
    def is_completed(self):
        """办结: the coordinator closed the task; it leaves the to-do lists and shows as 已办结."""
        return self.completed_at is not None


class AssignmentQuerySet(models.QuerySet):
    def active(self):
        """The assignments in force: a unit taken off a task (`is_active=False`) leaves every to-do list, count,
        dashboard and export of current work; its reports stay readable in the task's history."""
        return self.filter(is_active=True)


class Assignment(models.Model):
    """A unit's share of a task: lead unit (牵头单位) or responsible unit (责任单位)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("牵头")
        RESPONSIBLE = "responsible", _("责任")

    class Receipt(models.TextChoices):
        PENDING = "pending", _("待签收")
        CONFIRMED = "confirmed", _("已签收")
        CONTESTED = "contested", _("有异议")
        INSISTED = "insisted", _("维持分工")

    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("分工"), max_length=20, choices=Role.choices)
    deadline = models.DateField(_("完成时限"), null=True, blank=True, help_text=_("留空则按任务的完成时限。"))
    receipt = models.CharField(
        _("签收"), max_length=20, choices=Receipt.choices, default=Receipt.PENDING
    )
    receipt_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    receipt_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    receipt_note = models.TextField(_("异议理由"), blank=True)
    order = models.PositiveIntegerField(
        _("顺序"), default=0, help_text=_("在通知中同一分工里的位置：第一个牵头单位为主牵头单位。")
    )
    is_active = models.BooleanField(
        _("有效"), default=True, help_text=_("统筹人员把单位移出任务后为否：不再出现在待办和统计中，报告仍可查阅。")
    )
    deactivated_at = models.DateTimeField(_("移出时间"), null=True, blank=True)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("移出人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deactivation_reason = models.TextField(_("移出理由"), blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("任务分工")
        verbose_name_plural = _("任务分工")
        # no default ordering: it joined the unit (and the task's plan) into every query; lists order themselves
        constraints = [
            models.UniqueConstraint(fields=["task", "unit"], name="tasks_assignment_unique_unit"),
        ]

    def __str__(self):
        return f"{self.task.number}. {self.unit} ({self.get_role_display()})"

    def save(self, *args, **kwargs):
        if self.deadline is None and self.task_id:
            self.deadline = self.task.deadline
        super().save(*args, **kwargs)


class ReportingPeriod(models.Model):
    """A reporting round of the plan (第一季度, 上半年, 全年 …) with its due date."""

    plan = models.ForeignKey(
        WorkPlan, verbose_name=_("工作计划"), on_delete=models.CASCADE, related_name="periods"
    )
    name = models.CharField(_("名称"), max_length=50)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    due_on = models.DateField(_("报送截止日期"))
    locked = models.BooleanField(_("已锁定"), default=False)

    class Meta:
        verbose_name = _("报送期")
        verbose_name_plural = _("报送期")
        ordering = ["plan_id", "due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="tasks_reportingperiod_unique_name"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="tasks_reportingperiod_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.plan.year}年 {self.name}"


class ProgressReport(models.Model):
    """A unit's progress on one assignment for one period."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已报送")
        RETURNED = "returned", _("已退回")
        ACCEPTED = "accepted", _("已通过")

    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", _("未启动")
        ON_TRACK = "on_track", _("序时推进")
        BEHIND = "behind", _("滞后")
        DONE = "done", _("已完成")

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("任务分工"), on_delete=models.CASCADE, related_name="reports"
    )
    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("报送期"), on_delete=models.PROTECT, related_name="reports"
    )
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.DRAFT)
    progress = models.CharField(
        _("进度"), max_length=20, choices=Progress.choices, default=Progress.NOT_STARTED
    )
    body = models.TextField(_("工作开展情况"), blank=True)
    problems = models.TextField(_("存在的问题"), blank=True)
    next_steps = models.TextField(_("下一步工作"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_note = models.TextField(_("审核意见"), blank=True)
    approved_at = models.DateTimeField(_("单位审核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("单位审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_version = models.PositiveIntegerField(_("审核通过的版本"), null=True, blank=True)
    # the version the unit approver sent back to the liaison (退回联络员): not approvable until the liaison
    # edits it (a new version) or asks for approval again (送审 clears it)
    approver_returned_version = models.PositiveIntegerField(_("单位审核退回的版本"), null=True, blank=True)

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        # no default ordering: it joined the period, plan, task and unit into every query; lists order themselves
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "period"], name="tasks_progressreport_unique_period"
            ),
        ]
        indexes = [models.Index(fields=["period", "state"], name="tasks_report_period_state")]

    def __str__(self):
        return f"{self.assignment} · {self.period.name}"

    def get_absolute_url(self):
        return reverse("tasks:report_detail", args=[self.pk])

    @property
    def is_editable_state(self):
        """Units write while it is a draft or has been returned to them."""
        return self.state in (self.State.DRAFT, self.State.RETURNED)

    @property
    def has_body(self):
        """The work done is written (not only blanks). A list that defers `body` annotates `body_chars` (its
        length after SQL's TRIM of spaces) so that this reads no row."""
        if "body_chars" in self.__dict__:
            return self.body_chars > 0
        return bool(self.body.strip())

    @property
    def is_approved(self):
        """The unit approver approved exactly this version (an edit after approval needs a new approval)."""
        return self.approved_version is not None and self.approved_version == self.version

    @property
    def is_with_liaison(self):
        """The unit approver sent this very version back to the liaison: it waits for the liaison, not them."""
        return self.approver_returned_version is not None and self.approver_returned_version == self.version


class ReportEvent(models.Model):
    """The audit trail of a report: every state change and edit. Rows are never deleted.

    `changes` holds the new text of every field an edit changed, so the history shows every version.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("起草")
        EDIT = "edit", _("修改")
        ATTACH = "attach", _("添加附件")
        DETACH = "detach", _("删除附件")
        REQUEST_APPROVAL = "request_approval", _("送本单位审核")
        APPROVE = "approve", _("单位审核通过")
        SUBMIT = "submit", _("报送")
        ACCEPT = "accept", _("审核通过")
        RETURN = "return", _("退回")
        APPROVER_RETURN = "approver_return", _("单位审核退回联络员")
        WITHDRAW = "withdraw", _("撤回")

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("进展报告"), on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    action = models.CharField(_("操作"), max_length=50, choices=Action.choices)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, blank=True)
    comment = models.TextField(_("说明"), blank=True)
    version = models.PositiveIntegerField(_("版本"), null=True, blank=True)
    changes = models.JSONField(_("改动内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("报告记录")
        verbose_name_plural = _("报告记录")
        ordering = ["report_id", "at", "pk"]
        # "did any report of the plan change after that day?" (selectors.settled) without reading every event
        indexes = [models.Index(fields=["at"], name="tasks_reportevent_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"


class AssignmentEvent(models.Model):
    """The audit trail of an assignment: receipt, objections, reassignment, urging, deadline extensions."""

    class Action(models.TextChoices):
        CONFIRM = "confirm", _("签收")
        CONTEST = "contest", _("提出异议")
        REASSIGN = "reassign", _("改派")
        INSIST = "insist", _("维持分工")
        URGE = "urge", _("催办")
        URGE_RECEIPT = "urge_receipt", _("催签收")
        EXTENSION_REQUEST = "extension_request", _("申请延期")
        EXTENSION_GRANT = "extension_grant", _("同意延期")
        EXTENSION_REFUSE = "extension_refuse", _("不同意延期")
        CHANGE_ROLE = "change_role", _("调整分工")
        ADD = "add", _("增加单位")
        REMOVE = "remove", _("移出任务")
        REACTIVATE = "reactivate", _("重新加入")
        DEADLINE = "deadline", _("调整完成时限")

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("任务分工"), on_delete=models.PROTECT, related_name="events"
    )
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("报送期"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    action = models.CharField(_("操作"), max_length=30, choices=Action.choices)
    comment = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("分工记录")
        verbose_name_plural = _("分工记录")
        ordering = ["assignment_id", "at", "pk"]
        indexes = [models.Index(fields=["action", "at"], name="tasks_assignevent_action_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()}"


class ExtensionRequest(models.Model):
    """延期申请: a unit asks for a later deadline; the assignment changes only when it is granted."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        GRANTED = "granted", _("已同意")
        REFUSED = "refused", _("未同意")

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("任务分工"), on_delete=models.PROTECT, related_name="extension_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    reason = models.TextField(_("延期理由"))
    old_deadline = models.DateField(_("原完成时限"), null=True, blank=True)
    new_deadline = models.DateField(_("申请延至"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=models.Q(state="pending"),
                name="tasks_extension_one_pending",
            ),
        ]

    def __str__(self):
        return f"{self.assignment} → {self.new_deadline}"


def attachment_path(instance, filename):
    """Stored under a random name: the original name is kept in the row, never trusted on disk."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"attachments/{uuid.uuid4().hex}.{suffix}"


class ReportAttachment(models.Model):
    """A file attached to a report (PDF, Word, Excel, image, OFD). Served only through a permission check."""

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("进展报告"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=120)
    kind = models.CharField(_("类型"), max_length=10)
    content_type = models.CharField(_("内容类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    removed_at = models.DateTimeField(_("删除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["report_id", "uploaded_at", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("tasks:attachment", args=[self.pk])


class CalendarDay(models.Model):
    """An override of the working-day calendar: a holiday or an adjusted working day (调休上班).

    The library `chinesecalendar` knows the State Council's holiday arrangements for past years; days of a
    year it does not know yet (or corrections) are entered here by the coordinator and win over it.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是工作日"), help_text=_("勾选：这天上班（调休）；不勾选：这天放假。"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_workday else '放假'}"

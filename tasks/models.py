"""What and how far: the year's plan, its numbered tasks, who carries them, and their progress reports."""

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
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

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
        ordering = ["plan", "number"]
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

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="tasks_task_unique_number"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def get_absolute_url(self):
        return reverse("tasks:task_detail", args=[self.pk])

    @property
    def lead_assignments(self):
        """Lead units (牵头单位); uses the prefetched assignments when there are any."""
        return [a for a in self.assignments.all() if a.role == Assignment.Role.LEAD]

    @property
    def responsible_assignments(self):
        """Responsible units (责任单位)."""
        return [a for a in self.assignments.all() if a.role == Assignment.Role.RESPONSIBLE]


class Assignment(models.Model):
    """A unit's share of a task: lead unit (牵头单位) or responsible unit (责任单位)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("牵头")
        RESPONSIBLE = "responsible", _("责任")

    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("分工"), max_length=20, choices=Role.choices)
    deadline = models.DateField(_("完成时限"), null=True, blank=True, help_text=_("留空则按任务的完成时限。"))

    class Meta:
        verbose_name = _("任务分工")
        verbose_name_plural = _("任务分工")
        ordering = ["task", "role", "unit__order", "unit__name"]
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
        ordering = ["plan", "due_on", "pk"]
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

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["period", "assignment"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "period"], name="tasks_progressreport_unique_period"
            ),
        ]

    def __str__(self):
        return f"{self.assignment} · {self.period.name}"


class ReportEvent(models.Model):
    """The audit trail of a report: every state change and edit. Rows are never deleted."""

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
    action = models.CharField(_("操作"), max_length=50)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, blank=True)
    comment = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("报告记录")
        verbose_name_plural = _("报告记录")
        ordering = ["report", "at", "pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"

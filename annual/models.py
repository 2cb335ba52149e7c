"""The year-end report draft (年度法治政府建设情况报告): one per plan, assembled from accepted progress reports and
edited part by part by the coordinator. Building and editing live in `annual.assembly`."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tasks.models import ReportingPeriod, Task, WorkPlan


class AnnualReport(models.Model):
    """The draft of the plan's year-end report, with its head fields (title, issuing office, date, 主送)."""

    plan = models.ForeignKey(
        WorkPlan, verbose_name=_("工作计划"), on_delete=models.CASCADE, related_name="annual_reports"
    )
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("汇编所据报送期"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("标题"), max_length=200)
    issuer = models.CharField(_("落款机关"), max_length=100)
    date = models.DateField(_("成文日期"), null=True, blank=True)
    addressee = models.CharField(_("主送机关"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    assembled_at = models.DateTimeField(_("汇编时间"))
    assembled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("汇编人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("年度报告草稿")
        verbose_name_plural = _("年度报告草稿")
        ordering = ["-pk"]  # one draft a plan; the admin orders by the plan's year
        constraints = [
            models.UniqueConstraint(fields=["plan"], name="annual_annualreport_one_per_plan"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("annual:annual_report", args=[self.plan_id])


class ReportPart(models.Model):
    """One editable part of the draft: the opening, a task's account, or one of the closing parts.

    `text` is what the document says now; `assembled_text` what the last assembly produced; `edited` whether the
    coordinator's text differs from it (re-assembly then leaves `text` alone). `source_report_ids` are the
    progress reports the assembly used, `new_report_ids` those a re-assembly added since (highlighted until
    dismissed). `version` refuses an edit made on top of a newer save.
    """

    class Kind(models.TextChoices):
        OPENING = "opening", _("开头")
        TASK = "task", _("任务推进情况")
        SHORTCOMINGS = "shortcomings", _("存在的不足和原因")
        LEADERS = "leaders", _("党政主要负责人履行第一责任人职责情况")
        NEXT_YEAR = "next_year", _("下一年度工作安排")
        OTHER = "other", _("其他需要报告的事项")

    report = models.ForeignKey(
        AnnualReport, verbose_name=_("年度报告草稿"), on_delete=models.CASCADE, related_name="parts"
    )
    key = models.CharField(_("标识"), max_length=40)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    task = models.ForeignKey(
        Task, verbose_name=_("任务"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField(_("正文"), blank=True)
    assembled_text = models.TextField(_("汇编生成的正文"), blank=True)
    edited = models.BooleanField(_("已人工修改"), default=False)
    source_report_ids = models.JSONField(_("来源报告"), default=list, blank=True)
    new_report_ids = models.JSONField(_("新纳入的报告"), default=list, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("报告段落")
        verbose_name_plural = _("报告段落")
        ordering = ["report_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "key"], name="annual_reportpart_unique_key"),
            models.CheckConstraint(
                condition=models.Q(kind="task", task__isnull=False)
                | (~models.Q(kind="task") & models.Q(task__isnull=True)),
                name="annual_reportpart_task_iff_task_kind",
            ),
        ]

    def __str__(self):
        if self.task_id:
            return f"{self.get_kind_display()} · {self.task.number}"
        return self.get_kind_display()

"""The year-end report draft (年度法治政府建设情况报告): one per plan, assembled from accepted progress reports and
edited part by part by the coordinator. Building and editing live in `annual.assembly`."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
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


class ReportTemplate(models.Model):
    """The parts of a draft and their order (one per draft): a preset (the five statutory parts, the county
    variant) the coordinator may edit — headings, order, which plan sections feed which part."""

    class Preset(models.TextChoices):
        STATUTORY = "statutory", _("《法治政府建设与责任落实督察工作规定》五部分")
        COUNTY = "county", _("县级报告（主要工作情况 / 存在的问题和不足 / 下一年工作思路）")
        CUSTOM = "custom", _("自定义")

    report = models.OneToOneField(
        AnnualReport, verbose_name=_("年度报告草稿"), on_delete=models.CASCADE, related_name="template"
    )
    preset = models.CharField(_("模板"), max_length=20, choices=Preset.choices, default=Preset.STATUTORY)
    digest_limit = models.PositiveIntegerField(
        _("每项任务摘录字数上限"),
        default=400,
        validators=[MinValueValidator(100), MaxValueValidator(5000)],
        help_text=_("没有牵头单位汇总时，从各单位报告中摘取含数据的句子，最多这么多字；其余留在材料中。"),
    )

    class Meta:
        verbose_name = _("报告模板")
        verbose_name_plural = _("报告模板")

    def __str__(self):
        return self.get_preset_display()


class TemplatePart(models.Model):
    """One part of the template: a level-1 heading, what it holds, and the plan sections that feed it."""

    class Kind(models.TextChoices):
        MEASURES = "measures", _("主要举措和成效（每个计划部分一个二级标题，任务在其下）")
        LEADERS = "leaders", _("第一责任人职责履行情况")
        SHORTCOMINGS = "shortcomings", _("存在的不足（归并各单位的问题）")
        NEXT_YEAR = "next_year", _("下一年度安排（归并各单位的下一步工作）")
        OTHER = "other", _("其他需要报告的情况")
        TEXT = "text", _("自由撰写")

    # kinds that may appear once in a template (their draft part is keyed by the kind)
    SINGLE = (Kind.LEADERS, Kind.SHORTCOMINGS, Kind.NEXT_YEAR, Kind.OTHER)

    template = models.ForeignKey(
        ReportTemplate, verbose_name=_("报告模板"), on_delete=models.CASCADE, related_name="parts"
    )
    order = models.PositiveIntegerField(_("顺序"), default=0)
    heading = models.CharField(_("标题"), max_length=200)
    kind = models.CharField(_("内容"), max_length=20, choices=Kind.choices)
    # the plan sections (ids) whose tasks are written in this part; a measures part with none takes every
    # section no other part takes
    section_ids = models.JSONField(_("所含计划部分"), default=list, blank=True)

    class Meta:
        verbose_name = _("报告模板部分")
        verbose_name_plural = _("报告模板部分")
        ordering = ["template", "order", "pk"]

    def __str__(self):
        return self.heading

    @property
    def part_key(self):
        """The key of the draft part holding this template part's own text (None for measures)."""
        if self.kind == self.Kind.MEASURES:
            return None
        if self.kind == self.Kind.TEXT:
            return f"text-{self.pk}"
        return str(self.kind)


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
        TEXT = "text", _("自由撰写")

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
    # what the assembly took: [[report id, sentence index], …] (sentence indexes of annual.digest.sentences)
    digest = models.JSONField(_("摘取的句子"), default=list, blank=True)
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

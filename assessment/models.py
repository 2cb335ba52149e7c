"""考核与通报: the scoring rule of a plan, the coordinator's adjustments, good practice (典型经验) and circulars (通报).

Scores themselves are never stored: `assessment.scoring.score_units` derives them from the workflow's events on
every read, so a rule change or a late event shows at once.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tasks.models import ProgressReport, ReportingPeriod, WorkPlan
from units.models import Unit


class ScoringRule(models.Model):
    """A plan's scoring rule (考核细则). Created with the defaults on first access (`scoring.rule_for`)."""

    plan = models.OneToOneField(
        WorkPlan, verbose_name=_("工作计划"), on_delete=models.CASCADE, related_name="scoring_rule"
    )
    on_time_points = models.PositiveSmallIntegerField(
        _("按时报送（每项每期）"), default=4, help_text=_("每项任务每个报送期在截止日前报送得分。")
    )
    first_pass_points = models.PositiveSmallIntegerField(
        _("一次通过（每项每期）"), default=3, help_text=_("报告未被退回即审核通过得分。")
    )
    complete_points = models.PositiveSmallIntegerField(
        _("全年报告完整（每项）"), default=2, help_text=_("最后一个报送期（全年）的报告审核通过得分。")
    )
    receipt_points = models.PositiveSmallIntegerField(
        _("按时签收（每项）"), default=1, help_text=_("计划印发（发文日期）后规定工作日内签收得分。")
    )
    receipt_workdays = models.PositiveSmallIntegerField(_("签收时限（工作日）"), default=5)
    urge_deduction = models.DecimalField(
        _("逾期被催办扣分（每次）"), max_digits=4, decimal_places=1, default=1,
        help_text=_("报送期截止后仍被催办，每次扣分。"),
    )
    extension_deduction = models.DecimalField(
        _("延期扣分（每次）"), max_digits=4, decimal_places=1, default=2,
        help_text=_("延期申请获同意，每次扣分。"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        verbose_name = _("考核细则")
        verbose_name_plural = _("考核细则")

    def __str__(self):
        return f"{self.plan} · {self._meta.verbose_name}"


class ScoreAdjustment(models.Model):
    """A coordinator's adjustment of a unit's score (加减分), always with its reason. Never edited."""

    plan = models.ForeignKey(WorkPlan, verbose_name=_("工作计划"), on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("报送期"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("留空则计入全年得分。"),
    )
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("加减分"), max_digits=5, decimal_places=1)
    reason = models.TextField(_("理由"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考核调整")
        verbose_name_plural = _("考核调整")
        ordering = ["plan_id", "at", "pk"]

    def __str__(self):
        return f"{self.unit} {self.points:+}"


class GoodPractice(models.Model):
    """典型经验: an accepted report, or a passage of it (verbatim), marked by a coordinator with a short title."""

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("进展报告"), on_delete=models.PROTECT, related_name="good_practices"
    )
    title = models.CharField(_("标题"), max_length=60)
    passage = models.TextField(_("摘录"), blank=True, help_text=_("留空表示整份报告。"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("标记人"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("典型经验")
        verbose_name_plural = _("典型经验")
        ordering = ["report_id", "at", "pk"]

    def __str__(self):
        return self.title

    @property
    def text(self):
        return self.passage or self.report.body


class Circular(models.Model):
    """通报: the office's circular on one period of a plan, drafted from the data and edited by the coordinator."""

    plan = models.ForeignKey(WorkPlan, verbose_name=_("工作计划"), on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(ReportingPeriod, verbose_name=_("报送期"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=200)
    doc_number = models.CharField(_("发文字号"), max_length=100, blank=True)
    recipients = models.TextField(_("主送"), blank=True)
    progress_text = models.TextField(_("总体进展"), blank=True)
    units_text = models.TextField(_("报送情况"), blank=True)
    practice_text = models.TextField(_("典型经验"), blank=True)
    requirements_text = models.TextField(_("下一步工作要求"), blank=True)
    cc = models.TextField(_("抄送"), blank=True)
    issuer = models.CharField(_("印发机关"), max_length=100, blank=True)
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["plan_id", "period_id"]
        constraints = [models.UniqueConstraint(fields=["plan", "period"], name="assessment_circular_one_per_period")]

    def __str__(self):
        return self.title

    PARTS = ("progress_text", "units_text", "practice_text", "requirements_text")

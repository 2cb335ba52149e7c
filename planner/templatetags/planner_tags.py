from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from tasks import html
from tasks.models import ProgressReport, ReportAttachment, chinese_number

register = template.Library()


@register.filter
def cn_number(number):
    """3 → 三 (section numbers as plans write them)."""
    return chinese_number(int(number)) if number else ""


@register.filter
def light(status):
    """A status light with its words (for colour-blind readers and print): ● 逾期."""
    return html.light(status)


@register.filter
def light_mark(value):
    """A light given by its value ("overdue"), as the same dot and words as `light`."""
    return html.light_mark(value)


@register.filter
def state_label(value):
    """A report state's words from its value ("returned" → 已退回); '未填写' for none."""
    if value in ProgressReport.State.values:
        return ProgressReport.State(value).label
    return _("未填写")


@register.filter
def days_left(days):
    """Working days left in words: 还剩 3 个工作日 / 今天截止 / 逾期 2 个工作日."""
    return html.days_left(days)


@register.filter
def state_badge(report):
    """A report's state as a badge; '未填写' when there is no report."""
    return html.state_badge(report)


@register.filter
def report_field(name):
    """The name of a report field as the form shows it, for the change history."""
    if name == "attachments":
        return ReportAttachment._meta.verbose_name_plural
    try:
        return ProgressReport._meta.get_field(name).verbose_name
    except FieldDoesNotExist:
        return name


@register.filter
def change_text(value, field):
    """A changed value as a reader wants it: progress in words, lists of files joined."""
    if field == "progress" and value in ProgressReport.Progress.values:
        return ProgressReport.Progress(value).label
    if isinstance(value, (list, tuple)):
        return "、".join(str(item) for item in value)
    return value

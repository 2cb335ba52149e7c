"""The dashboards' template filters: a light given by its value, a report state's words."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from tasks.models import ProgressReport
from tasks.status import COLOURS, Light

register = template.Library()


@register.filter
def light_mark(value):
    """A light given by its value ("overdue"), as the same dot and words as `light`."""
    if value not in Light.values:
        return ""
    return format_html(
        '<span class="light light-{}"><span class="dot" aria-hidden="true"></span>{}</span>',
        COLOURS[value],
        Light(value).label,
    )


@register.filter
def state_label(value):
    """A report state's words from its value ("returned" → 已退回); '未填写' for none."""
    if value in ProgressReport.State.values:
        return ProgressReport.State(value).label
    return _("未填写")

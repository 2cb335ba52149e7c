"""The dashboards' template filters: a light given by its value, a report state's words."""

from django import template
from django.utils.translation import gettext as _

from tasks import html
from tasks.models import ProgressReport

register = template.Library()


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

"""Pieces of HTML the pages share, written once in Python.

The template filters (`planner_tags.light`, `state_badge`) use them, and so do pages whose lists run to hundreds
of rows (未报送与催办), where a template loop costs more than the rest of the page. Every value goes through
`format_html`, so it is escaped.
"""

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def light(status):
    """A status light with its words (for colour-blind readers and print): ● 逾期."""
    if not status:
        return ""
    return format_html(
        '<span class="light light-{}" title="{}"><span class="dot" aria-hidden="true"></span>{}</span>',
        status.colour,
        status.reason,
        status.label,
    )


def state_badge(report):
    """A report's state as a badge; '未填写' when there is no report."""
    if not report:
        return format_html('<span class="state state-none">{}</span>', _("未填写"))
    return format_html('<span class="state state-{}">{}</span>', report.state, report.get_state_display())


def missing_rows(rows, can_act):
    """The table rows of one unit on 未报送与催办: tick box, task number and title, report state, light, urged."""
    choose = _("选择")
    titles = {}
    parts = []
    for row in rows:
        task = row.assignment.task
        if task.pk not in titles:
            titles[task.pk] = Truncator(task.title).chars(40)
        tick = (
            format_html(
                '<td><input type="checkbox" name="assignment" value="{}" aria-label="{} {}"></td>',
                row.assignment.pk,
                choose,
                task.number,
            )
            if can_act
            else ""
        )
        urged = (
            format_html(
                '<small class="muted">{}</small>',
                ngettext("已催办 %(n)s 次", "已催办 %(n)s 次", row.urged) % {"n": row.urged},
            )
            if row.urged
            else ""
        )
        parts.append(
            format_html(
                '<tr>{}<td class="num">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
                tick,
                task.number,
                titles[task.pk],
                state_badge(row.report),
                light(row.status),
                urged,
            )
        )
    return SafeString("".join(parts))  # every part is format_html's output

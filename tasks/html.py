"""Pieces of HTML the pages share, written once in Python.

The template filters (`planner_tags.light`, `state_badge`) use them, and so do pages whose lists run to hundreds
of rows (未报送与催办), where a template loop costs more than the rest of the page. Every value goes through
`format_html`, so it is escaped.
"""

from django.utils.html import format_html, format_html_join
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
    titles, badges, lights = {}, {}, {}  # the same few titles, states and lights recur on every row
    parts = []
    for row in rows:
        task = row.assignment.task
        if task.pk not in titles:
            titles[task.pk] = Truncator(task.title).chars(40)
        state = row.report.state if row.report else None
        if state not in badges:
            badges[state] = state_badge(row.report)
        lit = (row.status.light, row.status.reason) if row.status else None
        if lit not in lights:
            lights[lit] = light(row.status)
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
                badges[state],
                lights[lit],
                urged,
            )
        )
    return SafeString("".join(parts))  # every part is format_html's output


def unit_chips(lead, responsible, pending_groups):
    """A task's units as chips: 牵头单位, then 责任单位 (folded away when more than 12), then the selective
    groups still to be chosen. `lead` and `responsible` are (full name, short name) pairs."""
    def chips(pairs, css):
        return format_html_join("", '<span class="chip{}" title="{}">{}</span>', ((css, n, s) for n, s in pairs))

    leads = chips(lead, " lead") if lead else format_html('<span class="muted">{}</span>', _("未列牵头单位"))
    others = chips(responsible, "")
    if len(responsible) > 12:
        summary = ngettext("%(n)s 个单位（点击展开）", "%(n)s 个单位（点击展开）", len(responsible)) % {
            "n": len(responsible)
        }
        others = format_html("<details><summary>{}</summary>{}</details>", summary, others)
    pending = format_html_join(
        "",
        '<span class="chip pending" title="{}">{}（{}）</span>',
        ((_("由统筹人员逐项选定具体单位"), group.name, _("待选定")) for group in pending_groups),
    )
    return format_html(
        '<dl class="units"><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}{}</dd></dl>',
        _("牵头单位"),
        leads,
        _("责任单位"),
        others,
        pending,
    )

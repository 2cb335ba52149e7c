"""Pieces of HTML the pages share, written once in Python.

The template filters (`planner_tags.light`, `state_badge`) use them, and so do pages whose lists run to hundreds
of rows (未报送与催办), where a template loop costs more than the rest of the page. Every value goes through
`format_html`, or, in 我的任务's rows, through `esc` (the standard library's escape), so it is escaped.
"""

from functools import lru_cache
from html import escape as esc  # Django's escape() is this, wrapped for lazy strings

from django import forms
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
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


def missing_rows(rows, can_act, seen=None):
    """The table rows of one unit on 未报送与催办: tick box, task number and title, report state, light, urged.

    `seen` (a dict) carries the titles, badges and lights already made from one unit to the next.
    """
    choose = _("选择")
    seen = {} if seen is None else seen
    # the same few titles, states and lights recur on every row
    titles, badges, lights = (seen.setdefault(name, {}) for name in ("titles", "badges", "lights"))
    parts = []
    for row in rows:
        task = row.assignment.task
        if task.pk not in titles:
            titles[task.pk] = Truncator(task.title).chars(40)
        state = row.report.state if row.report else None
        if state not in badges:
            badges[state] = state_badge(row.report)
        lit = (row.status.light, str(row.status.reason)) if row.status else None
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


def url_pattern(name, args=1):
    """A URL with `{}` where each id goes, reversed once and filled per row (str.format): for lists of
    hundreds of rows, where reverse() per link would cost more than the rest of the row."""
    return _url_pattern(name, args, get_script_prefix())


@lru_cache(maxsize=64)
def _url_pattern(name, args, _prefix):
    marks = [str(999999990 + i) for i in range(args)]
    url = reverse(name, args=marks)
    for mark in marks:
        url = url.replace(mark, "{}", 1)
    return url


def days_left(days):
    """Working days left in words: 还剩 3 个工作日 / 今天截止 / 逾期 2 个工作日."""
    if days is None:
        return ""
    if days > 0:
        return _("还剩 %(n)s 个工作日") % {"n": days}
    if days == 0:
        return _("今天截止")
    return _("逾期 %(n)s 个工作日") % {"n": -days}


def my_task_rows(rows, *, show_unit, reporter_unit_ids, csrf_token):
    """我的任务's table rows: task and section (with 签收 / 有异议 while unconfirmed), role (and 汇总各单位 for a
    lead unit), due date and working days left, light, report state (and a return note), the next step
    (`row.action`: label, url, primary) and 申请延期 for the unit's reporters.

    The page reporters open most, so each row is one f-string of values escaped by `esc` (the standard
    library's escape, which Django's `escape` wraps), and what repeats from row to row — role, section,
    due date and days left, light, badge — is made once per page.
    """
    task_url = url_pattern("tasks:task_detail")
    confirm_url, contest_url = url_pattern("tasks:receipt_confirm"), url_pattern("tasks:receipt_contest")
    consolidation_url, extension_url = url_pattern("tasks:consolidation", 2), url_pattern("tasks:extension_request")
    consolidate_word, deadline_word = esc(_("汇总各单位")), esc(_("完成时限"))
    extension_word = esc(_("申请延期"))
    seen, parts = {}, []  # the pieces that repeat: role, section, due date, light, badge
    for row in rows:
        a, period, report, status = row.assignment, row.period, row.report, row.status
        task, unit = a.task, a.unit
        receipt = ""
        if a.receipt == a.Receipt.PENDING:
            receipt = format_html(
                '<div class="actions"><form method="post" action="{}" class="inline-form">'
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}"><button type="submit">{}</button></form>'
                ' <a class="button" href="{}">{}</a></div>',
                confirm_url.format(a.pk), csrf_token, _("签收"), contest_url.format(a.pk), _("有异议"),
            )
        elif a.receipt == a.Receipt.CONTESTED:
            receipt = format_html('<div><span class="chip pending">{}</span></div>', _("已提出异议，等待统筹人员处理"))
        consolidate = ""
        if a.role == a.Role.LEAD and period is not None:
            consolidate = f'<br><a href="{consolidation_url.format(a.task_id, period.pk)}">{consolidate_word}</a>'
        days = status and status.days_left
        key = ("due", period and period.due_on, days, a.deadline)
        if key not in seen:
            due = ""
            if period is not None:
                due = f"{format_date(period.due_on, 'Y-m-d')}<br><small>{esc(days_left(days))}</small>"
            if a.deadline:
                due += f'<br><small class="muted">{deadline_word} {format_date(a.deadline, "Y-m-d")}</small>'
            seen[key] = due
        due = seen[key]
        state = report.state if report else None
        if ("badge", state) not in seen:
            seen["badge", state] = state_badge(report)
        lit = ("light", status.light, str(status.reason)) if status else ("light",)
        if lit not in seen:
            seen[lit] = light(status)
        if ("role", a.role) not in seen:
            seen["role", a.role] = f'<span class="role role-{esc(a.role)}">{esc(a.get_role_display())}</span>'
        if ("section", task.section_id) not in seen:
            seen["section", task.section_id] = f"{esc(task.section.numeral)}、{esc(task.section.title)}"
        note = ""
        if report and report.state == report.State.RETURNED:
            note = f'<br><small class="error-text">{esc(Truncator(report.review_note).chars(40))}</small>'
        label, url, primary = row.action
        if url:
            step = f'<a class="button{" primary" if primary else ""}" href="{esc(url)}">{esc(label)}</a>'
        else:
            step = f'<span class="muted">{esc(label)}</span>'
        if a.unit_id in reporter_unit_ids:
            step += f'<br><a href="{extension_url.format(a.pk)}"><small>{extension_word}</small></a>'
        short_name = esc(unit.short_name)
        parts.append(
            f'<tr data-task="{task.number}" data-unit="{short_name}"><td class="num">{task.number}</td>'
            f'<td><a href="{task_url.format(task.pk)}">{esc(task.title)}</a> <small class="muted">'
            f'{f"{short_name} · " if show_unit else ""}{seen["section", task.section_id]}</small>{receipt}</td>'
            f'<td>{seen["role", a.role]}{consolidate}</td><td class="nowrap">{due}</td>'
            f'<td>{seen[lit]}</td><td>{seen["badge", state]}{note}</td><td>{step}</td></tr>'
        )
    return SafeString("".join(parts))  # each value escaped by esc() or made by format_html


def review_rows(reports, can_act, own_unit_ids=frozenset()):
    """The review queue's table rows: tick box (submitted reports, for coordinators, except those of their
    own units: tasks.access.is_own_unit_report), task, unit and role,
    period, state, progress, when submitted, and the start of the text as a link to the report."""
    task_url, report_url = url_pattern("tasks:task_detail"), url_pattern("tasks:report_detail")
    choose, unwritten = _("选择"), _("（未填写）")
    badges, parts = {}, []
    for report in reports:
        assignment, task = report.assignment, report.assignment.task
        tick = ""
        if can_act:
            if assignment.unit_id in own_unit_ids and report.state == report.State.SUBMITTED:
                tick = format_html('<small class="muted" title="{}">{}</small>', _("本单位的报告由另一位统筹人员审核"), _("本单位"))
            elif report.state == report.State.SUBMITTED:
                tick = format_html(
                    '<input type="checkbox" name="report" value="{}" aria-label="{} {} {}">'
                    '<input type="hidden" name="version_{}" value="{}">',
                    report.pk, choose, assignment.unit.short_name, task.number, report.pk, report.version,
                )
            tick = format_html("<td>{}</td>", tick)
        if report.state not in badges:
            badges[report.state] = state_badge(report)
        submitted = (
            format_date(timezone.localtime(report.submitted_at), "Y-m-d H:i") if report.submitted_at else "—"
        )
        parts.append(
            format_html(
                '<tr>{}<td class="num"><a href="{}">{}</a></td>'
                '<td>{} <span class="role role-{}">{}</span></td><td>{}</td><td>{}</td><td>{}</td>'
                '<td class="nowrap">{}</td><td><a href="{}">{}</a></td></tr>',
                tick,
                task_url.format(task.pk),
                task.number,
                assignment.unit.short_name,
                assignment.role,
                assignment.get_role_display(),
                report.period.name,
                badges[report.state],
                report.get_progress_display(),
                submitted,
                report_url.format(report.pk),
                Truncator(report.body).chars(80) or unwritten,
            )
        )
    return SafeString("".join(parts))  # every part is format_html's output


# --- form widgets written in Python ---------------------------------------------------------------------------
#
# Django renders a widget through its templates (django/forms/widgets/*.html): 57 µs for a text box, 351 µs
# for the four radio buttons of 进度 (27 and 142 µs here). 填写报告, the page reporters open most, renders six.
# These classes keep Django's context (`get_context`: value, attributes, ids, checked options) and write the
# same markup as those templates with `format_html`; tests/tasks/test_html.py compares them byte for byte.


def _attrs(attrs):
    """django/forms/widgets/attrs.html: ` name="value"` each; a True value alone, a False one left out."""
    return format_html_join(
        "",
        " {}{}",
        ((name, "" if value is True else format_html('="{}"', "%s" % value)) for name, value in attrs.items()
         if value is not False),
    )


def _input(widget):
    """django/forms/widgets/input.html."""
    value = widget["value"]
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        widget["type"],
        widget["name"],
        format_html(' value="{}"', "%s" % value) if value is not None else "",
        _attrs(widget["attrs"]),
    )


class PythonRenderedWidget:
    """Mixin: `render()` writes `html(context["widget"])` instead of rendering the widget's template."""

    def render(self, name, value, attrs=None, renderer=None):
        return self.html(self.get_context(name, value, attrs)["widget"])


class FastHiddenInput(PythonRenderedWidget, forms.HiddenInput):
    html = staticmethod(_input)


class FastTextarea(PythonRenderedWidget, forms.Textarea):
    @staticmethod
    def html(widget):
        """django/forms/widgets/textarea.html."""
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>', widget["name"], _attrs(widget["attrs"]), widget["value"] or ""
        )


class FastRadioSelect(PythonRenderedWidget, forms.RadioSelect):
    @staticmethod
    def html(widget):
        """django/forms/widgets/multiple_input.html with input_option.html for each choice."""
        parts = []
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(format_html("\n  <div><label>{}</label>", group))
            for option in options:
                parts.append(format_html("<div>\n    {}</div>", _option(option)))
            if group:
                parts.append("\n  </div>")
        element_id, css_class = widget["attrs"].get("id"), widget["attrs"].get("class")
        return format_html(
            "<div{}{}>{}\n</div>",
            format_html(' id="{}"', element_id) if element_id else "",
            format_html(' class="{}"', css_class) if css_class else "",
            SafeString("".join(parts)),  # format_html's output and fixed text
        )


def _option(option):
    """radio_option.html (input_option.html, which includes input.html). Django's choices always wrap their
    label; an included template keeps its last line break, so each choice ends in two."""
    element_id = option["attrs"].get("id")
    return format_html(
        "<label{}>{}\n {}</label>\n\n",
        format_html(' for="{}"', element_id) if element_id else "",
        _input(option),
        option["label"],
    )


class FastSelect(forms.Select):
    """A <select> written in Python. Django renders each option through a template, ~25 µs apiece; a unit
    filter offers a hundred or more. Same markup, same escaping (format_html), no option groups."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        final = self.build_attrs(self.attrs, attrs)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, " selected" if key in chosen else "", label)
                for key, label in (("" if value is None else str(value), label) for value, label in self.choices)
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', name, _attrs(final), options)

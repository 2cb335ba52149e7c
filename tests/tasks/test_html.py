"""The pages' markup comes from templates over plain data (`tasks/html.py` prepares it): the lists show the same
rows, links and ticks; what users typed (task titles, units' names, report texts, return notes) shows as text on
every list; the forms render Django's own widgets; the light, the badge and the unit filter's select come from
their templates."""

import re
from urllib.parse import quote

import pytest
from django import forms
from django.urls import reverse
from django.utils.html import escape
from django.utils.text import Truncator

from tasks import html, selectors, workflow
from tasks.filters import OneLoopSelect
from tasks.forms import ReportForm, ReturnForm, ReviewForm
from tasks.models import Assignment, ProgressReport
from tasks.status import Light, Status
from tests.conftest import COORDINATOR, COUNTY_REPORTER, LEADER, user
from units.models import Membership, Unit

pytestmark = pytest.mark.django_db

TITLE = '<script>alert("t")</script>"><img src=x onerror=alert(2)>'
TITLE_SHOWN = "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"
SHORT = '"><img src=x>东昌府'
SHORT_SHOWN = "&quot;&gt;&lt;img src=x&gt;东昌府"


def no_markup_from_users(page):
    assert "<script>" not in page and "<img" not in page and 'alert("t")' not in page


@pytest.fixture
def hostile(plan, county):
    """Task 1's title and 东昌府区's short name hold markup."""
    task = county.task
    task.title = TITLE
    task.save()
    Unit.objects.filter(pk=county.unit_id).update(short_name=SHORT)
    return county


def options(html):
    """(value, selected, label) of every <option>, in order."""
    return re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html)


# --- the lists ------------------------------------------------------------------------------------------------


def test_the_review_rows_escape_the_report_text_and_offer_ticks_to_coordinators_only(login, period, hostile):
    reporter = user(COUNTY_REPORTER)
    report = workflow.save_report(
        assignment=hostile, period=period, user=reporter, data={"body": "<script>alert(1)</script>" + "进" * 100}
    )
    report = workflow.submit(report, reporter)
    url = reverse("tasks:review_queue")
    page = login(COORDINATOR).get(url, {"period": period.pk}).content.decode()
    no_markup_from_users(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert f'<td data-label="单位">{SHORT_SHOWN} <span class="role role-responsible">责任</span></td>' in page
    assert (
        f'<input type="checkbox" name="report" value="{report.pk}" aria-label="选择 {SHORT_SHOWN} 1">'
        f'<input type="hidden" name="version_{report.pk}" value="{report.version}">'
    ) in page
    assert f'<a href="{reverse("tasks:report_detail", args=[report.pk])}">&lt;script&gt;' in page
    assert f'<td data-label="编号" class="num"><a href="{reverse("tasks:task_detail", args=[hostile.task_id])}">1</a></td>' in page
    assert '<span class="state state-submitted">已报送</span>' in page
    assert "进" * 50 in page and "进" * 60 not in page  # cut at 80 characters, like |truncatechars:80
    leader_page = login(LEADER).get(url, {"period": period.pk}).content.decode()
    assert 'name="report"' not in leader_page and "&lt;script&gt;" in leader_page
    no_markup_from_users(leader_page)


def test_my_task_rows_escape_titles_names_and_return_notes(login, period, hostile):
    """Markup in a task title, a unit's short name, a section title or a return note shows as text."""
    reporter = user(COUNTY_REPORTER)
    hostile.task.section.title = "<i>部分</i>"
    hostile.task.section.save()
    report = workflow.submit(workflow.save_report(assignment=hostile, period=period, user=reporter,
                                                  data={"body": "已完成。"}), reporter)
    workflow.return_report(report, user(COORDINATOR), note='"><img src=x onerror="alert(1)">请补充数据。')
    page = login(COUNTY_REPORTER).get(reverse("tasks:my_tasks"), {"period": period.pk}).content.decode()
    no_markup_from_users(page)
    assert "<i>部分" not in page
    assert f'<a href="{reverse("tasks:task_detail", args=[hostile.task_id])}">{TITLE_SHOWN}</a>' in page
    assert f'<tr data-task="1" data-unit="{SHORT_SHOWN}">' in page
    assert "&lt;i&gt;部分&lt;/i&gt;" in page
    assert '<small class="error-text">&quot;&gt;&lt;img src=x onerror=&quot;alert(1)&quot;&gt;请补充数据。</small>' in page
    edit = reverse("tasks:report_edit", args=[hostile.pk, period.pk])
    back = "?next=" + quote(f"{reverse('tasks:my_tasks')}?plan={period.plan_id}&period={period.pk}", safe="")
    assert f'<a class="button primary" href="{edit}{back}">按退回意见修改</a>' in page
    extension = reverse("tasks:extension_request", args=[hostile.pk])
    assert f'<a href="{extension}{back}"><small>申请延期</small></a>' in page


def test_my_tasks_offers_receipt_forms_with_the_csrf_token(login, period, county):
    Assignment.objects.filter(pk=county.pk).update(receipt=Assignment.Receipt.PENDING)
    client = login(COUNTY_REPORTER)
    page = client.get(reverse("tasks:my_tasks"), {"period": period.pk}).content.decode()
    back = f"{reverse('tasks:my_tasks')}?plan={period.plan_id}&period={period.pk}"
    assert re.search(
        re.escape(f'<form method="post" action="{reverse("tasks:receipt_confirm", args=[county.pk])}" class="inline-form">')
        + r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">'
        + re.escape(f'<input type="hidden" name="next" value="{escape(back)}"><button type="submit">签收</button></form> ')
        + re.escape(f'<a class="button" href="{reverse("tasks:receipt_contest", args=[county.pk])}?next={quote(back, safe="")}">有异议</a>'),
        page,
    )
    Assignment.objects.filter(pk=county.pk).update(receipt=Assignment.Receipt.CONTESTED)
    page = client.get(reverse("tasks:my_tasks"), {"period": period.pk}).content.decode()
    assert '<div><span class="chip pending">已提出异议，等待统筹人员处理</span></div>' in page


def test_missing_reports_escape_titles_and_names(login, period, hostile):
    page = login(COORDINATOR).get(reverse("tasks:missing_reports"), {"period": period.pk, "unit_kind": "county"})
    text = page.content.decode()
    assert any(unit.pk == hostile.unit_id for unit, _rows in page.context["by_unit"])
    no_markup_from_users(text)
    assert f'data-unit="{SHORT_SHOWN}"' in text
    cut = escape(Truncator(TITLE).chars(40))  # titles are cut at 40 characters
    assert "onerror" not in cut and f'<td data-label="编号" class="num">1</td><td data-label="任务">{cut}</td>' in text
    assert f'<input type="checkbox" name="assignment" value="{hostile.pk}" aria-label="选择 1">' in text
    assert '<td data-label="本期报告"><span class="state state-none">未填写</span></td>' in text


def test_the_matrix_escapes_titles_and_names(login, plan, period, hostile):
    page = login(LEADER).get(reverse("dashboards:matrix", args=[plan.pk]), {"period": period.pk}).content.decode()
    no_markup_from_users(page)
    assert f'title="{TITLE_SHOWN}"' in page
    assert f"<span>{SHORT_SHOWN}</span>" in page
    assert '<td class="mx mx-overdue"><a href="' in page or '<td class="mx mx-not_started"><a href="' in page


def test_plan_and_task_list_chips_escape_names_and_fold_long_lists(login, plan, hostile):
    Unit.objects.filter(pk=hostile.unit_id).update(name="<b>东昌府区人民政府</b>")
    client = login(COORDINATOR)
    for url in (reverse("tasks:plan_detail", args=[plan.pk]), reverse("tasks:task_list", args=[plan.pk])):
        page = client.get(url).content.decode()
        no_markup_from_users(page)
        assert f'<span class="chip" title="&lt;b&gt;东昌府区人民政府&lt;/b&gt;">{SHORT_SHOWN}</span>' in page
        responsible = Assignment.objects.filter(task=hostile.task, role=Assignment.Role.RESPONSIBLE).count()
        assert responsible > 12
        assert f"<details><summary>{responsible} 个单位（点击展开）</summary>" in page
        assert '<dl class="units"><dt>牵头单位</dt><dd><span class="chip lead" title="' in page


def test_unit_chips_are_data(plan):
    sections = selectors.plan_sections(plan)
    task = sections[0].tasks.all()[0]
    chips = task.unit_chips
    assert set(chips) == {"lead", "responsible", "pending"}
    assert all(
        set(unit) == {"name", "short"} and all(type(value) is str for value in unit.values())
        for unit in chips["lead"] + chips["responsible"]
    )
    assert len(chips["lead"]) + len(chips["responsible"]) == task.assignments.count()


# --- the light and the badge ----------------------------------------------------------------------------------


def test_the_light_and_the_badge_come_from_their_templates():
    status = Status(Light.OVERDUE, '<b>"理由"</b>')
    assert html.light(status) == (
        '<span class="light light-red" title="&lt;b&gt;&quot;理由&quot;&lt;/b&gt;">'
        '<span class="dot" aria-hidden="true"></span>逾期</span>'
    )
    assert html.light(None) == ""
    assert html.light_mark(Light.DONE) == '<span class="light light-green"><span class="dot" aria-hidden="true"></span>已完成</span>'
    assert html.light_mark("nonsense") == ""
    assert html.state_badge(None) == '<span class="state state-none">未填写</span>'
    report = ProgressReport(state=ProgressReport.State.RETURNED)
    assert html.state_badge(report) == '<span class="state state-returned">已退回</span>'


# --- forms: Django's widgets; the filters' one-loop select ----------------------------------------------------


def test_the_report_and_review_forms_use_djangos_own_widgets(period, county):
    widgets = {name: type(field.widget) for name, field in ReportForm().fields.items()}
    assert widgets["progress"] is forms.RadioSelect and widgets["body"] is forms.Textarea
    assert widgets["version"] is forms.HiddenInput
    for form_class in (ReviewForm, ReturnForm):
        assert type(form_class().fields["note"].widget) is forms.Textarea


def test_the_report_form_page_escapes_the_saved_text(login, period, county):
    workflow.save_report(
        assignment=county, period=period, user=user(COUNTY_REPORTER),
        data={"progress": "behind", "body": '</textarea><script>alert("x")</script> & 第一段'},
    )
    page = login(COUNTY_REPORTER).get(reverse("tasks:report_edit", args=[county.pk, period.pk])).content.decode()
    assert "<script>" not in page
    assert "&lt;/textarea&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 第一段</textarea>" in page
    assert re.search(r'<input type="radio" name="progress" value="behind"[^>]* checked>', page)


@pytest.mark.parametrize("chosen", [None, "", "first", "last", "nonsense"])
def test_the_one_loop_select_writes_the_options_django_would(chosen):
    units = Unit.objects.order_by("order", "name")
    pick = {"first": units.first().pk, "last": units.last().pk}.get(chosen, chosen)

    def field(widget):
        class Form(forms.Form):
            unit = forms.ModelChoiceField(queryset=units, empty_label="全部单位", required=False, widget=widget)

        return Form({"unit": pick} if pick is not None else {})["unit"]

    ours, django = str(field(OneLoopSelect)), str(field(forms.Select))
    assert options(ours) == options(django)
    assert len(options(ours)) == units.count() + 1
    opening = ours[: ours.index(">") + 1]
    assert opening == django[: django.index(">") + 1]  # same attributes, same order
    if chosen in ("first", "last"):
        assert [value for value, selected, _label in options(ours) if selected] == [str(pick)]


def test_the_one_loop_select_escapes_labels_and_values():
    widget = OneLoopSelect(choices=[("", "全部"), ('"><script>', "<b>单位</b> & 其他")])
    written = widget.render("unit", '"><script>', attrs={"id": "id_unit"})
    assert "<script>" not in written and "<b>" not in written
    assert '<option value="&quot;&gt;&lt;script&gt;" selected>&lt;b&gt;单位&lt;/b&gt; &amp; 其他</option>' in written


def test_my_tasks_names_the_unit_of_each_row_for_a_user_of_several_units(login, plan, period, county):
    other = Assignment.objects.filter(task__plan=plan, unit__short_name="市司法局").select_related("task").first()
    Membership.objects.create(user=user(COUNTY_REPORTER), unit=other.unit, role=Membership.Role.REPORTER)
    page = login(COUNTY_REPORTER).get(reverse("tasks:my_tasks"), {"period": period.pk}).content.decode()
    section = county.task.section
    assert f'</a> <small class="muted">东昌府区 · {section.numeral}、{section.title}</small>' in page
    assert '<tr data-task="%s" data-unit="市司法局">' % other.task.number in page

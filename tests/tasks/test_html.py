"""The HTML written in Python (`tasks/html.py`) against what Django's templates would write: same choices and
selection, same escaping."""

import copy
import re

import pytest
from django import forms
from django.urls import reverse

from tasks import html, workflow
from tasks.forms import MAX_TEXT, ReportForm, ReturnForm, ReviewForm
from tasks.html import FastSelect
from tasks.models import ProgressReport
from tests.conftest import COORDINATOR, COUNTY_REPORTER, LEADER, user
from units.models import Unit

pytestmark = pytest.mark.django_db


def options(html):
    """(value, selected, label) of every <option>, in order."""
    return [
        (value, bool(selected), label)
        for value, selected, label in re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html)
    ]


@pytest.mark.parametrize("chosen", [None, "", "first", "last", "nonsense"])
def test_fast_select_writes_the_options_django_would(chosen):
    units = Unit.objects.order_by("order", "name")
    pick = {"first": units.first().pk, "last": units.last().pk}.get(chosen, chosen)

    def field(widget):
        class Form(forms.Form):
            unit = forms.ModelChoiceField(queryset=units, empty_label="全部单位", required=False, widget=widget)

        return Form({"unit": pick} if pick is not None else {})["unit"]

    fast, django = str(field(FastSelect)), str(field(forms.Select))
    assert options(fast) == options(django)
    assert len(options(fast)) == units.count() + 1
    opening = fast[: fast.index(">") + 1]
    assert opening.startswith("<select ") and ' name="unit"' in opening and ' id="id_unit"' in opening
    assert ("aria-invalid" in opening) == ("aria-invalid" in django[: django.index(">")])
    if chosen in ("first", "last"):
        assert [value for value, selected, _label in options(fast) if selected] == [str(pick)]


def test_fast_select_escapes_labels_and_values():
    widget = FastSelect(choices=[("", "全部"), ('"><script>', "<b>单位</b> & 其他")])
    html = widget.render("unit", '"><script>', attrs={"id": "id_unit"})
    assert "<script>" not in html and "<b>" not in html
    assert '<option value="&quot;&gt;&lt;script&gt;" selected>&lt;b&gt;单位&lt;/b&gt; &amp; 其他</option>' in html


def test_the_review_rows_escape_the_report_text_and_offer_ticks_to_coordinators_only(login, period, county):
    reporter = user(COUNTY_REPORTER)
    report = workflow.save_report(
        assignment=county, period=period, user=reporter, data={"body": "<script>alert(1)</script>" + "进" * 100}
    )
    report = workflow.submit(report, reporter)
    url = reverse("tasks:review_queue")
    page = login(COORDINATOR).get(url, {"period": period.pk}).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert f'<input type="checkbox" name="report" value="{report.pk}"' in page
    assert f'<input type="hidden" name="version_{report.pk}" value="{report.version}">' in page
    assert reverse("tasks:report_detail", args=[report.pk]) in page
    assert reverse("tasks:task_detail", args=[county.task_id]) in page
    assert "进" * 50 in page and "进" * 60 not in page  # cut at 80 characters, like |truncatechars:80
    report.refresh_from_db()
    assert report.state == ProgressReport.State.SUBMITTED
    leader_page = login(LEADER).get(url, {"period": period.pk}).content.decode()
    assert 'name="report"' not in leader_page and "&lt;script&gt;" in leader_page


def test_my_task_rows_escape_titles_names_and_return_notes(login, period, county):
    """我的任务's rows are f-strings of escaped values: markup in a task title, a unit's short name, a section
    title or a return note shows as text."""
    reporter = user(COUNTY_REPORTER)
    task = county.task
    task.title = '<script>alert("t")</script>'
    task.save()
    task.section.title = "<i>部分</i>"
    task.section.save()
    Unit.objects.filter(pk=county.unit_id).update(short_name="<b>东昌府</b>")
    report = workflow.submit(workflow.save_report(assignment=county, period=period, user=reporter,
                                                  data={"body": "已完成。"}), reporter)
    workflow.return_report(report, user(COORDINATOR), note='<img src=x onerror="alert(1)">请补充数据。')
    page = login(COUNTY_REPORTER).get(reverse("tasks:my_tasks"), {"period": period.pk}).content.decode()
    assert "<script>alert" not in page and "<i>部分" not in page and "<b>东昌府" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in page
    assert 'data-unit="&lt;b&gt;东昌府&lt;/b&gt;"' in page
    assert "&lt;i&gt;部分&lt;/i&gt;" in page
    assert '<small class="error-text">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;请补充数据。</small>' in page


# --- form widgets written in Python ---------------------------------------------------------------------------


def django_twin(widget):
    """The same widget (attributes, choices) as the Django class it stands in for."""
    twin = copy.deepcopy(widget)
    twin.__class__ = next(cls for cls in type(widget).__mro__ if cls.__module__.startswith("django.forms"))
    return twin


def rendered_both_ways(make_form, readonly=False):
    """{field name: (Python-rendered html, Django-rendered html)} of every field a Fast* widget renders."""
    pairs = {}
    for name, field in make_form().fields.items():
        if not isinstance(field.widget, html.PythonRenderedWidget):
            continue
        written = []
        for twin in (False, True):
            form = make_form()
            if twin:
                form.fields[name].widget = django_twin(form.fields[name].widget)
            if readonly:
                form.fields[name].widget.attrs["readonly"] = True
            if form.is_bound:
                form.is_valid()  # errors add aria-invalid
            written.append(str(form[name]))
        pairs[name] = tuple(written)
    return pairs


TRICKY = '<script>alert("x")</script> & 第一段\n第二段'


@pytest.mark.parametrize("case", ["new", "saved", "readonly", "invalid", "blank_post"])
def test_the_report_form_widgets_write_what_djangos_templates_write(period, county, case):
    report = None
    if case in ("saved", "readonly"):
        report = workflow.save_report(
            assignment=county, period=period, user=user(COUNTY_REPORTER),
            data={"progress": "behind", "body": TRICKY, "problems": "", "next_steps": "下一步"},
        )
    data = {
        "invalid": {"version": "x", "progress": "nonsense", "body": "长" * (MAX_TEXT + 1), "problems": TRICKY},
        "blank_post": {},
    }.get(case)

    def make_form():
        return ReportForm(data, report=report) if data is not None else ReportForm(report=report)

    pairs = rendered_both_ways(make_form, readonly=case == "readonly")
    assert set(pairs) == {"version", "progress", "body", "problems", "next_steps"}
    for name, (fast, django) in pairs.items():
        assert fast == django, name
    body = pairs["body"][0]
    assert "<script>" not in body
    if case == "saved":
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 第一段\n第二段</textarea>" in body
        assert 'value="behind" id="id_progress_2" checked' in pairs["progress"][0]
    if case == "invalid":
        assert 'aria-invalid="true"' in body
    if case == "readonly":
        assert " readonly" in body


@pytest.mark.parametrize("form_class", [ReviewForm, ReturnForm])
@pytest.mark.parametrize("data", [None, {"version": "3", "note": TRICKY}, {"version": "", "note": ""}])
def test_the_review_form_widgets_write_what_djangos_templates_write(form_class, data):
    def make_form():
        return form_class(data, initial={"version": 7}) if data is not None else form_class(initial={"version": 7})

    pairs = rendered_both_ways(make_form)
    assert set(pairs) == {"version", "note"}
    for name, (fast, django) in pairs.items():
        assert fast == django, name


def test_the_radio_buttons_write_option_groups_and_escape_labels_as_django_does():
    choices = [("", "<未选>"), ("组一", [("a", "甲 & 乙"), ("b", '"丙"')]), ("c", "丁")]
    attrs = {"id": "id_pick", "class": "radios"}
    for value in (None, "b", "c"):
        fast = html.FastRadioSelect(choices=choices).render("pick", value, attrs=attrs)
        django = forms.RadioSelect(choices=choices).render("pick", value, attrs=attrs)
        assert fast == django
    assert "&lt;未选&gt;" in fast and "<label>组一</label>" in fast

"""The HTML written in Python (`tasks/html.py`) against what Django's templates would write: same choices and
selection, same escaping."""

import re

import pytest
from django import forms
from django.urls import reverse

from tasks import workflow
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

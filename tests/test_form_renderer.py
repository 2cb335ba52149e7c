"""lib.renderers.FlatWidgetRenderer writes Django's widgets with flat templates: the markup must be Django's,
character for character, for every widget it takes over (values escaped, attributes as set on the widget or
by the bound field), and the report form must be rendered by it."""

from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from lib.renderers import FLAT, FlatWidgetRenderer
from tasks.forms import ReportForm
from tasks.models import Assignment, ReportingPeriod
from tests.conftest import LEAD_REPORTER

HOSTILE = '"><script>alert(1)</script>&amp;'
CHOICES = [("a", "甲"), ("b", HOSTILE), ("", "（空）")]
GROUPED = [("组一", [("1", "一"), ("2", "二")]), ("3", "三")]

WIDGETS = [
    (forms.TextInput(), "words", HOSTILE),
    (forms.TextInput(attrs={"maxlength": 10, "readonly": True, "required": False, "class": 'x"y'}), "words", ""),
    (forms.TextInput(attrs={"placeholder": _("请填写"), "data-none": None, "title": mark_safe("&lt;已转义&gt;")}), "w", "x"),
    (forms.HiddenInput(), "version", 3),
    (forms.HiddenInput(), "version", None),
    (forms.NumberInput(attrs={"min": 0}), "n", 0),
    (forms.EmailInput(), "mail", "a@b.cn"),
    (forms.PasswordInput(render_value=True), "secret", HOSTILE),
    (forms.URLInput(), "url", "https://x.cn/?a=1&b=2"),
    (forms.DateInput(), "day", "2025-03-01"),
    (forms.CheckboxInput(), "flag", True),
    (forms.CheckboxInput(), "flag", False),
    (forms.FileInput(attrs={"accept": ".pdf,.docx"}), "file", None),
    (forms.ClearableFileInput(attrs={"accept": ".pdf"}), "file", None),
    (forms.Textarea(attrs={"rows": 4, "maxlength": 20000}), "body", "第一行\n<b>第二行</b> & 三"),
    (forms.Textarea(), "body", "\n以换行开头"),
    (forms.Textarea(), "body", ""),
    (forms.Textarea(), "body", None),
    (forms.RadioSelect(choices=CHOICES), "progress", "b"),
    (forms.RadioSelect(choices=CHOICES), "progress", None),
    (forms.RadioSelect(choices=GROUPED, attrs={"class": "row"}), "progress", "2"),
    (forms.CheckboxSelectMultiple(choices=CHOICES), "units", ["a", ""]),
    (forms.CheckboxSelectMultiple(choices=GROUPED), "units", []),
]


class OwnOption(forms.RadioSelect):
    option_template_name = "django/forms/widgets/input_option.html"


@pytest.mark.parametrize("widget, name, value", WIDGETS)
@pytest.mark.parametrize("attrs", [None, {"id": "id_f", "aria-describedby": "id_f_helptext"}])
def test_each_flat_widget_writes_djangos_markup(widget, name, value, attrs):
    django, flat = DjangoTemplates(), FlatWidgetRenderer()
    assert FLAT.get(widget.template_name), f"{widget.template_name} is not written flat"
    expected = widget.render(name, value, attrs=attrs, renderer=django)
    assert widget.render(name, value, attrs=attrs, renderer=flat) == expected
    assert "<script>" not in expected


def test_each_choice_alone_and_a_foreign_option_template():
    """{% for radio in form.progress %}{{ radio }}: one choice through radio_option.html; a widget with its own
    option template keeps Django's loop (which includes that template)."""
    django, flat = DjangoTemplates(), FlatWidgetRenderer()
    for widget in (forms.RadioSelect(choices=CHOICES), forms.CheckboxSelectMultiple(choices=CHOICES)):
        tags = {}
        for renderer in (django, flat):
            form = forms.Form(initial={"f": "b"}, renderer=renderer)
            form.fields["f"] = forms.ChoiceField(choices=CHOICES, widget=widget, help_text="说明")
            tags[renderer] = [(str(choice), choice.tag(), choice.tag(wrap_label=False)) for choice in form["f"]]
        assert tags[flat] == tags[django] and len(tags[flat]) == 3
    own = OwnOption(choices=CHOICES)
    assert own.render("p", "a", renderer=flat) == own.render("p", "a", renderer=django)


def test_a_bound_form_with_errors_is_djangos():
    django, flat = DjangoTemplates(), FlatWidgetRenderer()
    data = {"body": "x" * 20001, "progress": "nonsense", "version": "v"}
    pages = [
        [str(form[name]) + str(form[name].errors) for name in ("progress", "body", "problems", "version")]
        + [str(form)]
        for form in (ReportForm(data, renderer=django), ReportForm(data, renderer=flat))
    ]
    assert pages[1] == pages[0]
    assert 'class="errorlist"' in pages[1][0] + pages[1][1]


def test_the_site_renders_forms_flat_and_the_flat_templates_include_nothing():
    assert settings.FORM_RENDERER == "lib.renderers.FlatWidgetRenderer"
    assert isinstance(get_default_renderer(), FlatWidgetRenderer)
    folder = Path(settings.BASE_DIR) / "templates" / "widgets" / "flat"
    names = {Path(name).name for name in FLAT.values()}
    assert names == {path.name for path in folder.glob("*.html")}
    for name in names:
        assert "{% include" not in (folder / name).read_text(encoding="utf-8")


def test_the_report_page_is_written_flat(login, plan, monkeypatch):
    """The report form's widgets (进度, texts, version, attachments) go through the flat templates."""
    used = []
    original = FlatWidgetRenderer.render

    def spy(self, template_name, context, request=None):
        used.append(template_name)
        return original(self, template_name, context, request)

    monkeypatch.setattr(FlatWidgetRenderer, "render", spy)
    assignment = Assignment.objects.filter(task__plan=plan, unit__memberships__user__username=LEAD_REPORTER).first()
    period = ReportingPeriod.objects.filter(plan=plan).order_by("starts_on").first()
    response = login(LEAD_REPORTER).get(reverse("tasks:report_edit", args=[assignment.pk, period.pk]))
    assert response.status_code == 200
    assert {"django/forms/widgets/radio.html", "django/forms/widgets/textarea.html"} <= set(used)
    assert set(used) <= set(FLAT)
    assert 'name="progress"' in response.text and 'name="body"' in response.text

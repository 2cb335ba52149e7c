"""Forms of the year-end report draft: choose the period to assemble from, edit a part, edit the head fields.

Each editing form carries the `version` it was read at: a save on top of a newer one is refused.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AnnualReport, ReportTemplate, TemplatePart

MAX_PART_TEXT = 200_000  # characters: a whole section's accounts can be long


class AssembleForm(forms.Form):
    """The period whose accepted reports go into the draft; only the plan's own periods are offered.

    `periods` is the list the view already read, so that the form adds no query.
    """

    period = forms.TypedChoiceField(label=_("汇编所据报送期"), coerce=int)

    def __init__(self, *args, periods, initial_period=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = {period.pk: period for period in periods}
        field = self.fields["period"]
        field.choices = [(period.pk, period.name) for period in periods]
        if initial_period is not None:
            field.initial = initial_period.pk

    def clean_period(self):
        return self.periods[self.cleaned_data["period"]]


class PartForm(forms.Form):
    text = forms.CharField(
        label=_("正文"),
        required=False,
        max_length=MAX_PART_TEXT,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_("每段一行；空行会被去掉。导出时每行成为一个段落，首行缩进两字。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class HeadForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = AnnualReport
        fields = ["title", "issuer", "date", "addressee"]
        widgets = {
            "title": forms.TextInput(attrs={"size": 60}),
            "issuer": forms.TextInput(attrs={"size": 30}),
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "addressee": forms.TextInput(attrs={"size": 40}),
        }
        help_texts = {
            "issuer": _("落款的发文机关，如“聊城市人民政府”。"),
            "date": _("成文日期，可暂不填写。"),
            "addressee": _("主送机关，如“市委、市人大常委会”；不需要时留空。"),
        }


class TemplatePartForm(forms.Form):
    """One part of the report template: heading, what it holds, its place and the plan sections it takes."""

    pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    heading = forms.CharField(label=_("一级标题"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("内容"), choices=TemplatePart.Kind.choices)
    order = forms.IntegerField(label=_("顺序"), required=False, min_value=1, max_value=99)
    sections = forms.TypedMultipleChoiceField(
        label=_("所含计划部分"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("主要举措类部分不勾选时，包含其他部分没有勾选的全部计划部分。"),
    )

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"].choices = [(s.pk, f"{s.number}. {s.title}") for s in sections]


TemplatePartFormSet = forms.formset_factory(TemplatePartForm, extra=1, can_delete=True, max_num=20)


class TemplateSettingsForm(forms.Form):
    digest_limit = forms.IntegerField(
        label=_("每项任务摘录字数上限"),
        min_value=100,
        max_value=5000,
        help_text=_("没有牵头单位汇总时，从各单位报告中摘取含数据的句子，最多这么多字；其余留在材料中。"),
    )


class PresetForm(forms.Form):
    preset = forms.ChoiceField(
        label=_("套用模板"),
        choices=[(p.value, p.label) for p in ReportTemplate.Preset if p != ReportTemplate.Preset.CUSTOM],
    )

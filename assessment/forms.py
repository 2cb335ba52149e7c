from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Circular, ScoringRule


class RuleForm(forms.ModelForm):
    class Meta:
        model = ScoringRule
        fields = [
            "on_time_points", "first_pass_points", "complete_points", "receipt_points", "receipt_workdays",
            "urge_deduction", "extension_deduction",
        ]


class AdjustmentForm(forms.Form):
    unit = forms.IntegerField(widget=forms.HiddenInput)
    period = forms.IntegerField(required=False, widget=forms.HiddenInput)
    points = forms.DecimalField(label=_("加减分"), max_digits=5, decimal_places=1,
                                help_text=_("加分写正数，减分写负数，如 2 或 -1.5。"))
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000,
                             error_messages={"required": _("请写明调整理由：理由会显示在该单位的得分明细里。")})


class PracticeForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=60,
                            help_text=_("简短说明这条经验，如“推行‘首违不罚’清单”。"),
                            error_messages={"required": _("请填写标题。")})
    passage = forms.CharField(
        label=_("摘录"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("在右侧报告原文中选中一段文字后点“使用选中的文字”，或整段复制过来；留空表示整份报告。"),
    )


class CircularForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Circular
        fields = ["title", "doc_number", "recipients", *Circular.PARTS, "cc", "issuer", "issued_on"]
        widgets = {
            "recipients": forms.Textarea(attrs={"rows": 2}),
            "progress_text": forms.Textarea(attrs={"rows": 6}),
            "units_text": forms.Textarea(attrs={"rows": 6}),
            "practice_text": forms.Textarea(attrs={"rows": 8}),
            "requirements_text": forms.Textarea(attrs={"rows": 5}),
            "cc": forms.Textarea(attrs={"rows": 2}),
            "issued_on": forms.DateInput(attrs={"type": "date"}),
        }

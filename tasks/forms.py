import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from units.models import Unit

from . import access, periods, uploads
from .models import Assignment, ProgressReport, ReportAttachment, ReportingPeriod

MAX_TEXT = 20000  # characters per text field of a report: a long report is ~1,500
# Dates a period or a deadline may have: a plan's year is 2000–2100, and working days are counted day by day.
EARLIEST_DATE, LATEST_DATE = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)


def plausible_date(day):
    if day and not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(_("请填写 2000 年至 2100 年之间的日期。"), code="range")


class IdsField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses an id which is not a plain number within the databases' range
    before it reaches a query (SQLite fails on an integer beyond 64 bits in `pk__in`)."""

    def clean(self, value):
        for pk in value if isinstance(value, (list, tuple)) else []:
            if access.parse_pk(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super().clean(value)


class GroupMembersForm(forms.Form):
    """Pick members of a selective group; only the group's own members are offered."""

    units = IdsField(
        label=_("选定单位"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = group.members.filter(is_active=True).order_by("order", "name")


# --- reporting ---------------------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked on its content by `tasks.uploads.check_attachment`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": uploads.ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        checked, errors = [], []
        for uploaded in files:
            try:
                checked.append((uploaded, uploads.check_attachment(uploaded)))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            errors.append(_("其他内容已保留在页面上，请重新选择附件后再保存。"))
            raise ValidationError(errors)
        return checked


class ReportForm(forms.ModelForm):
    """A unit's report. `version` is the version the form was read at: a save on top of a newer one is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    attachments = MultipleFileField(
        label=_("附件"),
        required=False,
        help_text=_("可选多个文件，每个不超过 20 MB；限 PDF、Word、Excel、JPG、PNG、OFD。"),
    )
    remove_attachments = IdsField(
        label=_("删除附件"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ProgressReport
        fields = ["progress", "body", "problems", "next_steps"]
        widgets = {
            "progress": forms.RadioSelect,
            "body": forms.Textarea(attrs={"rows": 12}),
            "problems": forms.Textarea(attrs={"rows": 4}),
            "next_steps": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "body": _("本期开展的工作、取得的成效，尽量写具体的数据和事例。"),
        }

    def __init__(self, *args, report=None, **kwargs):
        super().__init__(*args, instance=report, **kwargs)
        existing = report.attachments.filter(removed_at__isnull=True) if report and report.pk else None
        self.fields["remove_attachments"].queryset = existing if existing is not None else ReportAttachment.objects.none()
        if existing is None:
            del self.fields["remove_attachments"]
        self.fields["progress"].required = False  # unchosen means 未启动, as the model's default
        if not self.is_bound:
            self.initial["version"] = report.version if report and report.pk else 0
        for name in ("body", "problems", "next_steps"):
            self.fields[name].widget.attrs["maxlength"] = MAX_TEXT
            self.fields[name].validators.append(MaxLengthValidator(MAX_TEXT))


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("审核意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReturnForm(ReviewForm):
    note = forms.CharField(
        label=_("退回意见"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("退回时必须填写退回意见，告诉单位需要修改什么。")},
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class UrgeForm(forms.Form):
    """催办 / 催签收: the coordinator's note, an optional reply-by date (checked by workflow.check_reply_by),
    and `confirm` once the coordinator has confirmed urging a unit again within the repeat window."""

    note = forms.CharField(
        label=_("催办说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    reply_by = forms.DateField(
        label=_("答复期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        validators=[plausible_date],
        error_messages={"invalid": _("请按“年-月-日”填写答复期限，例如 2022-06-30。")},
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ContestForm(forms.Form):
    reason = forms.CharField(
        label=_("异议理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("请说明为什么这项任务不属于本单位职责，建议由哪个单位承担。"),
        error_messages={"required": _("请写明理由。")},
    )


class ReassignForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("改派给"), queryset=None, empty_label=_("请选择单位"))
    note = forms.CharField(label=_("说明"), required=False, max_length=2000)

    def __init__(self, *args, assignment, **kwargs):
        super().__init__(*args, **kwargs)
        taken = Assignment.objects.filter(task_id=assignment.task_id).values("unit_id")
        self.fields["unit"].queryset = Unit.objects.filter(is_active=True).exclude(pk__in=taken).order_by("order", "name")


class ExtensionForm(forms.Form):
    new_deadline = forms.DateField(
        label=_("申请延至"), widget=forms.DateInput(attrs={"type": "date"}), validators=[plausible_date],
        error_messages={"invalid": _("请按“年-月-日”填写日期，例如 2022-12-31。")},
    )
    reason = forms.CharField(label=_("延期理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审批"), choices=[("grant", _("同意延期")), ("refuse", _("不同意"))], widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("审批意见"), required=False, max_length=2000)


class PeriodPresetForm(forms.Form):
    preset = forms.ChoiceField(label=_("按预设生成"), choices=periods.PRESET_CHOICES)


class PeriodForm(forms.ModelForm):
    class Meta:
        model = ReportingPeriod
        fields = ["name", "starts_on", "ends_on", "due_on"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "due_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        for name in ("starts_on", "ends_on", "due_on"):
            self.fields[name].validators.append(plausible_date)

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("结束日期不能早于开始日期。"))
        name = data.get("name")
        if name and ReportingPeriod.objects.filter(plan=self.instance.plan, name=name).exclude(pk=self.instance.pk).exists():
            self.add_error("name", _("本计划已有名为“%(name)s”的报送期。") % {"name": name})
        return data


# --- assignment control (coordinators) ---------------------------------------------------------------------

DATE_INVALID = _("请按“年-月-日”填写日期，例如 2022-12-31。")


def date_field(label, required=True):
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}),
        validators=[plausible_date], error_messages={"invalid": DATE_INVALID, "required": _("请填写日期。")},
    )


class AddAssignmentForm(forms.Form):
    """增加单位 on a task: any active unit not in force on it (one taken off before may come back)."""

    unit = forms.ModelChoiceField(
        label=_("单位"), queryset=None, empty_label=_("请选择单位"),
        error_messages={"required": _("请选择要增加的单位。"), "invalid_choice": _("所选单位已在这项任务中或已停用，请重新选择。")},
    )
    role = forms.ChoiceField(label=_("分工"), choices=Assignment.Role.choices, initial=Assignment.Role.RESPONSIBLE)
    deadline = date_field(_("完成时限（留空则按任务的完成时限）"), required=False)
    note = forms.CharField(label=_("说明"), required=False, max_length=2000)

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        taken = Assignment.objects.active().filter(task_id=task.pk).values("unit_id")
        self.fields["unit"].queryset = Unit.objects.filter(is_active=True).exclude(pk__in=taken).order_by("order", "name")


class RemoveAssignmentForm(forms.Form):
    reason = forms.CharField(
        label=_("移出理由"), max_length=2000, error_messages={"required": _("请写明移出的理由，单位会收到这一说明。")}
    )


class DeadlineForm(forms.Form):
    deadline = date_field(_("新的完成时限"))
    reason = forms.CharField(
        label=_("调整理由"), max_length=2000, error_messages={"required": _("请写明调整完成时限的理由。")}
    )


class PeriodEditForm(forms.Form):
    """修改报送期: the dates are checked by `workflow.update_period` (the one rule), its refusal shown here."""

    name = forms.CharField(label=_("名称"), max_length=50, error_messages={"required": _("请填写报送期名称。")})
    starts_on = date_field(_("开始日期"))
    ends_on = date_field(_("结束日期"))
    due_on = date_field(_("报送截止日期"))


class ConfirmForm(forms.Form):
    """A step that must be confirmed: the box is required on the server, not only in the browser."""

    confirmed = forms.BooleanField(
        label=_("我已核对以上内容，确认无误"), error_messages={"required": _("请先勾选“我已核对”，确认后再提交。")}
    )


class CompleteTaskForm(forms.Form):
    note = forms.CharField(
        label=_("办结说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("还有单位的最后一期报告未审核通过时，必须说明为什么现在办结。"),
    )

"""The import page's two forms: the notice in (file or pasted text), and the coordinator's decisions."""

import hashlib

from django import forms
from django.utils.translation import gettext_lazy as _

from units.models import Unit

from .parser import NoticeError, parse_notice
from .reader import MAX_UPLOAD_BYTES, read_notice_file

MAP, CREATE, IGNORE = "map", "create", "ignore"


def digest(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class NoticeForm(forms.Form):
    file = forms.FileField(
        label=_("通知文件"),
        required=False,
        allow_empty_file=True,  # the reader says what is wrong with an empty file, in its own words
        help_text=_(
            "Word（.docx，含任务分工表）、Excel（.xlsx）、可复制文字的 PDF 或文本（.txt），不超过 %(mb)s MB。"
        )
        % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.xlsx,.pdf,.txt"}),
    )
    text = forms.CharField(
        label=_("或粘贴通知全文"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "placeholder": _("从网页或 PDF 复制通知全文，粘贴到这里")}),
    )
    year = forms.IntegerField(
        label=_("计划年度"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("留空则从通知中识别。"),
    )

    def clean(self):
        data = super().clean()
        upload, pasted = data.get("file"), (data.get("text") or "").strip()
        if not upload and not pasted:
            raise forms.ValidationError(_("请选择通知文件，或把通知全文粘贴到文本框中。"))
        try:
            if upload:
                if upload.size > MAX_UPLOAD_BYTES:
                    raise NoticeError(
                        _("文件“%(name)s”超过%(limit)sMB的大小上限，请只上传通知正文。")
                        % {"name": upload.name, "limit": MAX_UPLOAD_BYTES // (1024 * 1024)}
                    )
                data["notice_text"] = read_notice_file(upload.name, upload.read())
                data["source_name"] = upload.name
            else:
                data["notice_text"] = pasted
                data["source_name"] = ""
            data["notice"] = parse_notice(data["notice_text"], year=data.get("year"))
        except NoticeError as error:
            raise forms.ValidationError(str(error)) from None
        return data


class DecisionForm(forms.Form):
    """One choice per unknown name, one member pick per selective group, and whether to replace a draft."""

    digest = forms.CharField(widget=forms.HiddenInput)
    publish = forms.BooleanField(
        label=_("导入后立即发布（状态为“执行中”，各单位即可看到任务）"), required=False
    )

    def __init__(self, *args, preview, text_digest, **kwargs):
        super().__init__(*args, initial={"digest": text_digest}, **kwargs)
        self.preview = preview
        self.text_digest = text_digest
        self.name_rows = []
        units = Unit.objects.filter(is_active=True).order_by("kind", "order", "name")
        for index, (name, numbers) in enumerate(preview.unresolved.items()):
            self.fields[f"action_{index}"] = forms.ChoiceField(
                label=name,
                choices=[
                    (MAP, _("对应到已有单位（并记住这个写法）")),
                    (CREATE, _("新建单位")),
                    (IGNORE, _("忽略（不分配，原文保留）")),
                ],
                initial=MAP,
                widget=forms.RadioSelect,
            )
            self.fields[f"unit_{index}"] = forms.ModelChoiceField(
                label=_("对应单位"), queryset=units, required=False, empty_label=_("请选择单位")
            )
            self.fields[f"kind_{index}"] = forms.ChoiceField(
                label=_("新单位类别"),
                choices=Unit.Kind.choices,
                initial=Unit.Kind.CITY_DEPARTMENT,
                required=False,
            )
            self.name_rows.append(
                {
                    "name": name,
                    "numbers": numbers,
                    "action": self[f"action_{index}"],
                    "unit": self[f"unit_{index}"],
                    "kind": self[f"kind_{index}"],
                }
            )
        self.group_rows = []
        for number, group in preview.selective:
            key = f"group_{number}_{group.pk}"
            self.fields[key] = forms.ModelMultipleChoiceField(
                label=group.name,
                queryset=group.members.filter(is_active=True).order_by("order", "name"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.group_rows.append({"number": number, "group": group, "field": self[key]})
        existing = preview.existing_plan
        if existing is not None and not preview.blocked:
            self.fields["replace"] = forms.BooleanField(
                label=_("替换已有的草稿计划“%(title)s”（草稿中的修改将丢失）") % {"title": existing.title},
                required=True,
                error_messages={"required": _("同文号的草稿计划已存在：勾选“替换”才能导入。")},
            )

    def clean_digest(self):
        if self.cleaned_data["digest"] != self.text_digest:
            raise forms.ValidationError(
                _("待导入的通知已在另一个窗口中更换。请核对下面的新预览后再确认。"), code="stale"
            )
        return self.cleaned_data["digest"]

    def clean(self):
        data = super().clean()
        if self.preview.blocked:
            raise forms.ValidationError(self.preview.blocked)
        for index, row in enumerate(self.name_rows):
            if data.get(f"action_{index}") == MAP and not data.get(f"unit_{index}"):
                self.add_error(f"unit_{index}", _("请为“%(name)s”选择对应的单位。") % {"name": row["name"]})
        return data

    def decisions(self):
        """Keyword arguments for `import_notice`."""
        data = self.cleaned_data
        aliases, new_units, ignored = {}, {}, set()
        for index, row in enumerate(self.name_rows):
            action = data[f"action_{index}"]
            if action == MAP:
                aliases[row["name"]] = data[f"unit_{index}"]
            elif action == CREATE:
                new_units[row["name"]] = data[f"kind_{index}"] or Unit.Kind.CITY_DEPARTMENT
            else:
                ignored.add(row["name"])
        choices = {
            (row["number"], row["group"].pk): list(data[f"group_{row['number']}_{row['group'].pk}"])
            for row in self.group_rows
        }
        return {
            "aliases": aliases,
            "new_units": new_units,
            "ignored": ignored,
            "choices": choices,
            "replace": bool(data.get("replace")),
        }


class EditForm(forms.Form):
    """One fix made in the preview: a line's role, a task's deadline or a unit's role in a task."""

    LINE_KINDS = [
        ("heading", _("设为部分标题")),
        ("task", _("设为新任务（拆分）")),
        ("text", _("并入上一任务（合并）")),
        ("auto", _("恢复自动识别")),
    ]

    op = forms.ChoiceField(choices=[("line", "line"), ("deadline", "deadline"), ("role", "role")])
    line = forms.IntegerField(label=_("行号"), min_value=1)
    kind = forms.ChoiceField(label=_("改为"), choices=LINE_KINDS, required=False)
    deadline = forms.DateField(label=_("完成时限"), required=False)
    name = forms.CharField(label=_("单位"), required=False, max_length=200)
    role = forms.ChoiceField(
        label=_("角色"), choices=[("lead", _("牵头单位")), ("responsible", _("责任单位"))], required=False
    )

    def __init__(self, *args, line_count, **kwargs):
        super().__init__(*args, **kwargs)
        self.line_count = line_count

    def clean(self):
        data = super().clean()
        line = data.get("line")
        if line is not None and line > self.line_count:
            raise forms.ValidationError(
                _("第%(line)s行不存在，通知共%(count)s行。") % {"line": line, "count": self.line_count}
            )
        if data.get("op") == "line" and not data.get("kind"):
            raise forms.ValidationError(_("请选择这一行改成什么。"))
        if data.get("op") == "role" and not (data.get("name") and data.get("role")):
            raise forms.ValidationError(_("请选择单位和它的角色。"))
        return data

    def apply(self, edits):
        """The edits with this fix applied (line numbers shown from 1, stored from 0)."""
        data, index = self.cleaned_data, str(self.cleaned_data["line"] - 1)
        edits = {key: dict(value) for key, value in (edits or {}).items()}
        if data["op"] == "line":
            lines = edits.setdefault("lines", {})
            if data["kind"] == "auto":
                lines.pop(index, None)
            else:
                lines[index] = data["kind"]
        elif data["op"] == "deadline":
            deadlines = edits.setdefault("deadlines", {})
            if data["deadline"]:
                deadlines[index] = data["deadline"].isoformat()
            else:
                deadlines.pop(index, None)
        else:
            edits.setdefault("roles", {})[f"{index}|{data['name']}"] = data["role"]
        return edits


def describe_edits(edits):
    """The fixes in words, for the import record."""
    kinds = dict(EditForm.LINE_KINDS)
    roles = {"lead": _("牵头单位"), "responsible": _("责任单位")}
    words = [
        _("第%(line)s行%(kind)s") % {"line": int(i) + 1, "kind": kinds.get(kind, kind)}
        for i, kind in (edits or {}).get("lines", {}).items()
    ]
    words += [
        _("第%(line)s行的任务完成时限设为%(date)s") % {"line": int(i) + 1, "date": date}
        for i, date in (edits or {}).get("deadlines", {}).items()
    ]
    words += [
        _("第%(line)s行的任务中“%(name)s”改为%(role)s")
        % {
            "line": int(key.partition("|")[0]) + 1,
            "name": key.partition("|")[2],
            "role": roles.get(role, role),
        }
        for key, role in (edits or {}).get("roles", {}).items()
    ]
    return words

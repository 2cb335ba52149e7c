"""Excel/CSV import and export of the unit directory (django-import-export), with Chinese headers."""

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV, XLSX

from .models import Unit

# Reference data moves through Excel and CSV only.
EXCEL_FORMATS = [XLSX, CSV]


class ChoicesWidget(widgets.Widget):
    """A choice field written as its Chinese label in Excel; the stored code is accepted as well."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        for code, label in self.choices:
            if text in (code, str(label)):
                return code
        allowed = "、".join(str(label) for _code, label in self.choices)
        raise ValueError(
            _("“%(value)s”不是有效的选项，可填：%(allowed)s") % {"value": text, "allowed": allowed}
        )

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class NamedForeignKeyWidget(widgets.ForeignKeyWidget):
    """A related row given by a name; an unknown name is a clear error on that row, not a crash."""

    def __init__(self, model, field, label, **kwargs):
        self.label = label
        super().__init__(model, field=field, **kwargs)

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(
                _("找不到%(label)s“%(value)s”，请先添加它，或改为已有的名称。")
                % {"label": self.label, "value": value}
            ) from None


class ChineseBooleanWidget(widgets.BooleanWidget):
    TRUE_VALUES = [*widgets.BooleanWidget.TRUE_VALUES, "是", "有效"]
    FALSE_VALUES = [*widgets.BooleanWidget.FALSE_VALUES, "否", "无效", "停用"]

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class UnitResource(resources.ModelResource):
    name = fields.Field(attribute="name", column_name=_("全称"))
    short_name = fields.Field(attribute="short_name", column_name=_("简称"))
    kind = fields.Field(attribute="kind", column_name=_("类别"), widget=ChoicesWidget(Unit.Kind.choices))
    parent = fields.Field(
        attribute="parent", column_name=_("上级单位"), widget=NamedForeignKeyWidget(Unit, "name", _("单位"))
    )
    order = fields.Field(attribute="order", column_name=_("排序"), widget=widgets.IntegerWidget())
    is_active = fields.Field(attribute="is_active", column_name=_("有效"), widget=ChineseBooleanWidget())

    class Meta:
        model = Unit
        fields = ("name", "short_name", "kind", "parent", "order", "is_active")
        import_id_fields = ("name",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False

"""Excel/CSV import and export of the unit directory (django-import-export), with Chinese headers.

The admin's formats are bounded and formula-safe: an imported file is at most IMPORT_MAX_BYTES, an .xlsx is
checked by lib.archives before openpyxl opens it (zip bombs), and an export writes text that starts like a
formula as text (lib.spreadsheets, the rule of the product's own workbooks).
"""

import io
import time

import tablib
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV, XLSX

from lib.archives import ArchiveRefused, Limits, check_archive
from lib.spreadsheets import csv_value, xlsx_cell

from .models import Unit

IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_MAX_ROWS = 20_000
# An import of reference data has hundreds of rows; 200,000 XML elements leave room for tens of thousands.
IMPORT_LIMITS = Limits(max_members=200, max_bytes=50 * 1024 * 1024, max_elements=200_000, max_seconds=10)


class ImportRefused(ArchiveRefused):
    """An import file refused before it is read; str() is the Chinese message."""


def refuse_large_import(size, name=""):
    if size > IMPORT_MAX_BYTES:
        raise ImportRefused(
            gettext("导入文件“%(name)s”超过 %(mb)s MB 的上限。请只导入需要的行，或分成几个文件导入。")
            % {"name": name, "mb": IMPORT_MAX_BYTES // (1024 * 1024)},
            "size",
        )


class BoundedXLSX(XLSX):
    """.xlsx import within lib.archives' limits; export with every text cell a string (never a formula)."""

    def create_dataset(self, in_stream):
        refuse_large_import(len(in_stream))
        try:
            check_archive(in_stream, name=gettext("导入文件"), limits=IMPORT_LIMITS)
        except ArchiveRefused as error:
            if error.code == "damaged":
                raise ImportRefused(
                    gettext(
                        "导入文件不是有效的 Excel（.xlsx）文件，请在 Excel/WPS 中另存为 .xlsx 后再导入。"
                    ),
                    "damaged",
                ) from error
            raise
        return _read_first_sheet(in_stream)

    def export_data(self, dataset, **kwargs):
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(title=(dataset.title or "Sheet1")[:31])
        sheet.append([xlsx_cell(sheet, str(header)) for header in dataset.headers or []])
        for row in dataset:
            sheet.append([xlsx_cell(sheet, value) for value in row])
        output = io.BytesIO()
        book.save(output)
        return output.getvalue()


def _read_first_sheet(data):
    """The first sheet as a Dataset (import-export's XLSX reading), bounded: at most IMPORT_MAX_ROWS rows, in
    IMPORT_LIMITS.max_seconds, every row as wide as the header row (tablib checks a ragged or empty row against
    every row before it: quadratic, minutes for a sheet of empty rows)."""
    import openpyxl
    from django.conf import settings

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows = book.active.iter_rows(values_only=True)
        headers = list(next(rows, ()))
        if all(header is None for header in headers):
            raise ImportRefused(
                gettext("导入文件第一行应为列标题（如“全称”“简称”），第一行却是空的。请检查后再导入。"), "headers"
            )
        dataset = tablib.Dataset(headers=headers)
        width = len(headers)
        ignore_blanks = getattr(settings, "IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES", False)
        deadline = time.monotonic() + IMPORT_LIMITS.max_seconds
        for count, row in enumerate(rows, start=1):
            if count > IMPORT_MAX_ROWS:
                raise ImportRefused(
                    gettext(
                        "导入文件超过 %(rows)s 行（可能含有大量空行）。请删除多余的行，或分成几个文件导入。"
                    )
                    % {"rows": IMPORT_MAX_ROWS},
                    "rows",
                )
            if time.monotonic() > deadline:
                raise ImportRefused(
                    gettext("读取导入文件超过了 %(seconds)s 秒，已停止。请删除多余的行后重新保存再导入。")
                    % {"seconds": int(IMPORT_LIMITS.max_seconds)},
                    "time",
                )
            values = (list(row) + [None] * width)[:width]
            if not (ignore_blanks and all(value is None for value in values)):
                dataset.append(values)
        return dataset
    finally:
        book.close()


class BoundedCSV(CSV):
    """.csv import of at most IMPORT_MAX_BYTES; export with formula-like text behind an apostrophe."""

    def create_dataset(self, in_stream, **kwargs):
        refuse_large_import(len(in_stream))
        return super().create_dataset(in_stream, **kwargs)

    def export_data(self, dataset, **kwargs):
        safe = tablib.Dataset(headers=dataset.headers, title=dataset.title)
        for row in dataset:
            safe.append([csv_value(value) for value in row])
        return super().export_data(safe, **kwargs)


# Reference data moves through Excel and CSV only.
EXCEL_FORMATS = [BoundedXLSX, BoundedCSV]


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

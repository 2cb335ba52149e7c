"""Units through the admin's Excel/CSV import and export (django-import-export)."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import COORDINATOR
from units.models import Unit

pytestmark = pytest.mark.django_db

HEADER = "全称,简称,类别,上级单位,排序,有效\n"
CSV_FORMAT = "1"  # the admin offers xlsx (0) and csv (1)


def upload(client, text, name="units.csv"):
    return client.post(
        reverse("admin:units_unit_import"),
        {
            "import_file": SimpleUploadedFile(name, text.encode("utf-8")),
            "format": CSV_FORMAT,
            "resource": "0",
        },
    )


def test_a_bad_row_is_reported_by_number_and_nothing_is_imported(login):
    before = Unit.objects.count()
    response = upload(
        login(COORDINATOR),
        HEADER
        + "聊城市测试一局,市测试一局,市直部门,,900,是\n"
        + "聊城市测试二局,市测试二局,火星部门,,910,是\n"
        + "聊城市测试三局,市测试三局,city_department,不存在的单位,920,是\n",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "“火星部门”不是有效的选项" in page
    assert "找不到单位“不存在的单位”" in page
    rows = [row for row in response.context["result"].valid_rows()]
    assert [row.number for row in response.context["result"].invalid_rows] == [2, 3]
    assert len(rows) == 1
    assert "confirm_form" not in response.context
    assert Unit.objects.count() == before


def test_a_clean_file_imports_after_confirmation(login):
    client = login(COORDINATOR)
    response = upload(client, HEADER + "聊城市测试一局,市测试一局,市直部门,聊城市财政局,900,是\n")
    assert response.status_code == 200
    assert not Unit.objects.filter(name="聊城市测试一局").exists()  # a preview only
    confirm = response.context["confirm_form"]
    response = client.post(reverse("admin:units_unit_process_import"), confirm.initial)
    assert response.status_code == 302
    unit = Unit.objects.get(name="聊城市测试一局")
    assert (unit.kind, unit.parent.short_name, unit.order) == ("city_department", "市财政局", 900)


def test_units_export_to_excel_with_chinese_headers(login):
    response = login(COORDINATOR).post(
        reverse("admin:units_unit_export"),
        {
            "format": "0",
            "resource": "0",
            **{
                f"unitresource_{f}": "on"
                for f in ["name", "short_name", "kind", "parent", "order", "is_active"]
            },
        },
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("全称", "简称", "类别", "上级单位", "排序", "有效")
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["聊城市茌平区财政局"][2:4] == ("其他单位", "聊城市茌平区人民政府")
    assert len(rows) - 1 == Unit.objects.count()

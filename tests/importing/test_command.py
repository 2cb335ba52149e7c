"""`manage.py import_plan PATH --dry-run --json` reads every input type the page reads (issue 18)."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tasks.models import WorkPlan

from .corpus_files import corpus_notices, scanned_pdf

pytestmark = pytest.mark.django_db

BY_TYPE = {}
for _notice in corpus_notices():
    BY_TYPE.setdefault(_notice.filename.rsplit(".", 1)[1], _notice)


def dry_run(path):
    out = io.StringIO()
    call_command("import_plan", str(path), "--dry-run", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("extension", ["txt", "docx", "xlsx", "pdf"])
def test_the_dry_run_reads_every_input_type_and_saves_nothing(tmp_path, extension):
    notice = BY_TYPE[extension]
    path = tmp_path / notice.filename
    path.write_bytes(notice.data)
    before = WorkPlan.objects.count()
    data = dry_run(path)
    assert WorkPlan.objects.count() == before
    tasks = [item for section in data["sections"] for item in section["items"]]
    expected = [task for section in notice.expected["sections"] for task in section["tasks"]]
    assert [item["number"] for item in tasks] == [task["number"] for task in expected]
    assert data["year"] == notice.expected["year"]


def test_the_json_gives_each_unresolved_name_with_its_role(tmp_path):
    path = tmp_path / "计划.txt"
    path.write_text(
        "聊城市2023年法治政府建设工作计划\n一、任务\n1. 做好工作。〔牵头单位:市星际办;责任单位:市月球局、市司法局〕",
        encoding="utf-8",
    )
    (item,) = dry_run(path)["sections"][0]["items"]
    assert item["unresolved"] == [
        {"name": "市星际办", "role": "lead"},
        {"name": "市月球局", "role": "responsible"},
    ]


def test_the_json_says_when_no_deadline_is_fixed_and_keeps_the_leader(tmp_path):
    notice = next(n for n in corpus_notices() if n.name.startswith("14_"))
    path = tmp_path / notice.filename
    path.write_bytes(notice.data)
    first, second = [item for section in dry_run(path)["sections"] for item in section["items"]]
    assert (first["deadline"], first["leader"]) == ("2025-10-31", "王明")
    assert (second["deadline"], second["deadline_text"]) == (None, "持续推进")


def test_a_notice_of_another_city_leaves_every_name_to_the_coordinator(tmp_path):
    notice = next(n for n in corpus_notices() if n.name.startswith("06_"))  # 张掖: 市编办 there is not ours
    path = tmp_path / notice.filename
    path.write_bytes(notice.data)
    data = dry_run(path)
    assert data["other_place"] == "张掖市"
    first = data["sections"][0]["items"][0]
    assert first["lead_units"] == [] and {u["name"] for u in first["unresolved"]} == {
        "市编办",
        "市政府各部门",
    }


def test_a_scanned_pdf_is_explained(tmp_path):
    path = tmp_path / "扫描件.pdf"
    path.write_bytes(scanned_pdf())
    with pytest.raises(CommandError, match="没有文字层"):
        call_command("import_plan", str(path), "--dry-run", stdout=io.StringIO())

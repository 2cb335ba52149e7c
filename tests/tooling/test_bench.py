"""manage.py bench: every page measured, as JSON or a table; query counts do not grow with the data."""

import io
import json

import pytest
from django.core.management import call_command

from tooling import benchmarking

pytestmark = pytest.mark.django_db

PAGES = {case.name for case in benchmarking.CASES}


def test_bench_measures_every_page_and_the_query_counts_stay_flat():
    out = io.StringIO()
    call_command("bench", "--scale", "city", "--repeat", "2", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["scale"] == "city" and result["repeat"] == 2
    assert result["database"] in {"sqlite", "postgresql"}
    assert {
        "home",
        "my_tasks",
        "plan_list",
        "plan_detail",
        "task_list",
        "task_list_county",
        "task_detail",
    } <= PAGES
    assert {"import_dry_run"} <= PAGES
    assert [page["name"] for page in result["pages"]] == [case.name for case in benchmarking.CASES]
    for page in result["pages"]:
        assert page["median_ms"] > 0 and page["p95_ms"] >= page["median_ms"], page
        assert page["queries"] > 0 and page["sql_ms"] > 0, page
    assert result["plan"]["tasks"] == 22 and result["plan"]["assignments"] >= 1350
    assert result["counts"]["reports"] >= result["plan"]["reports"] == 4 * result["plan"]["assignments"]
    urls = {page["name"]: page["url"] for page in result["pages"]}
    assert urls["task_list_county"].endswith("?unit_kind=county")
    # a city a tenth the size (12 units, 3 tasks): every page makes the same number of queries
    small = benchmarking.run("city", seed=2, repeat=1, size=0.1)
    assert small["plan"]["assignments"] * 10 < result["plan"]["assignments"]
    assert {p["name"]: p["queries"] for p in small["pages"]} == {
        p["name"]: p["queries"] for p in result["pages"]
    }


def test_bench_prints_a_table_and_reuses_generated_data():
    out = io.StringIO()
    call_command("bench", "--scale", "city", "--seed", "9", "--size", "0.1", "--repeat", "1", stdout=out)
    text = out.getvalue()
    assert text.startswith("已生成 city（种子 9")
    assert "中位数 ms" in text and "查询数" in text
    assert all(case.label in text for case in benchmarking.CASES)
    again = io.StringIO()
    call_command("bench", "--scale", "city", "--seed", "9", "--repeat", "1", stdout=again)
    assert not again.getvalue().startswith("已生成")  # the data is there: measured, not generated again

"""Scores derived from events: each rule item's known value, deductions, adjustments, rule changes, ranks,
what a unit may see, the Excel export and the command, and a flat query count."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import scoring, service
from assessment.models import ScoreAdjustment
from audit.models import AuditEntry
from tests.conftest import COORDINATOR, COUNTY_REPORTER, LEADER
from units.models import Unit

from . import world as hand

pytestmark = pytest.mark.django_db


@pytest.fixture
def built():
    return hand.build()


def row_of(table, built, key):
    return table.by_unit[built["units"][key].pk]


def test_each_rule_item_gives_its_known_score_for_the_year(built):
    table = scoring.score_units(built["plan"], on=hand.ON)
    a, b = row_of(table, built, "a"), row_of(table, built, "b")
    assert {k: (a.items[k].earned, a.items[k].possible) for k in scoring.EARNING} == {
        "on_time": (8, 8), "first_pass": (6, 6), "complete": (2, 2), "receipt": (1, 1)}
    assert a.score == Decimal("100.0") and a.rank == 1
    assert {k: (b.items[k].earned, b.items[k].possible) for k in scoring.EARNING} == {
        "on_time": (4, 8), "first_pass": (3, 6), "complete": (2, 2), "receipt": (0, 1)}
    assert b.items["urge"].hits == 1 and b.items["urge"].earned == 1  # the urge before the due date is not counted
    assert b.items["extension"].hits == 1 and b.items["extension"].earned == 2
    assert b.score == Decimal("49.9") and b.rank == 2  # 9 / 17 × 100 − 1 − 2


def test_a_period_scores_its_own_events_and_the_receipt_in_the_first_period(built):
    table = scoring.score_units(built["plan"], built["p1"], on=hand.ON)
    a, b = row_of(table, built, "a"), row_of(table, built, "b")
    assert (a.earned, a.possible, a.score) == (8, 8, Decimal("100.0"))
    assert (b.earned, b.possible) == (0, 8)
    assert b.items["extension"].hits == 0  # granted in May: counted in 全年, the next due date
    assert b.score == Decimal("-1.0")
    final = scoring.score_units(built["plan"], built["p2"], on=hand.ON)
    assert row_of(final, built, "b").items["receipt"].possible == 0
    assert row_of(final, built, "b").score == Decimal("98.0")  # 9/9 × 100 − 2 (the extension)


def test_a_period_not_yet_due_is_not_scored(built):
    table = scoring.score_units(built["plan"], on=hand.P1_DUE)
    assert table.scored_periods == []
    assert row_of(table, built, "a").items["on_time"].possible == 0


def test_a_rule_change_recomputes_at_once_and_is_audited(built):
    rule = scoring.rule_for(built["plan"])
    service.save_rule(rule, {"on_time_points": 0}, built["coordinator"])
    table = scoring.score_units(built["plan"], on=hand.ON)
    assert table.rule.version == 2
    assert row_of(table, built, "b").score == Decimal("52.6")  # (3 + 2) / 9 × 100 − 3
    assert AuditEntry.objects.filter(model="assessment.scoringrule", action="update").exists()


def test_an_adjustment_needs_a_reason_is_recorded_and_shown(client, built):
    unit = built["units"]["b"]
    with pytest.raises(service.AdjustmentError):
        service.adjust(built["plan"], unit, None, 2, "  ", built["coordinator"])
    client.force_login(built["coordinator"])
    refused = client.post(reverse("assessment:adjust", args=[built["plan"].pk]),
                          {"unit": unit.pk, "period": "", "points": "abc", "reason": "我写的理由"})
    assert refused.status_code == 200 and "我写的理由" in refused.content.decode()
    refused = client.post(reverse("assessment:adjust", args=[built["plan"].pk]),
                          {"unit": unit.pk, "period": "", "points": "500", "reason": "太多了"})
    assert "-100 到 100" in refused.content.decode() and not ScoreAdjustment.objects.exists()
    response = client.post(reverse("assessment:adjust", args=[built["plan"].pk]),
                           {"unit": unit.pk, "period": "", "points": "2", "reason": "承办全市现场会"})
    assert response.status_code == 302
    adjustment = ScoreAdjustment.objects.get(unit=unit)
    assert adjustment.points == 2 and adjustment.by == built["coordinator"]
    assert AuditEntry.objects.filter(model="assessment.scoreadjustment", action="create").exists()
    assert scoring.score_units(built["plan"], on=hand.ON).by_unit[unit.pk].score == Decimal("51.9")
    page = client.get(reverse("assessment:unit_score", args=[built["plan"].pk, unit.pk])).content.decode()
    assert "承办全市现场会" in page


def test_the_unit_page_links_each_figure_to_the_reports_behind_it(client, built):
    client.force_login(built["coordinator"])
    url = reverse("assessment:unit_score", args=[built["plan"].pk, built["units"]["b"].pk])
    page = client.get(url + f"?as_of={hand.ON}")
    html = page.content.decode()
    for key in scoring.ITEMS:
        assert f'id="item-{key}"' in html
    report = built["assignments"]["b"].reports.get(period=built["p1"])
    assert reverse("tasks:report_detail", args=[report.pk]) in html
    assert "逾期报送" in html


def test_a_unit_sees_only_its_own_score_and_rank(client, built):
    plan = built["plan"]
    client.force_login(built["reporters"]["b"])
    page = client.get(reverse("assessment:ranking") + f"?plan={plan.pk}&as_of={hand.ON}").content.decode()
    assert "测试县乙" in page and "测试县甲" not in page
    assert "2<small" in page  # its rank
    own = client.get(reverse("assessment:unit_score", args=[plan.pk, built["units"]["b"].pk]))
    assert own.status_code == 200
    other = client.get(reverse("assessment:unit_score", args=[plan.pk, built["units"]["a"].pk]))
    assert other.status_code == 404
    assert client.get(reverse("assessment:ranking_xlsx") + f"?plan={plan.pk}").status_code == 403
    assert client.get(reverse("assessment:rule", args=[plan.pk])).status_code == 200
    assert client.get(reverse("assessment:rule_edit", args=[plan.pk])).status_code == 403


def test_leaders_see_every_unit_by_kind(client, built, django_user_model):
    client.force_login(django_user_model.objects.get(username=LEADER))
    page = client.get(reverse("assessment:ranking") + f"?plan={built['plan'].pk}").content.decode()
    assert "测试县甲" in page and "测试县乙" in page
    assert 'data-kind="county"' in page


def test_excel_export_and_command(client, built, tmp_path):
    client.force_login(built["coordinator"])
    response = client.get(reverse("assessment:ranking_xlsx") + f"?plan={built['plan'].pk}")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("类别", "排名", "单位")
    out = tmp_path / "scores.xlsx"
    call_command("export_scores", "--plan", str(built["plan"].pk), "--period", str(built["p1"].pk),
                 "--out", str(out), stdout=io.StringIO())
    sheet = openpyxl.load_workbook(out).active
    names = [row[2] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert {"测试县甲", "测试县乙"} <= set(names)


def test_formula_like_unit_names_stay_text(built, tmp_path):
    unit = built["units"]["a"]
    unit.name = "=HYPERLINK(\"x\")"
    unit.save()
    out = tmp_path / "s.xlsx"
    call_command("export_scores", "--plan", str(built["plan"].pk), "--out", str(out), stdout=io.StringIO())
    sheet = openpyxl.load_workbook(out).active
    cells = [row[2] for row in sheet.iter_rows(min_row=3)]
    found = next(c for c in cells if c.value and str(c.value).startswith("=HYPER"))
    assert found.data_type == "s"


def test_the_ranking_page_makes_the_same_queries_for_one_plan_and_the_demo(client, built, plan, django_user_model):
    client.force_login(django_user_model.objects.get(username=COORDINATOR))
    counts = []
    for chosen in (built["plan"], plan):
        url = reverse("assessment:ranking") + f"?plan={chosen.pk}"
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_roles_without_units_or_reading_rights_are_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="nobody", password="x"))
    assert client.get(reverse("assessment:ranking")).status_code == 403
    client.force_login(django_user_model.objects.get(username=COUNTY_REPORTER))
    assert client.get(reverse("assessment:ranking")).status_code == 200


def test_the_ranking_links_keep_the_period_and_the_day(client, built):
    client.force_login(built["coordinator"])
    plan, period = built["plan"], built["p1"]
    page = client.get(reverse("assessment:ranking") + f"?plan={plan.pk}&period={period.pk}&as_of={hand.ON}")
    detail = reverse("assessment:unit_score", args=[plan.pk, built["units"]["a"].pk])
    assert f'href="{detail}?period={period.pk}&amp;as_of={hand.ON}#item-on_time"' in page.content.decode()


def test_a_unit_taken_off_the_task_is_neither_scored_nor_listed_in_the_circular(built):
    """移出 (issue 17) takes a unit out of every count: its assignment is no longer scored, and the period's
    circular does not list it as missing."""
    from tasks import workflow
    from tasks.models import Assignment

    zone = Unit.objects.get(name="聊城经济技术开发区管理委员会")
    extra = Assignment.objects.create(task=built["assignments"]["a"].task, unit=zone, role=Assignment.Role.RESPONSIBLE)
    assert zone.pk in scoring.score_units(built["plan"], on=hand.ON).by_unit
    assert zone in [unit for unit, _numbers in scoring.period_facts(built["plan"], built["p1"], on=hand.ON)["not_reported"]]
    workflow.remove_assignment(extra, built["coordinator"], "职责调整")
    assert zone.pk not in scoring.score_units(built["plan"], on=hand.ON).by_unit
    assert zone not in [unit for unit, _numbers in scoring.period_facts(built["plan"], built["p1"], on=hand.ON)["not_reported"]]

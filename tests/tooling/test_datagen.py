"""Generated data (tooling.datagen, manage.py generate_data): deterministic, the promised shape, apart from
the demo."""

import hashlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Max, Min
from django.db.models.functions import Length

from importing.parser import parse_notice
from importing.service import notice_as_json
from tasks.models import Assignment, ProgressReport, ReportEvent, ReportingPeriod, Section, Task, WorkPlan
from tests.conftest import DOC_NUMBER
from tooling import datagen
from units.models import Membership, Unit, User
from units.roles import roles_for

pytestmark = pytest.mark.django_db

MODELS = datagen.GENERATED_MODELS


def high_water_marks():
    return {model: model.objects.aggregate(top=Max("pk"))["top"] or 0 for model in MODELS}


def fingerprint(since):
    """A hash of every row written after `since` (primary keys left out: sequences are not rolled back)."""
    new = {model: model.objects.filter(pk__gt=since[model]) for model in MODELS}
    rows = [
        new[Unit].order_by("order").values_list("name", "short_name", "kind", "order", "parent__name"),
        new[User].order_by("username").values_list("username", "full_name"),
        new[Membership].order_by("user__username").values_list("user__username", "unit__name", "role"),
        new[WorkPlan]
        .order_by("doc_number")
        .values_list("doc_number", "title", "year", "issued_on", "status"),
        new[Section]
        .order_by("plan__doc_number", "number")
        .values_list("plan__doc_number", "number", "title"),
        new[Task]
        .order_by("plan__doc_number", "number")
        .values_list("plan__doc_number", "number", "title", "deadline", "responsibility_text"),
        new[Assignment]
        .order_by("task__plan__doc_number", "task__number", "unit__name")
        .values_list("task__plan__doc_number", "task__number", "unit__name", "role", "deadline"),
        new[ReportingPeriod]
        .order_by("plan__doc_number", "due_on")
        .values_list("plan__doc_number", "name", "starts_on", "ends_on", "due_on", "locked"),
        new[ProgressReport]
        .order_by(
            "assignment__task__plan__doc_number",
            "assignment__task__number",
            "assignment__unit__name",
            "period__due_on",
        )
        .values_list(
            "assignment__task__number",
            "assignment__unit__name",
            "period__name",
            "state",
            "progress",
            "body",
            "problems",
            "next_steps",
            "version",
            "created_at",
            "updated_at",
            "submitted_at",
            "submitted_by__username",
            "reviewed_at",
            "reviewed_by__username",
            "review_note",
        ),
        new[ReportEvent]
        .order_by(
            "report__assignment__task__number",
            "report__assignment__unit__name",
            "report__period__due_on",
            "at",
        )
        .values_list("actor__username", "at", "action", "from_state", "to_state", "comment"),
    ]
    digest = hashlib.sha256()
    for queryset in rows:
        for row in queryset:
            digest.update(repr(row).encode())
    return digest.hexdigest()


def generate_and_fingerprint(scale, seed, size):
    """Generate inside a savepoint that is rolled back, so the same dataset can be generated again."""
    with transaction.atomic():
        since = high_water_marks()
        datagen.generate(scale, seed=seed, size=size)
        result = fingerprint(since)
        transaction.set_rollback(True)
    return result


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    first = generate_and_fingerprint("city", 5, 0.3)
    assert generate_and_fingerprint("city", 5, 0.3) == first
    assert generate_and_fingerprint("city", 6, 0.3) != first


def test_the_city_scale_has_the_promised_shape():
    data, counts, _seconds = datagen.generate("city", seed=3)
    plan = WorkPlan.objects.get(doc_number=data.main_doc_number)
    city = data.cities[0][0]
    units = Unit.objects.filter(order__gte=datagen.UNIT_ORDER_BASE)
    assert counts.units == units.count() == 80
    kinds = dict(units.values_list("kind").annotate(n=Count("pk")))
    assert kinds == {
        "city_office": 1,
        "city_department": 40,
        "party_judicial": 9,
        "county": 8,
        "dev_zone": 3,
        "other": 19,
    }
    assert all(city in name for name in units.values_list("name", flat=True))
    assert units.filter(parent__kind=Unit.Kind.COUNTY).count() == 8  # the counties' 司法局
    assert plan.sections.count() == 9 and plan.tasks.count() == 22
    assignments = Assignment.objects.filter(task__plan=plan)
    assert 1350 <= assignments.count() <= 1650
    assert assignments.filter(role="lead").values("task").distinct().count() == 22  # every task has a lead
    assert [p.name for p in plan.periods.all()] == ["第一季度", "第二季度", "第三季度", "第四季度"]
    reports = ProgressReport.objects.filter(assignment__task__plan=plan)
    assert reports.count() == assignments.count() * 4  # one per assignment and period
    for period in plan.periods.all():
        states = set(reports.filter(period=period).values_list("state", flat=True))
        assert states == set(ProgressReport.State.values), period.name
    assert set(reports.values_list("progress", flat=True)) == set(ProgressReport.Progress.values)
    lengths = reports.aggregate(low=Min(Length("body")), high=Max(Length("body")))
    assert 300 <= lengths["low"] and lengths["high"] <= 1500
    # the audit trail: each report's events lead from nothing to its state, in order
    accepted = reports.filter(state="accepted").first()
    trail = list(accepted.events.values_list("action", "from_state", "to_state"))
    assert trail[0] == ("create", "", "draft") and trail[-1] == ("accept", "submitted", "accepted")
    assert accepted.reviewed_by.username == data.coordinator_username
    assert ReportEvent.objects.filter(report__in=reports).count() == counts.events
    # people: a coordinator, a leader, one reporter for each unit
    assert roles_for(User.objects.get(username=data.coordinator_username)).is_coordinator
    assert roles_for(User.objects.get(username=data.leader_username)).is_leader
    reporters = Membership.objects.filter(unit__in=units, role="reporter")
    assert reporters.count() == 80 and reporters.values("unit").distinct().count() == 80
    assert all(name.startswith("gen_") for name in reporters.values_list("user__username", flat=True))


def test_it_leaves_the_demo_alone():
    before = (Unit.objects.count(), Task.objects.filter(plan__doc_number=DOC_NUMBER).count())
    datagen.generate("city", seed=4, size=0.3)
    assert WorkPlan.objects.filter(doc_number=DOC_NUMBER).count() == 1
    assert Task.objects.filter(plan__doc_number=DOC_NUMBER).count() == before[1]
    # the demo notice still resolves "市司法局" to the demo's unit, not the generated city's
    text = (datagen.settings.BASE_DIR / "fixtures" / "plan_2022_notice.txt").read_text(encoding="utf-8")
    leads = notice_as_json(parse_notice(text))["sections"][0]["items"][0]["lead_units"]
    assert "聊城市司法局" in leads


def test_the_province_shape_scaled_down():
    data, counts, _seconds = datagen.generate("province", seed=1, size=0.1)
    assert len(data.cities) == 2 and counts.plans == 2
    plans = WorkPlan.objects.filter(doc_number__in=data.doc_numbers)
    assert plans.count() == 2 and len(set(data.doc_numbers)) == 2
    for plan, (city, _abbreviation) in zip(plans.order_by("title"), sorted(data.cities), strict=True):
        assert plan.title.startswith(city)
        units = Unit.objects.filter(assignments__task__plan=plan).distinct()
        assert units.exists() and all(city in unit.name for unit in units)  # each city has its own units
    assert Membership.objects.filter(user__username__startswith=f"gen_{data.tag}_").count() == counts.units
    # the full province, for the record: 17 cities of 80 units, 17 plans with unique document numbers
    full = datagen.dataset("province", 1)
    assert len(full.cities) == 17 and len(set(full.doc_numbers)) == 17


def test_the_decade_is_ten_plans_of_one_city():
    data, counts, _seconds = datagen.generate("decade", seed=1, size=0.05)
    plans = WorkPlan.objects.filter(doc_number__in=data.doc_numbers)
    assert sorted(plans.values_list("year", flat=True)) == list(range(2016, 2026))
    assert list(plans.filter(status="active").values_list("year", flat=True)) == [2025]
    assert Unit.objects.filter(assignments__task__plan__in=plans).distinct().count() <= counts.units


def test_the_command_refuses_to_generate_the_same_data_twice():
    out = io.StringIO()
    call_command("generate_data", "--scale", "city", "--seed", "7", "--size", "0.1", stdout=out)
    assert out.getvalue().startswith("已生成 city（种子 7") and out.getvalue().count("\n") == 1
    with pytest.raises(CommandError, match="已经生成过"):
        call_command("generate_data", "--scale", "city", "--seed", "7", stdout=io.StringIO())
    # seed 22 picks the same city as seed 7: refused as a name conflict, nothing written
    units = Unit.objects.count()
    with pytest.raises(CommandError, match="重名"):
        call_command(
            "generate_data", "--scale", "city", "--seed", "22", "--size", "0.1", stdout=io.StringIO()
        )
    assert Unit.objects.count() == units

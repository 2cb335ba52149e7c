"""The old URL names (DESIGN.md's contract: planner:dashboard, planner:matrix, planner:import_plan,
planner:annual_report — and every other planner:<name> of the importer, the dashboards and the year-end report)
keep reversing to the same paths as the apps' own names, and the pages answer; a path resolves to the app's own
namespace."""

import datetime

import pytest
from django.urls import NoReverseMatch, get_resolver, resolve, reverse

from annual import assembly
from annual.models import AnnualReport
from tasks.models import ReportingPeriod
from tests.conftest import COORDINATOR
from units.models import User

pytestmark = pytest.mark.django_db

CONTRACT = ("planner:dashboard", "planner:matrix", "planner:import_plan", "planner:annual_report")
NEW_NAMESPACES = ("importing", "dashboards", "annual")


def alias_names():
    return sorted(name for name in get_resolver().namespace_dict["planner"][1].reverse_dict if isinstance(name, str))


def new_name(name):
    """The one name in the apps' own namespaces that the alias stands for."""
    owners = [ns for ns in NEW_NAMESPACES if name in get_resolver().namespace_dict[ns][1].reverse_dict]
    assert len(owners) == 1, (name, owners)
    return f"{owners[0]}:{name}"


@pytest.fixture
def draft(plan):
    plan.public_dashboard = True  # the public page answers only when switched on
    plan.save(update_fields=["public_dashboard"])
    period = ReportingPeriod.objects.create(
        plan=plan,
        name="别名测试期",
        starts_on=datetime.date(2022, 1, 1),
        ends_on=datetime.date(2022, 12, 31),
        due_on=datetime.date(2023, 1, 10),
    )
    assembly.assemble(plan, period=period, user=User.objects.get(username=COORDINATOR))
    return AnnualReport.objects.get(plan=plan)


def paths(name, plan, draft):
    """Every path the name reverses to, for no arguments, the plan, and the plan with a part."""
    found = {}
    for args in ([], [plan.pk], [plan.pk, draft.parts.order_by("pk").first().pk]):
        try:
            found[len(args)] = reverse(name, args=args)
        except NoReverseMatch:
            pass
    return found


def test_the_aliases_are_exactly_the_old_names():
    names = set(alias_names())
    assert set(CONTRACT) <= {f"planner:{name}" for name in names}
    assert "import_preview" in names and "dashboard_units" in names and "ledger" in names and "public_dashboard" in names
    assert len(names) == 24  # 3 importing + 8 dashboards + 13 annual (names added after the move are aliased all the same)


@pytest.mark.parametrize("name", alias_names())
def test_each_old_name_reverses_to_the_new_names_path_and_the_page_answers(login, plan, draft, name):
    old, new = paths(f"planner:{name}", plan, draft), paths(new_name(name), plan, draft)
    assert old and old == new
    client = login(COORDINATOR)
    for path in old.values():
        match = resolve(path)
        assert match.namespace == new_name(name).split(":")[0] and match.url_name == name
        response = client.get(path)
        # a page (or the current plan's page by redirect), or a POST-only action refusing a GET
        assert response.status_code in (200, 302, 405), (name, path, response.status_code)


@pytest.mark.parametrize("name", CONTRACT)
def test_the_contract_names_open_their_pages(login, plan, draft, name):
    response = login(COORDINATOR).get(reverse(name), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [] or all(code == 302 for _url, code in response.redirect_chain)

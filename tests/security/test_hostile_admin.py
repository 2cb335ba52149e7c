"""The admin as hardened as the pages: every registered model's changelist with hostile filter, search, ordering
and paging values (NUL bytes, overflowing and non-numeric ids), and every add form with hostile values in each
field, answer 200, 302 or 400 — never a 500 — on SQLite and PostgreSQL alike.

Every model, every parameter its changelist reads and every kind of hostile value are covered, but not every
combination (that was 2,800 changelist requests, six minutes): search and ordering (which differ from model to
model) get every value; each other parameter gets one value that reaches the admin's query code and one that
planner.security's guard refuses, taken in turn, so that each model sees every kind. The changelist shows three
rows a page: the query is what is hostile, not the rows drawn. Each hostile value is posted once to each model's
add or change form (the two in turn; both kinds of value reach both forms)."""

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

from tests.conftest import ADMIN, user

pytestmark = pytest.mark.django_db

GUARDED = ["\x00", "a\x00b", "99999999999999999999"]  # refused by AdminQueryGuardMiddleware before the admin
REACHING = ["abc", "1e5", "-1", "１"]  # not an id, a float, a negative, a full-width digit: these reach the admin
HOSTILE = GUARDED + REACHING
ALLOWED = {200, 302, 400}
EVERY_VALUE = {"q", "o"}  # search fields and list_display columns differ from model to model

MODELS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
IDS = [model._meta.label for model, _admin in MODELS]


def admin_client(client):
    client.force_login(user(ADMIN))
    client.raise_request_exception = False
    return client


def filter_params(model_admin):
    """Query parameters the changelist reads: its filters' lookups (and the plain names), search, ordering,
    paging, the error flag, the popup and the date drill-down."""
    names = {"q", "o", "p", "e", "all", "_popup", "_to_field"}
    for spec in model_admin.list_filter:
        if isinstance(spec, str):
            names |= {spec, f"{spec}__exact", f"{spec}__id__exact", f"{spec}__isnull", f"{spec}__in"}
    if model_admin.date_hierarchy:
        field = model_admin.date_hierarchy
        names |= {f"{field}__year", f"{field}__month", f"{field}__day"}
    return sorted(names)


@pytest.mark.parametrize(("model", "model_admin"), MODELS, ids=IDS)
def test_changelist_never_answers_500(client, plan, model, model_admin, monkeypatch):
    monkeypatch.setattr(model_admin, "list_per_page", 3)  # the query is what is hostile, not the rows shown
    client = admin_client(client)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    failures = []
    for name, value in hostile_queries(model, model_admin):
        response = client.get(url, {name: value})
        if response.status_code not in ALLOWED:
            failures.append((name, value, response.status_code))
    assert not failures, failures


def hostile_queries(model, model_admin):
    """(parameter, value) pairs: every value for search and ordering; for each other parameter one value of each
    kind (reaching the admin, refused by the guard), in turn, starting at a different place for each model."""
    start = IDS.index(model._meta.label)
    for index, name in enumerate(filter_params(model_admin)):
        if name in EVERY_VALUE:
            yield from ((name, value) for value in HOSTILE)
        else:
            yield name, REACHING[(start + index) % len(REACHING)]
            yield name, GUARDED[(start + index) % len(GUARDED)]


@pytest.mark.parametrize(("model", "model_admin"), MODELS, ids=IDS)
def test_the_hostile_queries_cover_every_parameter_and_every_kind_of_value(model, model_admin):
    pairs = list(hostile_queries(model, model_admin))
    assert {name for name, _value in pairs} == set(filter_params(model_admin))
    for name in filter_params(model_admin):
        values = {value for other, value in pairs if other == name}
        assert values & set(REACHING) and values & set(GUARDED), name
    assert {value for _name, value in pairs} == set(HOSTILE)
    assert sum(value in REACHING for _name, value in pairs) >= len(filter_params(model_admin))


def hostile_form(model, value):
    data = {}
    for field in model._meta.get_fields():
        if getattr(field, "concrete", False) and not field.auto_created:
            data[field.attname if isinstance(field, models.ForeignKey) else field.name] = value
            if isinstance(field, models.ForeignKey):
                data[field.name] = value
    return data


@pytest.mark.parametrize(("model", "model_admin"), MODELS, ids=IDS)
def test_add_and_change_forms_never_answer_500(client, plan, model, model_admin):
    client = admin_client(client)
    meta = model._meta
    add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
    targets = [add]
    first = model._default_manager.order_by("pk").first()
    if first is not None:
        targets.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk]))
    failures = []
    for index, value in enumerate(HOSTILE):  # each value once, the add and the change form in turn
        url = targets[index % len(targets)]
        response = client.post(url, hostile_form(model, value))
        if response.status_code not in ALLOWED | {403}:
            failures.append((url, value, response.status_code))
    for value in HOSTILE[:4]:  # an object id that is not one
        response = client.get(f"/admin/{meta.app_label}/{meta.model_name}/{value}/change/")
        if response.status_code not in ALLOWED | {404}:
            failures.append(("change id", value, response.status_code))
    assert not failures, failures


# --- exports: text that looks like a formula stays text ---------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","点我")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]


@pytest.fixture
def formula_tasks(plan):
    from tasks.models import Task

    tasks = list(Task.objects.filter(plan=plan).order_by("number")[: len(FORMULAS)])
    for task, title in zip(tasks, FORMULAS, strict=True):
        task.title = title
        task.save(update_fields=["title"])
    return Task.objects.filter(pk__in=[t.pk for t in tasks])


def test_the_task_export_writes_formula_like_titles_as_text_in_xlsx(formula_tasks):
    import io

    from openpyxl import load_workbook

    from tasks.resources import TaskResource
    from units.resources import BoundedXLSX

    data = BoundedXLSX().export_data(TaskResource().export(formula_tasks))
    sheet = load_workbook(io.BytesIO(data)).active
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if cell.value in FORMULAS}
    assert set(cells) == set(FORMULAS)
    for cell in cells.values():
        assert cell.data_type == "s" and cell.quotePrefix, cell.value


def test_the_task_export_writes_formula_like_titles_with_an_apostrophe_in_csv(formula_tasks):
    import csv
    import io

    from tasks.resources import TaskResource
    from units.resources import BoundedCSV

    text = BoundedCSV().export_data(TaskResource().export(formula_tasks))
    values = {value for row in csv.reader(io.StringIO(text)) for value in row}
    for formula in FORMULAS:
        assert "'" + formula in values and formula not in values


def test_the_admin_export_goes_through_the_safe_formats(client, formula_tasks):
    from units.resources import EXCEL_FORMATS, BoundedCSV, BoundedXLSX

    assert EXCEL_FORMATS == [BoundedXLSX, BoundedCSV]
    model_admin = admin.site._registry[formula_tasks.model]
    assert model_admin.get_export_formats() == EXCEL_FORMATS

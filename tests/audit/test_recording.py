"""What the audit log records: saves and deletes of every audited model (through the ORM, the admin and the
importer), m2m changes (roles are groups), passwords by name only, log-ins and log-outs."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from audit.context import acting_as
from audit.models import AppendOnly, AuditEntry
from tasks.models import Assignment, ReportingPeriod, Section, Task, WorkPlan
from tests.conftest import ADMIN, COORDINATOR, COUNTY_REPORTER, PASSWORD, user
from tests.importing.test_service import NOTICE
from units.models import Membership, Unit, UnitAlias, UnitGroup, User
from units.roles import COORDINATOR as COORDINATOR_GROUP

pytestmark = pytest.mark.django_db

ADDRESS = "10.20.30.40"


@pytest.fixture(autouse=True)
def fresh_log():
    """Entries written by the test only: the demo's own entries (loaded once per run) are set aside."""
    global SINCE
    SINCE = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


SINCE = 0


def entries_for(obj, action=None):
    found = AuditEntry.objects.filter(
        model=obj._meta.label_lower, object_id=str(obj.pk), pk__gt=SINCE
    ).order_by("pk")
    return list(found.filter(action=action) if action else found)


def new_plan(number=1):
    return WorkPlan.objects.create(
        year=2031, title=f"审计测试计划{number}", doc_number=f"审计〔2031〕{number}号"
    )


def new_unit(name="审计测试局"):
    return Unit.objects.create(name=f"{name}（全称）", short_name=name, kind=Unit.Kind.CITY_DEPARTMENT)


def new_task(plan):
    section = Section.objects.create(plan=plan, number=1, title="审计测试部分")
    return Task.objects.create(plan=plan, section=section, number=1, title="审计测试任务", content="内容")


# model → (make an object, field to change, new value, text the change shows as "new")
FACTORIES = {
    "workplan": (lambda: new_plan(), "title", "改过的标题", "改过的标题"),
    "section": (
        lambda: Section.objects.create(plan=new_plan(), number=1, title="第一部分"),
        "title",
        "新的部分标题",
        "新的部分标题",
    ),
    "task": (lambda: new_task(new_plan()), "deadline", datetime.date(2031, 6, 30), "2031-06-30"),
    "assignment": (
        lambda: Assignment.objects.create(
            task=new_task(new_plan()), unit=new_unit(), role=Assignment.Role.LEAD
        ),
        "role",
        Assignment.Role.RESPONSIBLE,
        "责任",
    ),
    "reportingperiod": (
        lambda: ReportingPeriod.objects.create(
            plan=new_plan(),
            name="上半年",
            starts_on=datetime.date(2031, 1, 1),
            ends_on=datetime.date(2031, 6, 30),
            due_on=datetime.date(2031, 7, 5),
        ),
        "locked",
        True,
        "是",
    ),
    "unit": (lambda: new_unit(), "kind", Unit.Kind.COUNTY, "县（市、区）政府"),
    "unitalias": (
        lambda: UnitAlias.objects.create(unit=new_unit(), name="审计别名"),
        "name",
        "新别名",
        "新别名",
    ),
    "unitgroup": (lambda: UnitGroup.objects.create(name="审计测试组"), "selective", True, "是"),
    "membership": (
        lambda: Membership.objects.create(user=user(COUNTY_REPORTER), unit=new_unit(), role="reporter"),
        "role",
        "approver",
        "审核人",
    ),
    "user": (
        lambda: User.objects.create(username="audit_new", full_name="审计新人"),
        "full_name",
        "改名",
        "改名",
    ),
}


@pytest.mark.parametrize("name", FACTORIES)
def test_create_update_delete_of_each_model_through_the_orm(name):
    make, field, value, shown = FACTORIES[name]
    actor = user(COORDINATOR)
    with acting_as(actor):
        obj = make()
        setattr(obj, field, value)
        obj.save()
        obj.save()  # no change: nothing more
        pk, label = obj.pk, obj._meta.label_lower
        obj.delete()
    found = list(AuditEntry.objects.filter(model=label, object_id=str(pk)).order_by("pk"))
    assert [entry.action for entry in found] == ["create", "update", "delete"]
    assert {entry.user for entry in found} == {actor}
    assert {entry.username for entry in found} == {COORDINATOR}
    assert {entry.ip for entry in found} == {None} and {entry.path for entry in found} == {""}
    created, updated, deleted = found
    assert list(updated.changes) == [field]
    assert updated.changes[field][1] == shown and updated.changes[field][0] not in (shown, None)
    assert deleted.changes[field] == shown and created.changes.get(field) != shown
    assert created.object_repr and "password" not in created.changes


def test_a_save_without_a_change_writes_nothing(plan):
    unit = Unit.objects.get(short_name="市司法局")
    task = plan.tasks.get(number=1)
    unit.save()
    task.deadline = task.deadline.isoformat()  # the same date, as a string: still no change
    task.save()
    Unit.objects.update_or_create(name=unit.name, defaults={"short_name": unit.short_name})
    user(COUNTY_REPORTER).save(update_fields=["last_login"])
    assert not AuditEntry.objects.filter(pk__gt=SINCE).exists()


def test_only_the_saved_fields_are_compared():
    unit = new_unit()
    unit.short_name, unit.order = "改名局", 9
    unit.save(update_fields=["order"])  # short_name is not written, so it is not a change
    (entry,) = entries_for(unit, "update")
    assert entry.changes == {"order": ["0", "9"]}


def test_a_foreign_key_change_names_both_objects():
    assignment = Assignment.objects.create(task=new_task(new_plan()), unit=new_unit("甲审计局"), role="lead")
    assignment.unit = new_unit("乙审计局")
    assignment.save()
    (entry,) = entries_for(assignment, "update")
    assert entry.changes == {"unit": ["甲审计局", "乙审计局"]}
    assert entry.object_repr == "1. 乙审计局 (牵头)"


def test_long_text_is_cut():
    plan = new_plan()
    plan.source_text = "长" * 2000
    plan.save()
    (entry,) = entries_for(plan, "update")
    old, new = entry.changes["source_text"]
    assert old == "" and len(new) == 500 and new.endswith("…")


def test_the_password_hash_is_never_stored():
    person = User.objects.create_user("audit_pw", password="Old@Pass2031")
    old_hash = person.password
    person.set_password("New@Pass2031")
    person.save()
    entries = entries_for(person)
    assert [entry.action for entry in entries] == ["create", "update"]
    assert "password" not in entries[0].changes
    assert entries[1].changes == {"password": None}
    stored = str(list(AuditEntry.objects.values_list("changes", flat=True)))
    assert old_hash not in stored and person.password not in stored and "pbkdf2" not in stored.lower()


def test_group_add_and_remove_are_recorded_from_both_sides():
    person = user(COUNTY_REPORTER)
    group = Group.objects.get(name=COORDINATOR_GROUP)
    with acting_as(user(ADMIN)):
        person.groups.add(group)
        person.groups.add(group)  # already there: nothing
        group.user_set.remove(person)
        group.user_set.remove(person)  # not there any more: nothing
        person.groups.add(group)
        person.groups.clear()
    changes = [(entry.action, entry.changes) for entry in entries_for(person, "update")]
    assert changes == [
        ("update", {"groups": {"added": [COORDINATOR_GROUP]}}),
        ("update", {"groups": {"removed": [COORDINATOR_GROUP]}}),
        ("update", {"groups": {"added": [COORDINATOR_GROUP]}}),
        ("update", {"groups": {"removed": [COORDINATOR_GROUP]}}),
    ]
    assert {entry.username for entry in entries_for(person, "update")} == {ADMIN}


def test_unit_group_members_are_recorded():
    group = UnitGroup.objects.create(name="审计测试组")
    jia, yi = new_unit("甲审计局"), new_unit("乙审计局")
    group.members.set([jia, yi])
    group.members.set([yi])
    yi.groups.remove(group)
    assert [entry.changes for entry in entries_for(group, "update")] == [
        {"members": {"added": ["乙审计局", "甲审计局"]}},
        {"members": {"removed": ["甲审计局"]}},
        {"members": {"removed": ["乙审计局"]}},
    ]


def test_a_deleted_plan_records_what_went_with_it():
    plan = new_plan()
    task = new_task(plan)
    assignment = Assignment.objects.create(task=task, unit=new_unit(), role="lead")
    plan_pk = plan.pk
    plan.delete()
    assert entries_for(assignment, "delete")[0].changes == {
        "task": "1. 审计测试任务",
        "unit": "审计测试局",
        "role": "牵头",
        "receipt": "待签收",
        "order": "0",
        "is_active": "是",
    }
    assert entries_for(task, "delete") and entries_for(task.section, "delete")
    assert AuditEntry.objects.get(model="tasks.workplan", object_id=str(plan_pk), action="delete").changes[
        "title"
    ]


def test_deleting_a_user_keeps_the_entries_with_the_name():
    person = User.objects.create(username="audit_gone")
    with acting_as(person):
        new_unit()
    person_pk = person.pk
    with acting_as(person):  # one's own account: the entry keeps the name, not the vanished row
        person.delete()
    entry = AuditEntry.objects.get(model="units.unit", username="audit_gone")
    assert entry.user is None
    gone = AuditEntry.objects.get(model="units.user", object_id=str(person_pk), action="delete")
    assert (gone.user, gone.username, gone.changes["username"]) == (None, "audit_gone", "audit_gone")


def test_entries_cannot_be_changed_or_deleted():
    entry = AuditEntry.objects.create(action="create", username="x")
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(username="y")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).delete()


# --- through the real stack --------------------------------------------------------------------------------------


def admin_form_data(response):
    """The admin change form as the browser would post it back unchanged (main form and every inline)."""
    data = {}

    def add(form):
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            data[bound.html_name] = "on" if value is True else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        data[f"{formset.prefix}-TOTAL_FORMS"] = formset.initial_form_count()  # no extra (empty) rows
        for form in formset.initial_forms:
            add(form)
    return data


def test_the_admin_change_form_records_the_user_address_and_the_fields(client):
    unit = Unit.objects.get(short_name="市司法局")
    client.force_login(user(ADMIN))
    url = reverse("admin:units_unit_change", args=[unit.pk])
    data = admin_form_data(client.get(url))
    data["short_name"], data["order"] = "司法局（改）", 77
    response = client.post(url, data, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302
    (entry,) = entries_for(unit, "update")
    assert (entry.user.username, entry.ip, entry.path) == (ADMIN, ADDRESS, url)
    assert entry.changes == {"short_name": ["市司法局", "司法局（改）"], "order": [str(unit.order), "77"]}


def test_the_importer_records_the_plan_its_tasks_and_the_summary(client):
    client.force_login(user(COORDINATOR))
    client.post(reverse("importing:import_plan"), {"text": NOTICE}, REMOTE_ADDR=ADDRESS)
    preview = client.get(reverse("importing:import_preview"))
    group = UnitGroup.objects.get(name="市政府有关部门")
    finance = Unit.objects.get(short_name="市财政局")
    data = {
        "digest": preview.context["form"].initial["digest"],
        "action_0": "create",
        "kind_0": "city_department",
        f"group_1_{group.pk}": [finance.pk],
    }
    client.post(reverse("importing:import_preview"), data, REMOTE_ADDR=ADDRESS)
    plan = WorkPlan.objects.get(doc_number="聊政办字〔2031〕7号")
    plan_entries = entries_for(plan)
    assert {entry.username for entry in plan_entries} == {COORDINATOR}
    assert {entry.ip for entry in plan_entries} == {ADDRESS}
    assert plan_entries[0].changes["doc_number"] == "聊政办字〔2031〕7号"
    summary = plan_entries[1].changes
    assert summary["导入任务"] == 2 and summary["导入部分"] == 1
    assert summary["任务分工"] == Assignment.objects.filter(task__plan=plan).count() - 1  # + the chosen one
    for task in plan.tasks.all():
        assert entries_for(task, "create")[0].username == COORDINATOR
    (chosen,) = entries_for(plan.tasks.get(number=1), "update")
    assert chosen.changes == {"选定单位组": "市政府有关部门", "新增责任单位": "市财政局"}
    new_unit_entry = entries_for(Unit.objects.get(name="市星际办"), "create")[0]
    assert new_unit_entry.username == COORDINATOR and new_unit_entry.ip == ADDRESS

    client.post(reverse("tasks:plan_publish", args=[plan.pk]), {"confirmed": "on"}, REMOTE_ADDR=ADDRESS)
    published = entries_for(plan, "update")[-1]
    assert published.changes == {"status": ["草稿", "执行中"]} and published.username == COORDINATOR


# --- log-ins ------------------------------------------------------------------------------------------------------


def test_log_in_failed_log_in_and_log_out_are_recorded(client):
    login_url = reverse("login")
    client.post(login_url, {"username": COUNTY_REPORTER, "password": "wrong-password"}, REMOTE_ADDR=ADDRESS)
    client.post(login_url, {"username": "nobody_here", "password": "wrong-password"}, REMOTE_ADDR=ADDRESS)
    client.post(login_url, {"username": COUNTY_REPORTER, "password": PASSWORD}, REMOTE_ADDR=ADDRESS)
    client.post(reverse("logout"), REMOTE_ADDR=ADDRESS)
    person = user(COUNTY_REPORTER)
    found = list(AuditEntry.objects.filter(action__startswith="log", pk__gt=SINCE).order_by("pk"))
    assert [(e.action, e.username, e.ip, e.object_id) for e in found] == [
        ("login_failed", COUNTY_REPORTER, ADDRESS, str(person.pk)),
        ("login_failed", "nobody_here", ADDRESS, ""),
        ("login", COUNTY_REPORTER, ADDRESS, str(person.pk)),
        ("logout", COUNTY_REPORTER, ADDRESS, str(person.pk)),
    ]
    assert found[0].user is None and found[2].user == person and found[3].user == person
    assert "wrong-password" not in str([e.changes for e in found])
    assert not entries_for(person, "update")  # last_login is not a change worth recording


def test_locking_and_unlocking_a_period_is_recorded(client, plan):
    """The lock is a bulk update (no signal): the workflow writes the entry; the same value again writes none."""
    period = ReportingPeriod.objects.filter(plan=plan, locked=False).first()
    client.force_login(user(COORDINATOR))
    client.post(reverse("tasks:period_lock", args=[period.pk]), {"locked": "1"})
    client.post(reverse("tasks:period_lock", args=[period.pk]), {"locked": "1"})
    client.post(reverse("tasks:period_lock", args=[period.pk]), {"locked": ""})
    entries = entries_for(period, "update")
    assert [e.changes for e in entries] == [{"locked": ["否", "是"]}, {"locked": ["是", "否"]}]
    assert {e.username for e in entries} == {COORDINATOR}


def test_the_units_group_rows_in_the_admin_are_recorded(client):
    """The unit admin's 所属单位组 inline edits the link table: removing and adding a group is recorded."""
    unit = Unit.objects.get(short_name="市司法局")
    old_group = unit.groups.order_by("pk").first()
    new_group = UnitGroup.objects.exclude(members=unit).order_by("pk").first()
    client.force_login(user(ADMIN))
    url = reverse("admin:units_unit_change", args=[unit.pk])
    response = client.get(url)
    data = admin_form_data(response)
    (links,) = [i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is UnitGroup.members.through]
    row = next(i for i, form in enumerate(links.initial_forms) if form.instance.unitgroup_id == old_group.pk)
    data[f"{links.prefix}-{row}-DELETE"] = "on"
    extra = links.initial_form_count()
    data[f"{links.prefix}-TOTAL_FORMS"] = extra + 1
    data[f"{links.prefix}-{extra}-unitgroup"] = new_group.pk
    assert client.post(url, data).status_code == 302
    assert set(unit.groups.all()) >= {new_group} and old_group not in unit.groups.all()
    assert entries_for(old_group, "update")[-1].changes == {"members": {"removed": [str(unit)]}}
    assert entries_for(new_group, "update")[-1].changes == {"members": {"added": [str(unit)]}}

"""units.roles: a person's groups and memberships, read with two SQL queries per request. What they say must be
what the ORM says: the active units in the units' order (as full Unit objects), each role, the labels."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from units.models import Membership, Unit, User
from units.roles import COORDINATOR, LEADER, Roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    """A person in three units (one of them twice, one inactive) and both site-wide groups."""
    person = User.objects.create(username="several", full_name="多角色")
    finance, justice, closed = (Unit.objects.get(name=name) for name in ("聊城市财政局", "聊城市司法局", "聊城市东昌府区人民政府"))
    Membership.objects.create(user=person, unit=finance, role=Membership.Role.APPROVER)
    Membership.objects.create(user=person, unit=justice, role=Membership.Role.REPORTER)
    Membership.objects.create(user=person, unit=justice, role=Membership.Role.APPROVER)
    Membership.objects.create(user=person, unit=closed, role=Membership.Role.REPORTER)
    Unit.objects.filter(pk=closed.pk).update(is_active=False)
    person.groups.add(*Group.objects.filter(name__in=[COORDINATOR, LEADER]))
    return User.objects.get(pk=person.pk)


def test_the_roles_are_what_the_orm_says_in_two_queries(person):
    with CaptureQueriesContext(connection) as queries:
        roles = Roles(person)
        assert roles.is_coordinator and roles.is_leader and roles.sees_everything
        units = roles.units
        reporter_ids, approver_ids = roles.reporter_unit_ids, roles.approver_unit_ids
        labels = [str(label) for label in roles.labels]
    assert len(queries) == 2

    active = (
        person.memberships.filter(unit__is_active=True).select_related("unit").order_by("unit__order", "unit__name", "role")
    )
    expected_units = list(dict.fromkeys(m.unit for m in active))
    assert units == expected_units and len(units) == 2
    for unit, expected in zip(units, expected_units, strict=True):
        for field in Unit._meta.concrete_fields:
            assert getattr(unit, field.attname) == getattr(expected, field.attname)
        assert unit.is_active is True  # a bool, also on SQLite (which answers 1)
    assert reporter_ids == {m.unit_id for m in active if m.role == "reporter"}
    assert approver_ids == {m.unit_id for m in active if m.role == "approver"}
    assert roles.unit_ids == reporter_ids | approver_ids
    assert labels == ["统筹督办", "领导", "单位联络员", "单位审核人"]


def test_an_anonymous_visitor_and_a_person_without_roles_have_none(person):
    nobody = User.objects.create(username="nobody")
    for user in (AnonymousUser(), nobody):
        roles = Roles(user)
        assert not roles.sees_everything and not roles.is_reporter
        assert roles.units == [] and roles.unit_ids == set() and roles.labels == []

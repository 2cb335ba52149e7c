"""Separation of duties in the admin: making a coordinator a unit member (or a unit member a coordinator) is
shown as a warning and recorded in the audit log; nothing is flagged for an ordinary membership."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from audit.models import AuditEntry
from tests.conftest import ADMIN, COORDINATOR, COUNTY_REPORTER, user
from units.models import Membership, Unit

pytestmark = pytest.mark.django_db

WARNING = "既是统筹人员，又是"


def flags(target):
    return AuditEntry.objects.filter(object_id=str(target.pk), changes__has_key="职责分离警告")


def test_a_membership_added_to_a_coordinator_is_warned_and_audited(client, plan):
    client.force_login(user(ADMIN))
    coordinator = user(COORDINATOR)
    unit = Unit.objects.get(short_name="东昌府区")
    response = client.post(
        reverse("admin:units_membership_add"),
        {"user": coordinator.pk, "unit": unit.pk, "role": Membership.Role.REPORTER},
        follow=True,
    )
    assert response.status_code == 200
    assert WARNING in response.content.decode() and "东昌府区（联络员）" in response.content.decode()
    entry = flags(coordinator).get()
    assert "东昌府区（联络员）" in entry.changes["职责分离警告"] and entry.user.username == ADMIN


def test_an_ordinary_membership_is_not_flagged(client, plan):
    client.force_login(user(ADMIN))
    reporter = user(COUNTY_REPORTER)
    unit = Unit.objects.get(short_name="经开区管委会")
    response = client.post(
        reverse("admin:units_membership_add"),
        {"user": reporter.pk, "unit": unit.pk, "role": Membership.Role.REPORTER},
        follow=True,
    )
    assert response.status_code == 200 and WARNING not in response.content.decode()
    assert not flags(reporter).exists()


def test_the_coordinator_role_given_to_a_unit_member_is_flagged(rf, plan):
    from django.contrib.messages.storage.fallback import FallbackStorage

    from units.admin import dual_role_state, flag_dual_role

    reporter = user(COUNTY_REPORTER)
    request = rf.post("/admin/")
    request.user = user(ADMIN)
    request.session = {}
    request._messages = FallbackStorage(request)
    before = dual_role_state(reporter)
    reporter.groups.add(Group.objects.get(name="coordinator"))
    assert flag_dual_role(request, reporter, before)
    assert flags(reporter).count() == 1
    assert not flag_dual_role(request, reporter, dual_role_state(reporter))  # nothing new: no second flag

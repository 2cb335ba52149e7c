import pytest
from django.db import IntegrityError, transaction

from units.models import Membership, Unit, UnitAlias, User

pytestmark = pytest.mark.django_db


def test_it_refuses_two_units_with_one_name():
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(name="聊城市司法局", short_name="市司法局二")


def test_it_refuses_one_alias_for_two_units():
    other = Unit.objects.get(name="聊城市财政局")
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitAlias.objects.create(unit=other, name="市政府办")


def test_it_refuses_a_unit_that_is_its_own_parent():
    unit = Unit.objects.get(name="聊城市财政局")
    unit.parent_id = unit.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        unit.save()


def test_it_refuses_the_same_role_twice_for_one_person_and_unit():
    user = User.objects.get(username="sifaju")
    unit = Unit.objects.get(name="聊城市司法局")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, unit=unit, role=Membership.Role.REPORTER)


def test_a_person_may_be_reporter_and_approver_of_one_unit():
    user = User.objects.get(username="sifaju")
    unit = Unit.objects.get(name="聊城市司法局")
    Membership.objects.create(user=user, unit=unit, role=Membership.Role.APPROVER)
    assert user.memberships.count() == 2


def test_user_shows_the_chinese_name():
    assert str(User.objects.get(username="coordinator")) == "王静"
    assert str(User(username="nobody")) == "nobody"

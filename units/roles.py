"""Site-wide roles and the units a person acts for.

Site-wide roles are Django groups: `coordinator` (统筹/督办人员) and `leader` (领导).
A person's role inside a unit is a `Membership` (reporter 联络员 / approver 审核人).
"""

from functools import lru_cache

from django.db import connection
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

COORDINATOR = "coordinator"
LEADER = "leader"

ROLE_LABELS = {
    COORDINATOR: _("统筹督办"),
    LEADER: _("领导"),
    "reporter": _("单位联络员"),
    "approver": _("单位审核人"),
}


class Roles:
    """What one user is, computed once per request (see `roles_for`)."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def _group_names(self):
        if not self.user.is_authenticated:
            return frozenset()
        return frozenset(name for (name,) in _fetch(_group_names_sql(), self.user.pk))

    @cached_property
    def _membership_rows(self):
        """(role, *the unit's columns) of each membership in an active unit, in the units' order."""
        if not self.user.is_authenticated:
            return []
        return _fetch(_memberships_sql(), self.user.pk)

    @cached_property
    def memberships(self):
        """(unit id, role) of each membership in an active unit, in the units' order."""
        return [(row[1], row[0]) for row in self._membership_rows]

    @property
    def is_coordinator(self):
        return self.user.is_superuser or COORDINATOR in self._group_names

    @property
    def is_leader(self):
        return LEADER in self._group_names

    @property
    def sees_everything(self):
        """Coordinators and leaders read every plan, task and report."""
        return self.is_coordinator or self.is_leader

    @cached_property
    def reporter_unit_ids(self):
        return {unit_id for unit_id, role in self.memberships if role == "reporter"}

    @cached_property
    def approver_unit_ids(self):
        return {unit_id for unit_id, role in self.memberships if role == "approver"}

    @cached_property
    def unit_ids(self):
        return {unit_id for unit_id, _role in self.memberships}

    @cached_property
    def units(self):
        """The user's active units, in the units' order."""
        from .models import Unit

        fields = Unit._meta.concrete_fields
        names = [field.attname for field in fields]
        seen, units = set(), []
        for _role, unit_id, *columns in self._membership_rows:
            if unit_id not in seen:
                seen.add(unit_id)
                # to_python: SQLite answers 1 for a boolean
                values = [field.to_python(value) for field, value in zip(fields, [unit_id, *columns], strict=True)]
                units.append(Unit.from_db(connection.alias, names, values))
        return units

    @property
    def is_reporter(self):
        return bool(self.reporter_unit_ids)

    @property
    def labels(self):
        labels = []
        if self.is_coordinator:
            labels.append(ROLE_LABELS[COORDINATOR])
        if self.is_leader:
            labels.append(ROLE_LABELS[LEADER])
        for role in sorted({role for _unit_id, role in self.memberships}, reverse=True):
            labels.append(ROLE_LABELS[role])
        return labels


# The two queries every request makes are written in SQL: several times cheaper than through the ORM, which
# counts at the load test's rates (docs/PERFORMANCE.md has the figures).


@lru_cache(maxsize=1)
def _group_names_sql():
    from django.contrib.auth.models import Group

    from .models import User

    field = User._meta.get_field("groups")
    q = connection.ops.quote_name
    return (
        f"SELECT g.{q('name')} FROM {q(Group._meta.db_table)} g"
        f" INNER JOIN {q(field.remote_field.through._meta.db_table)} link"
        f" ON link.{q(field.m2m_reverse_name())} = g.{q('id')}"
        f" WHERE link.{q(field.m2m_column_name())} = %s"
    )


@lru_cache(maxsize=1)
def _memberships_sql():
    from .models import Membership, Unit

    q = connection.ops.quote_name
    columns = ", ".join(f"u.{q(field.column)}" for field in Unit._meta.concrete_fields)
    return (
        f"SELECT m.{q('role')}, {columns} FROM {q(Membership._meta.db_table)} m"
        f" INNER JOIN {q(Unit._meta.db_table)} u ON u.{q('id')} = m.{q('unit_id')}"
        f" WHERE m.{q('user_id')} = %s AND u.{q('is_active')}"
        f" ORDER BY u.{q('order')}, u.{q('name')}, m.{q('role')}"
    )


def _fetch(sql, user_pk):
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_pk])
        return cursor.fetchall()


def roles_for(user):
    """The user's roles, cached on the user object for the rest of the request."""
    roles = getattr(user, "_roles_cache", None)
    if roles is None:
        roles = Roles(user)
        user._roles_cache = roles
    return roles


def can_reset_password(actor, target):
    """May `actor` set a new password for `target`? The one rule for the reset page and the user list.

    Only coordinators, and only for plain unit users: never for a superuser, a staff user, a coordinator or a
    leader (their accounts are the administrator's business), nor for oneself (use 修改密码). Inactive users
    may be reset; they stay inactive. Reads `target.groups.all()`, so a list can prefetch the groups.
    """
    if not actor.is_authenticated or not roles_for(actor).is_coordinator:
        return False
    if target.pk == actor.pk or target.is_superuser or target.is_staff:
        return False
    return not {group.name for group in target.groups.all()} & {COORDINATOR, LEADER}

"""Site-wide roles and the units a person acts for.

Site-wide roles are Django groups: `coordinator` (统筹/督办人员) and `leader` (领导).
A person's role inside a unit is a `Membership` (reporter 联络员 / approver 审核人).
"""

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
        return frozenset(self.user.groups.values_list("name", flat=True))

    @cached_property
    def memberships(self):
        if not self.user.is_authenticated:
            return []
        return list(self.user.memberships.select_related("unit").filter(unit__is_active=True))

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
        return {m.unit_id for m in self.memberships if m.role == "reporter"}

    @cached_property
    def approver_unit_ids(self):
        return {m.unit_id for m in self.memberships if m.role == "approver"}

    @cached_property
    def unit_ids(self):
        return {m.unit_id for m in self.memberships}

    @property
    def units(self):
        seen, units = set(), []
        for membership in self.memberships:
            if membership.unit_id not in seen:
                seen.add(membership.unit_id)
                units.append(membership.unit)
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
        for role in sorted({m.role for m in self.memberships}, reverse=True):
            labels.append(ROLE_LABELS[role])
        return labels


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

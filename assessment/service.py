"""Changes to the rule and the adjustments: coordinators only, audited, in a transaction."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

import audit
from tasks import access

from .models import ScoreAdjustment, ScoringRule

MAX_ADJUSTMENT = Decimal(100)


class AdjustmentError(Exception):
    pass


def save_rule(rule, data, user):
    """Change the rule's points; the version rises, and every score follows on its next read."""
    if not access.can_review(user):
        raise PermissionDenied(_("只有统筹人员可以修改考核细则。"))
    with transaction.atomic():
        fresh = ScoringRule.objects.select_for_update().get(pk=rule.pk)
        changes = {}
        for name, value in data.items():
            old = getattr(fresh, name)
            if old != value:
                changes[str(ScoringRule._meta.get_field(name).verbose_name)] = [str(old), str(value)]
                setattr(fresh, name, value)
        if changes:
            fresh.version += 1
            fresh.updated_by = user
            fresh.save()
            audit.record("update", fresh, changes=changes, user=user)
    return fresh


def adjust(plan, unit, period, points, reason, user):
    """A coordinator's 加减分 for a unit, with its reason (required)."""
    if not access.can_review(user):
        raise PermissionDenied(_("只有统筹人员可以调整考核得分。"))
    reason = (reason or "").strip()
    if not reason:
        raise AdjustmentError(_("请写明调整理由：理由会显示在该单位的得分明细里。"))
    try:
        points = Decimal(str(points)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise AdjustmentError(_("加减分须是数字，如 2 或 -1.5。")) from None
    if not points or abs(points) > MAX_ADJUSTMENT:
        raise AdjustmentError(_("加减分须在 -100 到 100 之间且不为 0。"))
    with transaction.atomic():
        adjustment = ScoreAdjustment.objects.create(
            plan=plan, unit=unit, period=period, points=points, reason=reason, by=user
        )
        audit.record(
            "create", adjustment,
            changes={_("单位"): unit.name, _("报送期"): period.name if period else _("全年"),
                     _("加减分"): str(points), _("理由"): reason},
            user=user,
        )
    return adjustment

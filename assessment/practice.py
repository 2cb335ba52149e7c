"""典型经验: marking an accepted report (or a verbatim passage of it) as good practice, and reading them back."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

import audit
from tasks import access
from tasks.models import ProgressReport

from .models import GoodPractice

TITLE_MAX = 60


class PracticeError(Exception):
    """A refusal with a Chinese message saying what was wrong and what to do."""


def normalized(text):
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def mark(report, user, title, passage=""):
    """Mark `report` (accepted) or a passage of its body as good practice. The passage is stored verbatim and
    must be found in the report's 工作开展情况 as it stands."""
    if not access.can_review(user):
        raise PermissionDenied(_("只有统筹人员可以标记典型经验。"))
    title = (title or "").strip()
    passage = normalized(passage).strip()
    if not title:
        raise PracticeError(_("请填写一个简短的标题（%(n)s 字以内），说明这条经验是什么。") % {"n": TITLE_MAX})
    if len(title) > TITLE_MAX:
        raise PracticeError(_("标题太长：请控制在 %(n)s 字以内。") % {"n": TITLE_MAX})
    with transaction.atomic():
        fresh = ProgressReport.objects.select_for_update(of=("self",)).select_related("assignment__unit").get(
            pk=report.pk
        )
        if fresh.state != ProgressReport.State.ACCEPTED:
            raise PracticeError(_("只有审核通过的报告可以标为典型经验：这份报告现在是“%(state)s”。")
                                % {"state": fresh.get_state_display()})
        if passage and passage not in normalized(fresh.body):
            raise PracticeError(
                _("摘录的文字在报告的“工作开展情况”里找不到：请从报告原文中选取（可整段复制），不要改动文字；"
                  "留空则标记整份报告。")
            )
        practice = GoodPractice.objects.create(report=fresh, title=title, passage=passage, by=user)
        audit.record("create", practice, changes={_("标题"): title, _("摘录"): passage or _("整份报告")}, user=user)
    return practice


def unmark(practice, user):
    if not access.can_review(user):
        raise PermissionDenied(_("只有统筹人员可以取消典型经验。"))
    with transaction.atomic():
        audit.record("delete", practice, changes={_("标题"): practice.title}, user=user)
        practice.delete()


def practices(plan, period=None):
    """The plan's good practice (of one period when given), in task and unit order, with report, unit and task."""
    found = GoodPractice.objects.filter(report__assignment__task__plan=plan).select_related(
        "report", "report__period", "report__assignment__unit", "report__assignment__task", "by"
    )
    if period is not None:
        found = found.filter(report__period=period)
    return list(found.order_by("report__assignment__task__number", "report__assignment__unit__order", "pk"))


def practices_for_reports(report_ids):
    """For the year-end report's part editor (annual.assembly.register_material_source): (title, unit name,
    text, report) of the good practice marked on these reports' assignments, in any period (a practice marked
    on 上半年 shows beside the 全年 report it led to). One query."""
    assignments = ProgressReport.objects.filter(pk__in=list(report_ids)).values("assignment_id")
    found = GoodPractice.objects.filter(report__assignment_id__in=assignments).select_related(
        "report", "report__assignment__unit"
    )
    return [
        (p.title, p.report.assignment.unit.name, p.text, p.report)
        for p in found.order_by("report_id", "pk")
    ]

"""Creating a plan with its sections, tasks and assignments from structured plan data.

The data is the shape the notice importer produces (and fixtures/plan_2022.json holds):
{"doc_number", "title", "issuer", "issued_on", "year", "sections": [{"number", "title",
"items": [{"number", "title", "content", "responsibility_text", "lead_units", "responsible_units",
"deadline"}]}]}, unit names as the notice writes them.
"""

import datetime

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _

from audit import record
from notifications.service import notify
from units.directory import Directory
from units.models import Unit, UnitGroup

from .models import Assignment, Section, Task, WorkPlan


class PlanDataError(ValueError):
    """The plan data cannot be saved as it is; `problems` lists each reason in Chinese."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("；".join(problems))


def _date(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


def _expand(names, directory, *, lead, problems, item_number):
    """Units named directly or through a group, and the selective groups left for the coordinator.

    The units keep the notice's order: the units named directly, in the order written, then each group's
    members in the group's order (`Unit` order)."""
    units, members, pending = [], [], []
    for name in names:
        target = directory.resolve(name)
        if isinstance(target, Unit):
            units.append(target)
        elif isinstance(target, UnitGroup) and target.selective:
            pending.append(target)
        elif isinstance(target, UnitGroup) and not lead:
            members.extend(target.members.all())
        elif isinstance(target, UnitGroup):
            problems.append(
                _("第%(number)s项：牵头单位“%(name)s”是单位组，请写明具体单位。")
                % {"number": item_number, "name": name}
            )
        else:
            problems.append(
                _("第%(number)s项：找不到单位“%(name)s”，请先在单位名录中添加该单位或别名。")
                % {"number": item_number, "name": name}
            )
    return units + members, pending


@transaction.atomic
def create_plan(data, *, status=WorkPlan.Status.DRAFT, source_text="", directory=None):
    """Save the plan, its sections, tasks and assignments in one transaction, or nothing at all.

    Lead units (牵头单位) come first; a unit named both as lead and as responsible is assigned once,
    as lead. Groups are expanded to their members; selective groups (市政府有关部门) are kept on the
    task as `pending_groups` for the coordinator to choose from. Raises PlanDataError listing every
    name that resolves to nothing.
    """
    directory = directory or Directory()
    year = int(data["year"])
    if WorkPlan.objects.filter(doc_number=data["doc_number"]).exists():
        raise PlanDataError([_("文号为“%(doc)s”的工作计划已经存在。") % {"doc": data["doc_number"]}])
    plan = WorkPlan.objects.create(
        year=year,
        title=data["title"],
        doc_number=data["doc_number"],
        issuer=data.get("issuer", ""),
        issued_on=_date(data.get("issued_on")),
        status=status,
        source_text=source_text,
    )
    problems, assignments, pending_links = [], [], []
    for section_data in data["sections"]:
        section = Section.objects.create(
            plan=plan, number=section_data["number"], title=section_data["title"]
        )
        for item in section_data["items"]:
            deadline = _date(item.get("deadline")) or datetime.date(year, 12, 31)
            task = Task.objects.create(
                plan=plan,
                section=section,
                number=item["number"],
                title=item["title"],
                content=item["content"],
                deadline=deadline,
                responsibility_text=item.get("responsibility_text", ""),
            )
            leads, lead_groups = _expand(
                item.get("lead_units", []), directory, lead=True, problems=problems, item_number=task.number
            )
            responsibles, pending = _expand(
                item.get("responsible_units", []),
                directory,
                lead=False,
                problems=problems,
                item_number=task.number,
            )
            seen = set()
            for role, units in ((Assignment.Role.LEAD, leads), (Assignment.Role.RESPONSIBLE, responsibles)):
                order = 0  # the position in the notice within the role (Assignment.order): the first lead is 主牵头
                for unit in units:
                    if unit.pk not in seen:
                        seen.add(unit.pk)
                        assignments.append(
                            Assignment(task=task, unit=unit, role=role, deadline=deadline, order=order)
                        )
                        order += 1
            pending_links.extend(
                Task.pending_groups.through(task_id=task.pk, unitgroup_id=group.pk)
                for group in {group.pk: group for group in lead_groups + pending}.values()
            )
    if problems:
        raise PlanDataError(problems)
    Assignment.objects.bulk_create(assignments)
    Task.pending_groups.through.objects.bulk_create(pending_links)
    # the bulk inserts send no signals: one summary entry beside the plan's, sections' and tasks' own
    record(
        "create",
        plan,
        changes={
            _("导入部分"): len(data["sections"]),
            _("导入任务"): sum(len(section["items"]) for section in data["sections"]),
            _("任务分工"): len(assignments),
            _("待选定的单位组"): len(pending_links),
        },
    )
    return plan


def publish_plan(plan, user):
    """Make a draft plan live (执行中). Publishing twice, or a closed plan, is refused."""
    if plan.status != WorkPlan.Status.DRAFT:
        raise PlanDataError(
            [
                _("只有草稿状态的计划可以发布，该计划当前为“%(status)s”。")
                % {"status": plan.get_status_display()}
            ]
        )
    updated = WorkPlan.objects.filter(pk=plan.pk, status=WorkPlan.Status.DRAFT).update(
        status=WorkPlan.Status.ACTIVE
    )
    if not updated:
        raise PlanDataError([_("该计划刚刚已被发布或修改，请刷新页面。")])
    plan.status = WorkPlan.Status.ACTIVE
    record(
        "update",
        plan,
        changes={"status": [WorkPlan.Status.DRAFT.label, WorkPlan.Status.ACTIVE.label]},
        user=user,
    )
    notify_units_to_sign(plan)
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[plan],
        action_flag=CHANGE,
        change_message=_("发布计划"),
        single_object=True,
    )
    return plan


@transaction.atomic
def assign_group_members(task, group, units):
    """Settle a selective group (市政府有关部门) on a task: the chosen units become responsible units.

    Units already assigned to the task keep their assignment; the group is no longer pending.
    Returns the number of new assignments.
    """
    candidates = set(group.members.values_list("pk", flat=True))
    strangers = [unit.short_name for unit in units if unit.pk not in candidates]
    if strangers:
        raise PlanDataError(
            [_("%(units)s不属于“%(group)s”。") % {"units": "、".join(strangers), "group": group.name}]
        )
    taken = set(task.assignments.values_list("unit_id", flat=True))
    last = task.assignments.filter(role=Assignment.Role.RESPONSIBLE).aggregate(last=Max("order"))["last"]
    start = -1 if last is None else last
    new = [
        Assignment(task=task, unit=unit, role=Assignment.Role.RESPONSIBLE, deadline=task.deadline, order=start + i)
        for i, unit in enumerate((unit for unit in units if unit.pk not in taken), start=1)
    ]
    Assignment.objects.bulk_create(new)
    task.pending_groups.remove(group)
    record(
        "update",
        task,
        changes={
            _("选定单位组"): group.name,
            _("新增责任单位"): "、".join(assignment.unit.short_name for assignment in new),
        },
    )
    return len(new)


def notify_units_to_sign(plan):
    """A plan went live: every unit with assignments is asked to sign for them (签收)."""
    reporters = get_user_model().objects.filter(
        memberships__unit__assignments__task__plan=plan, memberships__role="reporter", is_active=True
    ).distinct()
    return notify(
        reporters,
        _("新计划已发布，请签收任务：%(title)s") % {"title": plan.title},
        _("请到“我的任务”核对本单位的分工：确属本单位职责的签收；不属于的提出异议并说明理由。"),
        f"{reverse('tasks:my_tasks')}?plan={plan.pk}",  # 我的任务 on this plan (another may be live too)
    )

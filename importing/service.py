"""From a parsed notice to a saved plan: the preview of what the names resolve to, and the import itself.

The same functions serve the import page and `manage.py import_plan`.
"""

import re
from dataclasses import dataclass, field

from django.contrib.admin.models import ADDITION, LogEntry
from django.db import transaction
from django.utils.translation import gettext as _

from tasks.models import WorkPlan
from tasks.plans import PlanDataError, assign_group_members, create_plan
from units.directory import Directory
from units.models import Unit, UnitAlias, UnitGroup

from .parser import ParsedItem, ParsedNotice


@dataclass
class ItemPreview:
    """One numbered item and what its unit names resolve to."""

    item: ParsedItem
    leads: list = field(default_factory=list)  # Unit
    responsibles: list = field(default_factory=list)  # Unit, groups expanded
    groups: list = field(default_factory=list)  # group names as written
    selective: list = field(default_factory=list)  # UnitGroup, members to be chosen
    unresolved: list = field(default_factory=list)  # names as written
    lead_groups: list = field(default_factory=list)  # a group named as lead unit: cannot be imported
    warnings: list = field(default_factory=list)  # ParseWarning about this item, shown at it


@dataclass
class Preview:
    notice: ParsedNotice
    sections: list  # [(ParsedSection, [ItemPreview])]
    unresolved: dict  # name as written → item numbers
    selective: list  # [(item number, UnitGroup)]
    existing_plan: WorkPlan | None
    # Units of another place, flagged and never resolved silently:
    other_place: dict = field(
        default_factory=dict
    )  # name as written → the unit it would be without its place
    foreign_issuer: str = ""  # the notice's place, when it is not this installation's

    @property
    def items(self):
        return [preview for _section, previews in self.sections for preview in previews]

    @property
    def blocked(self):
        """A reason the import cannot go ahead whatever is decided, or ""."""
        if self.existing_plan and self.existing_plan.status != WorkPlan.Status.DRAFT:
            return _("文号为“%(doc)s”的计划已经存在且已发布，不能重复导入。") % {
                "doc": self.notice.doc_number
            }
        if self.notice.year is None:
            return _("没有找到计划年度：请点“重新上传”，在“计划年度”中填写年度后再预览。")
        for preview in self.items:
            for name in preview.lead_groups:
                return _(
                    "第%(number)s项的牵头单位写作单位组“%(name)s”，请在通知中写明具体的牵头单位后重新上传。"
                ) % {
                    "number": preview.item.number,
                    "name": name,
                }
        return ""


_PLACE = re.compile(r"^(?:中共)?([\u4e00-\u9fff]{2,7}?(?:自治州|地区|盟|市|县|区|旗))")


def _places(directory):
    """The places this installation's units are named after (聊城市, 东昌府区 …)."""
    return {match[1] for unit in directory.units.values() if (match := _PLACE.match(unit.name))}


def _notice_place(notice):
    for text in (notice.issuer, notice.title):
        if match := _PLACE.match(text or ""):
            return match[1]
    return ""


def _without_place(name, directory):
    """The unit a name of another place (张掖市司法局) would be without its place (市司法局), or None."""
    match = re.match(r"^[\u4e00-\u9fff]{2,7}?(?=[市县区旗])", name)
    if not match:
        return None
    target = directory.resolve(name[match.end() :])
    return target if isinstance(target, Unit) else None


def _resolve_item(item, directory, foreign=False):
    """What the unit names of an item mean. In a notice of another place every name is left for the
    coordinator (市司法局 there is not 市司法局 here)."""
    preview = ItemPreview(item=item)
    members = []
    for role, names in (("lead", item.lead_units), ("responsible", item.responsible_units)):
        for name in names:
            target = None if foreign else directory.resolve(name)
            if isinstance(target, Unit):
                (preview.leads if role == "lead" else preview.responsibles).append(target)
            elif isinstance(target, UnitGroup) and role == "lead":
                preview.lead_groups.append(name)
            elif isinstance(target, UnitGroup):
                preview.groups.append(name)
                if target.selective:
                    preview.selective.append(target)
                else:
                    members.extend(target.members.all())
            else:
                preview.unresolved.append(name)
    preview.responsibles.extend(members)  # the notice's order: named units first, then the groups' members
    lead_ids = {unit.pk for unit in preview.leads}
    seen = set()
    preview.responsibles = [
        unit
        for unit in preview.responsibles
        if unit.pk not in lead_ids and not (unit.pk in seen or seen.add(unit.pk))
    ]
    return preview


def preview_notice(notice, directory=None):
    directory = directory or Directory()
    places, place = _places(directory), _notice_place(notice)
    foreign = place if places and place and place not in places else ""
    sections, unresolved, selective, other_place = [], {}, [], {}
    for section in notice.sections:
        previews = [_resolve_item(item, directory, foreign=bool(foreign)) for item in section.items]
        sections.append((section, previews))
        for preview in previews:
            for name in preview.unresolved:
                unresolved.setdefault(name, []).append(preview.item.number)
                if (unit := _without_place(name, directory)) is not None:
                    other_place[name] = unit
            selective.extend((preview.item.number, group) for group in preview.selective)
    existing = WorkPlan.objects.filter(doc_number=notice.doc_number).first() if notice.doc_number else None
    return Preview(notice, sections, unresolved, selective, existing, other_place, foreign)


def notice_as_json(notice, directory=None):
    """The parsed notice as one JSON-able object, unit names resolved to `Unit.name` (for --dry-run --json)."""
    preview = preview_notice(notice, directory)
    return {
        "doc_number": notice.doc_number,
        "title": notice.title,
        "issuer": notice.issuer,
        "issued_on": notice.issued_on.isoformat() if notice.issued_on else None,
        "year": notice.year,
        "task_level": notice.task_level,
        "other_place": preview.foreign_issuer or None,
        "sections": [
            {
                "number": section.number,
                "title": section.title,
                "items": [
                    {
                        "number": p.item.number,
                        "label": p.item.label,
                        "title": p.item.title,
                        "content": p.item.content,
                        "points": [
                            {
                                "text": point.text,
                                "lead": point.lead_units,
                                "responsible": point.responsible_units,
                            }
                            for point in p.item.points
                        ],
                        "lead_units": [unit.name for unit in p.leads],
                        "responsible_units": [unit.name for unit in p.responsibles],
                        "groups": p.groups,
                        "unresolved": [
                            {
                                "name": name,
                                "role": "lead" if name in p.item.lead_units else "responsible",
                                **(
                                    {"other_place_of": preview.other_place[name].name}
                                    if name in preview.other_place
                                    else {}
                                ),
                            }
                            for name in p.unresolved
                        ],
                        "leader": p.item.leader,
                        "deadline": p.item.deadline.isoformat()
                        if p.item.deadline and p.item.deadline_written
                        else None,
                        "deadline_text": p.item.deadline_text,
                    }
                    for p in previews
                ],
            }
            for section, previews in preview.sections
        ],
        "warnings": [
            {"code": w.code, "message": str(w.message), "text": w.text, "item": w.item}
            for w in notice.warnings
        ],
    }


def plan_data(notice, *, ignored=()):
    """The notice in the shape `tasks.plans.create_plan` takes, leaving out the names to ignore."""
    if notice.year is None:
        raise PlanDataError([_("没有找到计划年度，请填写计划年度后再导入。")])
    year = notice.year
    return {
        "doc_number": notice.doc_number,
        "title": notice.title,
        "issuer": notice.issuer,
        "issued_on": notice.issued_on,
        "year": year,
        "sections": [
            {
                "number": section.number,
                "title": section.title,
                "items": [
                    {
                        "number": item.number,
                        "title": item.title,
                        "content": item.content,
                        "responsibility_text": item.responsibility_text,
                        "lead_units": [name for name in item.lead_units if name not in ignored],
                        "responsible_units": [name for name in item.responsible_units if name not in ignored],
                        "deadline": item.deadline,
                    }
                    for item in section.items
                ],
            }
            for section in notice.sections
        ],
    }


@transaction.atomic
def import_notice(
    notice,
    *,
    source_text,
    user=None,
    aliases=None,
    new_units=None,
    ignored=(),
    choices=None,
    replace=False,
    status=WorkPlan.Status.DRAFT,
    fixes=(),
):
    """Save the notice as a plan, all or nothing.

    aliases: {name as written: Unit} — saved as UnitAlias, so the name resolves next time;
    new_units: {name as written: Unit.Kind} — created; ignored: names left out (they stay in the verbatim
    responsibility text); choices: {(item number, group pk): [Unit]} — the members picked for a selective
    group; replace: an existing *draft* plan with the same document number is deleted first;
    fixes: the coordinator's fixes in the preview, in words, kept in the import record (admin log).
    Raises PlanDataError with every reason it cannot.
    """
    existing = WorkPlan.objects.filter(doc_number=notice.doc_number).first()
    if existing is not None:
        if not replace or existing.status != WorkPlan.Status.DRAFT:
            raise PlanDataError(
                [_("文号为“%(doc)s”的计划已经存在。") % {"doc": notice.doc_number}]
                + ([] if existing.status == WorkPlan.Status.DRAFT else [_("已发布的计划不能被替换。")])
            )
        existing.delete()
    for name, unit in (aliases or {}).items():
        UnitAlias.objects.update_or_create(name=name, defaults={"unit": unit})
    for name, kind in (new_units or {}).items():
        if Unit.objects.filter(name=name).exists():
            raise PlanDataError([_("单位“%(name)s”已经存在，请选择“对应到已有单位”。") % {"name": name}])
        Unit.objects.create(name=name, short_name=name, kind=kind, order=10_000)
    plan = create_plan(plan_data(notice, ignored=set(ignored)), status=status, source_text=source_text)
    _apply_choices(plan, choices or {})
    if user is not None:
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=[plan],
            action_flag=ADDITION,
            change_message=_("从通知导入：%(count)s 项任务") % {"count": plan.tasks.count()}
            + ("；" + _("导入时修改：") + "；".join(fixes) if fixes else ""),
            single_object=True,
        )
    return plan


def _apply_choices(plan, choices):
    """Assign the chosen members of selective groups; a group with nothing chosen stays pending."""
    tasks = {task.number: task for task in plan.tasks.all()}
    groups = UnitGroup.objects.in_bulk({group_pk for _number, group_pk in choices})
    for (number, group_pk), units in choices.items():
        if units:
            assign_group_members(tasks[number], groups[group_pk], units)

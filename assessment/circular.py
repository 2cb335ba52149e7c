"""通报: a period's circular drafted from the data, edited by the coordinator, published to the units, and written as
an official Word document with annual.docx (GB/T 9704: 发文字号, title, 主送, body, signature, 版记).

Nothing is invented: what the data cannot say (the 发文字号, the requirements for the next period, 抄送) is a
【待补充：…】 placeholder, highlighted on the page and in the Word file.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from annual.assembly import addressee_line, default_issuer
from annual.docx import HEADING1, PARAGRAPH, Block, Imprint, OfficialDocument, text_lines
from tasks import access
from tasks.status import chinese_date
from units.models import Unit

from . import practice, scoring
from .models import Circular

EXCERPT = 200  # characters of a whole report quoted as good practice in the draft


class StaleCircular(Exception):
    def __init__(self, current):
        super().__init__(_("保存之前，这份通报已被他人修改。下面仍是您填写的内容；核对后如仍要以您的内容为准，请再保存一次。"))
        self.current = current


def placeholder(what):
    return _("【待补充：%(what)s】") % {"what": what}


def headings():
    return {
        "progress_text": _("一、总体进展"),
        "units_text": _("二、报送情况"),
        "practice_text": _("三、典型经验"),
        "requirements_text": _("四、下一步工作要求"),
    }


def default_title(plan, period):
    return _("关于%(year)s年法治政府建设工作计划%(period)s推进情况的通报") % {"year": plan.year, "period": period.name}


def recipients_text(facts_units):
    """主送 from the kinds of the units that carry the plan."""
    kinds = {unit.kind for unit in facts_units}
    parts = []
    if Unit.Kind.COUNTY in kinds:
        parts.append(_("各县（市、区）人民政府"))
    if Unit.Kind.DEV_ZONE in kinds:
        parts.append(_("市属开发区管委会"))
    if kinds - {Unit.Kind.COUNTY, Unit.Kind.DEV_ZONE}:
        parts.append(_("市直有关部门（单位）"))
    return "，".join(str(p) for p in parts) + "：" if parts else ""


def _unit_line(rows):
    if not rows:
        return _("无。")
    return "、".join(
        _("%(unit)s（第%(numbers)s项）") % {"unit": unit.name, "numbers": "、".join(str(n) for n in numbers)}
        for unit, numbers in rows
    ) + "。"


def draft_texts(plan, period, on=None):
    """The generated texts of the circular, from the period's facts and the marked good practice."""
    facts = scoring.period_facts(plan, period, on=on)
    f = facts["figures"]
    rate = f"{f['reported'] * 100 / f['assignments']:.1f}%" if f["assignments"] else "—"
    progress = _(
        "%(plan)s印发后，各有关单位按照分工抓好落实。截至%(on)s，%(period)s（报送截止日期%(due)s）应报送任务分工"
        "%(total)s项，已报送%(reported)s项，报送率%(rate)s；其中按时报送%(on_time)s项，逾期报送%(late)s项。"
        "审核通过%(accepted)s项，退回修改%(returned)s项，尚有%(missing)s项未报送。"
    ) % {
        "plan": f"《{plan.title}》", "on": chinese_date(facts["on"]), "period": period.name,
        "due": chinese_date(facts["due"]), "total": f["assignments"], "reported": f["reported"], "rate": rate,
        "on_time": f["on_time"], "late": f["late"], "accepted": f["accepted"], "returned": f["returned"],
        "missing": f["not_reported"],
    }
    units = "\n".join(
        [
            _("（一）未报送的单位：%(units)s") % {"units": _unit_line(facts["not_reported"])},
            _("（二）逾期报送的单位：%(units)s") % {"units": _unit_line(facts["late"])},
            _("（三）报告被退回修改的单位：%(units)s") % {"units": _unit_line(facts["returned"])},
        ]
    )
    found = practice.practices(plan, period)
    if found:
        lines = []
        for number, item in enumerate(found, start=1):
            text = " ".join(text_lines(item.text))
            if not item.passage and len(text) > EXCERPT:
                text = text[:EXCERPT] + "……"
            title = item.title.strip().rstrip("。；;.，,")
            lines.append(f"{number}. {item.report.assignment.unit.name}：{title}。{text}")
        practice_text = "\n".join(lines)
    else:
        practice_text = placeholder(_("本期典型经验（可在“典型经验”页标记已通过的报告）"))
    later = [p for p in plan.periods.all() if p.due_on > period.due_on]
    requirements = [placeholder(_("下一阶段工作要求"))]
    if later:
        requirements.insert(0, _("下一报送期为“%(name)s”，报送截止日期为%(due)s，请各单位按时报送。")
                            % {"name": later[0].name, "due": chinese_date(later[0].due_on)})
    return {
        "title": default_title(plan, period),
        "doc_number": placeholder(_("发文字号")),
        "recipients": recipients_text(_plan_units(plan)),
        "progress_text": progress,
        "units_text": units,
        "practice_text": practice_text,
        "requirements_text": "\n".join(str(r) for r in requirements),
        "cc": placeholder(_("抄送机关")),
        "issuer": default_issuer(plan),
    }


def _plan_units(plan):
    return list(Unit.objects.filter(assignments__task__plan=plan).distinct().only("pk", "kind"))


def generate(plan, period, user, on=None):
    """Draft the circular from the data (a new one, or the generated texts again over an existing draft)."""
    if not access.can_review(user):
        raise PermissionDenied(_("只有统筹人员可以起草通报。"))
    texts = draft_texts(plan, period, on=on)
    with transaction.atomic():
        circular = Circular.objects.select_for_update().filter(plan=plan, period=period).first()
        created = circular is None
        if created:
            circular = Circular(plan=plan, period=period)
        for name, value in texts.items():
            setattr(circular, name, value)
        circular.updated_by = user
        if not created:
            circular.version += 1
        circular.save()
        audit.record("create" if created else "update", circular, changes={_("起草"): period.name}, user=user)
    return circular


EDITABLE = ("title", "doc_number", "recipients", *Circular.PARTS, "cc", "issuer", "issued_on")


def save(circular, data, version, user):
    """Save the coordinator's edits; a save on top of a newer version is refused (StaleCircular)."""
    if not access.can_review(user):
        raise PermissionDenied(_("只有统筹人员可以修改通报。"))
    with transaction.atomic():
        fresh = Circular.objects.select_for_update().get(pk=circular.pk)
        if fresh.version != version:
            raise StaleCircular(fresh)
        changes = {}
        for name in EDITABLE:
            if name in data and getattr(fresh, name) != data[name]:
                changes[str(Circular._meta.get_field(name).verbose_name)] = str(data[name] or "")[:200]
                setattr(fresh, name, data[name])
        fresh.version += 1
        fresh.updated_by = user
        fresh.save()
        audit.record("update", fresh, changes=changes, user=user)
    return fresh


def set_published(circular, user, published):
    """Publish to the units (each sees it on its home page) or withdraw."""
    if not access.can_review(user):
        raise PermissionDenied(_("只有统筹人员可以发布通报。"))
    circular.published_at = timezone.now() if published else None
    circular.save(update_fields=["published_at"])
    audit.record("update", circular, changes={_("发布"): _("已发布") if published else _("撤回")}, user=user)
    return circular


def placeholders(circular):
    from annual.docx import PLACEHOLDER

    texts = [circular.title, circular.doc_number, circular.recipients, *(getattr(circular, p) for p in Circular.PARTS),
             circular.cc, circular.issuer]
    return [match.group() for text in texts for match in PLACEHOLDER.finditer(text or "")]


def document(circular):
    """The circular as an annual.docx OfficialDocument."""
    blocks = []
    for name, heading in headings().items():
        blocks.append(Block(HEADING1, str(heading)))
        blocks.append(Block(PARAGRAPH, getattr(circular, name) or placeholder(heading[2:])))
    return OfficialDocument(
        title=circular.title,
        blocks=blocks,
        issuer=circular.issuer,
        date=circular.issued_on,
        addressee=addressee_line(circular.recipients),
        doc_number=circular.doc_number,
        imprint=Imprint(cc=circular.cc, printer=circular.issuer, printed_on=circular.issued_on),
    )


def filename(circular):
    return f"{circular.plan.year}年{circular.period.name}通报.docx"


def published_for(plans):
    """The published circulars of these plans, newest first (for the units' home page)."""
    return list(
        Circular.objects.filter(plan__in=plans, published_at__isnull=False)
        .select_related("plan", "period")
        .order_by("-published_at")[:5]
    )

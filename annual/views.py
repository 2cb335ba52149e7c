"""The year-end report draft: the page (the draft with what is missing beside it), assembling, editing part by part
and the head fields, the print view, the Word download; and the ledger download.

Coordinators assemble and edit; leaders read, print and download; everyone else gets 403. Plans come through
`tasks.access`; every change goes through `annual.assembly`.
"""

import io
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

import audit
from tasks import access
from tasks.status import as_of_note
from tasks.workdays import WorkCalendar
from units.roles import roles_for

from . import assembly, digest
from .docx import write_docx
from .figures import FiguresWorkbook, figures_of
from .forms import AssembleForm, HeadForm, PartForm, PresetForm, TemplatePartFormSet, TemplateSettingsForm
from .ledger import ledger_filename, write_ledger
from .models import AnnualReport, ReportPart, ReportTemplate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NAV = "annual"
READERS_ONLY = gettext_lazy("只有统筹人员和领导可以查看年度报告和台账。")


def _plan_to_read(request, pk):
    """Coordinators and leaders read the draft; anyone else is refused before the plan is looked up."""
    access.require_reader(request.user, READERS_ONLY)
    return access.get_plan_for_user(request.user, pk)


def _plan_to_edit(request, pk):
    if not roles_for(request.user).is_coordinator:
        raise PermissionDenied(_("只有统筹人员可以汇编和修改年度报告。"))
    return access.get_plan_for_user(request.user, pk)


def _draft_of(plan):
    draft = get_object_or_404(AnnualReport.objects.select_related("period"), plan=plan)
    draft.plan = plan
    return draft


def _part_of(draft, part_pk):
    return get_object_or_404(ReportPart.objects.select_related("task__section"), report=draft, pk=part_pk)


def _page_url(plan, part=None):
    url = reverse("annual:annual_report", args=[plan.pk])
    return f"{url}#part-{part.pk}" if part is not None else url


def _not_assembled(request, plan):
    messages.error(request, _("年度报告还没有汇编。请统筹人员先在本页汇编草稿。"))
    return redirect(_page_url(plan))


# --- the page ----------------------------------------------------------------------------------------------


def annual_report_of_current_plan(request):
    """`annual-report/`: the report of the plan being carried out (else the latest one)."""
    access.require_reader(request.user, READERS_ONLY)
    plan = access.current_plan(request.user)
    if plan is None:
        messages.info(request, _("还没有工作计划，请先导入年度工作计划。"))
        return redirect("home")
    return redirect(_page_url(plan))


def _annotate(entries, by_id):
    for entry in entries:
        part = entry.part
        entry.news = (
            [(r, assembly.source_text(part, r)) for r in assembly.news_of(part, by_id)] if part else []
        )
        entry.todo = digest.count_placeholders("\n".join(entry.paragraphs)) if entry.exported else 0


def annual_report(request, pk):
    """The draft, part by part, with what is new since the last assembly; beside it what is missing."""
    plan = _plan_to_read(request, pk)
    draft = assembly.load_draft(plan)
    periods = assembly.plan_periods(plan)
    on = plan.as_of(list(periods))  # a closed plan: its deadlines as they stood at its close
    period = draft.period if draft and draft.period else assembly.default_period(periods, plan.year)
    tasks = assembly.plan_tasks(plan)
    reports = assembly.accepted_reports(period)
    parts = assembly.draft_parts(draft)
    rows = assembly.template_parts(draft)
    entries = assembly.outline(assembly.plan_sections(plan), parts, rows)
    _annotate(entries, assembly.reports_by_id(reports))
    in_draft = {part.task_id for part in parts if part.task_id}
    todo = [entry for entry in entries if entry.todo]
    characters = sum(len(block.text) for block in assembly.document_blocks(entries))  # as the Word file counts
    return render(
        request,
        "annual/report.html",
        {
            "nav_active": NAV,
            "plan": plan,
            "draft": draft,
            "period": period,
            "periods": periods,
            "entries": entries,
            "template_rows": rows,
            "report_count": len(reports),
            "edited_count": sum(part.edited for part in parts),
            "news_count": sum(len(entry.news) for entry in entries),
            "todo": todo,
            "todo_count": sum(entry.todo for entry in todo),
            "characters": characters,
            "tasks_missing": assembly.tasks_without_accepted(tasks, reports),
            "tasks_not_in_draft": [t for t in tasks if t.pk not in in_draft] if draft else [],
            "units_silent": assembly.units_never_reported(plan),
            "deadlines": assembly.statutory_deadlines(plan.year, on, WorkCalendar.load()),
            "on": on,
            "as_of_note": as_of_note(plan, on),
            "can_edit": roles_for(request.user).is_coordinator,
            "assemble_form": AssembleForm(periods=periods, initial_period=period),
        },
    )


@require_POST
def annual_assemble(request, pk):
    plan = _plan_to_edit(request, pk)
    form = AssembleForm(request.POST, periods=assembly.plan_periods(plan))
    if not form.is_valid():
        messages.error(request, _("请选择这份计划的一个报送期。"))
        return redirect(_page_url(plan))
    try:
        summary = assembly.assemble(plan, period=form.cleaned_data["period"], user=request.user)
    except assembly.AssemblyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _assembly_message(summary, form.cleaned_data["period"]))
    return redirect(_page_url(plan))


def _assembly_message(summary, period):
    if summary.created:
        return _("已汇编年度报告草稿：纳入“%(period)s”已通过的报告 %(reports)s 份。") % {
            "period": period.name,
            "reports": summary.reports,
        }
    text = _(
        "已重新汇编：纳入“%(period)s”已通过的报告 %(reports)s 份，其中新纳入 %(new)s 份（已在草稿中标出）；"
        "保留您修改过的 %(kept)s 个部分，更新 %(replaced)s 个未修改的部分。"
    ) % {
        "period": period.name,
        "reports": summary.reports,
        "new": summary.newly_included,
        "kept": summary.kept_edited,
        "replaced": summary.replaced,
    }
    if summary.added_parts or summary.dropped_parts:
        text += _("新增任务 %(added)s 项，移除已删除任务的部分 %(dropped)s 个。") % {
            "added": summary.added_parts,
            "dropped": summary.dropped_parts,
        }
    return text


# --- editing -----------------------------------------------------------------------------------------------


def _part_heading(part, year, rows=()):
    if part.task_id:
        return f"{part.task.number}. {assembly.task_heading(part.task)}"
    if part.kind == ReportPart.Kind.OPENING:
        return _("开头")
    row = next((r for r in rows if r.part_key == part.key), None)
    return row.heading if row is not None else part.get_kind_display()


@dataclass
class Material:
    """One accepted report behind a part, cut into sentences; `taken` marks those the assembly used."""

    report: object
    sentences: list  # [(index, sentence, taken)]
    text: str


def _part_material(part, draft, rows):
    """Every accepted report behind the part (one query for the reports, whatever their number)."""
    reports = assembly.accepted_reports(draft.period)
    if part.kind in (ReportPart.Kind.LEADERS, ReportPart.Kind.OTHER, ReportPart.Kind.TEXT):
        sections = {s.pk for s in assembly.part_sections(part, rows, assembly.plan_sections(draft.plan))}
        behind = [r for r in reports if r.assignment.task.section_id in sections]
    elif part.kind == ReportPart.Kind.OPENING:
        behind = []
    else:
        by_id = assembly.reports_by_id(reports)
        behind = [by_id[pk] for pk in part.source_report_ids if pk in by_id]
    taken = {(report_id, index) for report_id, index in part.digest}
    material = []
    for report in behind:
        text = assembly.source_text(part, report)
        sentences = [
            (index, sentence, (report.pk, index) in taken)
            for index, sentence in enumerate(digest.sentences(text))
        ]
        if sentences:
            material.append(Material(report, sentences, assembly.clean_text(text)))
    return material


@require_http_methods(["GET", "POST"])
def annual_part_edit(request, pk, part_pk):
    """Edit one part. A save on top of someone else's newer save is refused; both texts stay on screen."""
    plan = _plan_to_edit(request, pk)
    draft = _draft_of(plan)
    part = _part_of(draft, part_pk)
    rows = assembly.template_parts(draft)
    conflict = None
    if request.method == "POST":
        form = PartForm(request.POST)
        if form.is_valid():
            try:
                part = assembly.save_part(
                    part,
                    text=form.cleaned_data["text"],
                    version=form.cleaned_data["version"],
                    user=request.user,
                )
            except assembly.StaleEdit as error:
                conflict = error.current
                messages.error(request, str(error))
                data = request.POST.copy()
                data["version"] = conflict.version  # the next save is made knowingly on top of it
                form = PartForm(data)
            else:
                messages.success(
                    request, _("已保存“%(part)s”。") % {"part": _part_heading(part, plan.year, rows)}
                )
                return redirect(_page_url(plan, part))
        else:
            messages.error(request, _("没有保存：请按红字提示修改。您填写的内容仍在下面。"))
    else:
        form = PartForm(initial={"text": part.text, "version": part.version})
    material = _part_material(part, draft, rows)
    return render(
        request,
        "annual/part_edit.html",
        {
            "nav_active": NAV,
            "plan": plan,
            "draft": draft,
            "part": part,
            "heading": _part_heading(part, plan.year, rows),
            "form": form,
            "conflict": conflict,
            "material": material,
            "practices": assembly.extra_material([item.report.pk for item in material]),
            "is_grouped": part.kind in (ReportPart.Kind.SHORTCOMINGS, ReportPart.Kind.NEXT_YEAR),
        },
    )


@require_POST
def annual_part_replace(request, pk, part_pk):
    """采用重新汇编的文本: the part takes the assembled text again."""
    plan = _plan_to_edit(request, pk)
    part = _part_of(_draft_of(plan), part_pk)
    try:
        # a version that is not a number (a tampered form) matches none: refused as stale
        version = access.parse_pk(request.POST.get("version")) or 0
        part = assembly.use_assembled_text(part, version=version, user=request.user)
    except assembly.StaleEdit as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已采用重新汇编的文本。"))
    return redirect(_page_url(plan, part))


@require_POST
def annual_part_dismiss(request, pk, part_pk):
    """保留我的 / 知道了: the newly included reports are no longer highlighted."""
    plan = _plan_to_edit(request, pk)
    part = assembly.dismiss_news(_part_of(_draft_of(plan), part_pk), user=request.user)
    messages.success(request, _("已保留现有文本，不再标出新纳入的报告。"))
    return redirect(_page_url(plan, part))


@require_http_methods(["GET", "POST"])
def annual_head_edit(request, pk):
    """Title, issuing office, date and 主送 of the report."""
    plan = _plan_to_edit(request, pk)
    draft = _draft_of(plan)
    conflict = None
    if request.method == "POST":
        form = HeadForm(request.POST, instance=AnnualReport(plan=plan))
        if form.is_valid():
            try:
                assembly.save_head(
                    draft, data=form.cleaned_data, version=form.cleaned_data["version"], user=request.user
                )
            except assembly.StaleEdit as error:
                conflict = error.current
                messages.error(request, str(error))
                data = request.POST.copy()
                data["version"] = conflict.version
                form = HeadForm(data, instance=AnnualReport(plan=plan))
            else:
                messages.success(request, _("已保存标题和落款。"))
                return redirect(_page_url(plan))
        else:
            messages.error(request, _("没有保存：请按红字提示修改。您填写的内容仍在下面。"))
    else:
        form = HeadForm(instance=draft, initial={"version": draft.version})
    return render(
        request,
        "annual/head_edit.html",
        {"nav_active": NAV, "plan": plan, "draft": draft, "form": form, "conflict": conflict},
    )


# --- reading it out ----------------------------------------------------------------------------------------


def annual_print(request, pk):
    """The report as it will be printed: A4, serif fonts, headings; the browser prints it."""
    plan = _plan_to_read(request, pk)
    draft = assembly.load_draft(plan)
    if draft is None:
        return _not_assembled(request, plan)
    draft.plan = plan
    entries = assembly.draft_outline(draft)
    return render(
        request,
        "annual/print.html",
        {
            "nav_active": NAV,
            "plan": plan,
            "draft": draft,
            "entries": [entry for entry in entries if entry.exported],
            "addressee": assembly.addressee_line(draft.addressee),
        },
    )


def annual_docx(request, pk):
    """The report as an official Word document, with the coordinator's edits."""
    plan = _plan_to_read(request, pk)
    draft = assembly.load_draft(plan)
    if draft is None:
        return _not_assembled(request, plan)
    draft.plan = plan
    buffer = io.BytesIO()
    write_docx(assembly.document_for(draft), buffer)
    buffer.seek(0)
    filename = assembly.docx_filename(draft)
    audit.record(
        "export",
        plan,
        changes={_("文件"): filename, _("报送期"): draft.period.name if draft.period_id else ""},
        request=request,
    )
    return FileResponse(buffer, as_attachment=True, filename=filename, content_type=DOCX)


def ledger(request, pk):
    """The ledger (台账) as .xlsx; `?period=<id>` limits it to one period of the plan."""
    plan = _plan_to_read(request, pk)
    periods = None
    wanted = request.GET.get("period", "")
    if wanted:
        if access.parse_pk(wanted) is None:
            raise Http404
        periods = [access.get_period_for_plan(plan, access.parse_pk(wanted))]
    buffer = io.BytesIO()
    write_ledger(plan, buffer, periods=periods)
    buffer.seek(0)
    audit.record(
        "export",
        plan,
        changes={
            _("文件"): ledger_filename(plan),
            _("报送期"): "、".join(period.name for period in periods) if periods else _("全部"),
        },
        request=request,
    )
    return FileResponse(buffer, as_attachment=True, filename=ledger_filename(plan), content_type=XLSX)


# --- the template: parts, order, sections ------------------------------------------------------------------


def _reassemble(request, plan, draft):
    """After a template change the draft follows it at once (edited parts keep their text)."""
    summary = assembly.assemble(plan, period=draft.period, user=request.user)
    messages.success(request, _assembly_message(summary, summary.draft.period))


@require_http_methods(["GET", "POST"])
def annual_template(request, pk):
    """The draft's template: headings, order, what each part holds, which plan sections feed it."""
    plan = _plan_to_edit(request, pk)
    draft = _draft_of(plan)
    sections = assembly.plan_sections(plan)
    template = assembly.load_template(draft) or assembly.ensure_template(draft, sections)
    rows = assembly.template_parts(draft)
    if request.method == "POST":
        formset = TemplatePartFormSet(request.POST, form_kwargs={"sections": sections})
        settings_form = TemplateSettingsForm(request.POST)
        if formset.is_valid() and settings_form.is_valid():
            wanted = [
                {
                    "pk": form.cleaned_data.get("pk"),
                    "heading": form.cleaned_data.get("heading") or "",
                    "kind": form.cleaned_data["kind"],
                    "order": form.cleaned_data.get("order") or 99,
                    "section_ids": form.cleaned_data.get("sections") or [],
                }
                for form in formset.forms
                if form.has_changed() or form.cleaned_data.get("pk")
                if form.cleaned_data and not form.cleaned_data.get("DELETE")
            ]
            try:
                assembly.save_template(
                    draft,
                    rows=wanted,
                    digest_limit=settings_form.cleaned_data["digest_limit"],
                    user=request.user,
                )
            except assembly.AssemblyError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("已保存报告模板，草稿已按新模板重新汇编。"))
                _reassemble(request, plan, draft)
                return redirect(_page_url(plan))
        else:
            messages.error(request, _("没有保存：请按红字提示修改。"))
    else:
        formset = TemplatePartFormSet(
            initial=[
                {
                    "pk": r.pk,
                    "heading": r.heading,
                    "kind": r.kind,
                    "order": r.order,
                    "sections": r.section_ids,
                }
                for r in rows
            ],
            form_kwargs={"sections": sections},
        )
        settings_form = TemplateSettingsForm(initial={"digest_limit": template.digest_limit})
    return render(
        request,
        "annual/template_edit.html",
        {
            "nav_active": NAV,
            "plan": plan,
            "draft": draft,
            "template": template,
            "formset": formset,
            "settings_form": settings_form,
            "preset_form": PresetForm(initial={"preset": template.preset}),
        },
    )


@require_POST
def annual_template_preset(request, pk):
    """套用模板: the statutory five parts or the county layout; the draft is re-assembled at once."""
    plan = _plan_to_edit(request, pk)
    draft = _draft_of(plan)
    form = PresetForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择一个报告模板。"))
        return redirect("annual:annual_template", plan.pk)
    assembly.apply_preset(draft, form.cleaned_data["preset"], user=request.user)
    messages.success(
        request,
        _("已套用“%(preset)s”，草稿已重新汇编。")
        % {"preset": ReportTemplate.Preset(form.cleaned_data["preset"]).label},
    )
    _reassemble(request, plan, draft)
    return redirect(_page_url(plan))


# --- the figures the reports give ---------------------------------------------------------------------------


def _figures(plan, draft):
    periods = assembly.plan_periods(plan)
    period = draft.period if draft and draft.period else assembly.default_period(periods, plan.year)
    return period, figures_of(assembly.accepted_reports(period))


def annual_figures(request, pk):
    """数据一览: every figure of the accepted reports, with unit word, task, unit and sentence."""
    plan = _plan_to_read(request, pk)
    period, rows = _figures(plan, assembly.load_draft(plan))
    return render(
        request,
        "annual/figures.html",
        {
            "nav_active": NAV,
            "plan": plan,
            "period": period,
            "rows": rows,
            "report_base": reverse("tasks:report_detail", args=[0]).removesuffix("0/"),
        },
    )


def annual_figures_xlsx(request, pk):
    plan = _plan_to_read(request, pk)
    period, rows = _figures(plan, assembly.load_draft(plan))
    filename, mimetype, content = FiguresWorkbook(plan, period, rows).render()
    audit.record("export", plan, changes={_("文件"): filename}, request=request)
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=mimetype)

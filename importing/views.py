"""The import page (coordinators only): notice in → preview with decisions → confirm, all or nothing.

Between the two steps the notice text waits in the session (database-backed, so any worker can serve
the next step); the preview is parsed again from it, and a digest in the form catches a stale tab.
"""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tasks import access
from tasks.models import WorkPlan
from tasks.plans import PlanDataError

from .forms import DecisionForm, EditForm, NoticeForm, describe_edits, digest
from .parser import notice_lines, parse_notice
from .service import import_notice, preview_notice

SESSION_KEY = "plan_import"


def _require_coordinator(user):
    if not access.can_manage_plans(user):
        raise PermissionDenied(_("只有统筹人员可以导入工作计划。"))


def import_plan(request):
    _require_coordinator(request.user)
    form = NoticeForm(request.POST, request.FILES) if request.method == "POST" else NoticeForm()
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_KEY] = {
            "text": form.cleaned_data["notice_text"],
            "year": form.cleaned_data.get("year"),
            "name": form.cleaned_data["source_name"],
        }
        return redirect("importing:import_preview")
    return render(request, "importing/import_plan.html", {"form": form})


def import_preview(request):
    _require_coordinator(request.user)
    stored = request.session.get(SESSION_KEY)
    if not stored:
        messages.error(request, _("没有待确认的导入内容（可能已经导入，或登录已过期），请重新上传通知。"))
        return redirect("importing:import_plan")
    edits = stored.get("edits") or {}
    notice = parse_notice(stored["text"], year=stored.get("year"), edits=edits)
    preview = preview_notice(notice)
    data = request.POST if request.method == "POST" else None
    # the digest covers the fixes too: a tab showing an older state of the preview cannot confirm
    state = stored["text"] + (json.dumps(edits, sort_keys=True, ensure_ascii=False) if edits else "")
    form = DecisionForm(data, preview=preview, text_digest=digest(state))
    if request.method == "POST" and form.is_valid():
        status = WorkPlan.Status.ACTIVE if form.cleaned_data["publish"] else WorkPlan.Status.DRAFT
        try:
            plan = import_notice(
                notice,
                source_text=stored["text"],
                user=request.user,
                status=status,
                fixes=describe_edits(edits),
                **form.decisions(),
            )
        except PlanDataError as error:
            for problem in error.problems:
                form.add_error(None, problem)
        else:
            del request.session[SESSION_KEY]
            messages.success(
                request,
                _("已导入《%(title)s》：%(sections)s 个部分、%(tasks)s 项任务。")
                % {"title": plan.title, "sections": len(notice.sections), "tasks": plan.tasks.count()},
            )
            return redirect(plan)
    for item_preview in preview.items:
        item_preview.warnings = [
            w for w in notice.warnings if w.line is not None and w.line == item_preview.item.line
        ]
    lines = notice_lines(stored["text"])
    return render(
        request,
        "importing/import_preview.html",
        {
            "notice": notice,
            "preview": preview,
            "form": form,
            "source_name": stored.get("name", ""),
            "source_lines": [(index + 1, line) for index, line in enumerate(lines)],
            "general_warnings": [w for w in notice.warnings if w.line is None],
            "not_placed": [w for w in notice.warnings if w.code == "unplaced_text"],
            "fixes": describe_edits(edits),
            "edit_form": EditForm(line_count=len(lines)),
        },
    )


@require_POST
def import_edit(request):
    """One fix from the preview (a line made a section / task / part of the previous task, a deadline,
    a unit's role); kept with the notice in the session until the import is confirmed."""
    _require_coordinator(request.user)
    stored = request.session.get(SESSION_KEY)
    if not stored:
        messages.error(request, _("没有待确认的导入内容（可能已经导入，或登录已过期），请重新上传通知。"))
        return redirect("importing:import_plan")
    form = EditForm(request.POST, line_count=len(notice_lines(stored["text"])))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("importing:import_preview")
    stored["edits"] = form.apply(stored.get("edits"))
    request.session[SESSION_KEY] = stored
    messages.success(request, _("已修改，预览已按修改重新识别。"))
    return redirect(reverse("importing:import_preview") + f"#L{form.cleaned_data['line']}")

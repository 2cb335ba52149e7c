"""The import page (coordinators only): notice in → preview with decisions → confirm, all or nothing.

Between the two steps the notice text waits in the session (database-backed, so any worker can serve
the next step); the preview is parsed again from it, and a digest in the form catches a stale tab.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tasks import access
from tasks.models import WorkPlan
from tasks.plans import PlanDataError

from .forms import DecisionForm, NoticeForm, digest
from .parser import parse_notice
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
    notice = parse_notice(stored["text"], year=stored.get("year"))
    preview = preview_notice(notice)
    data = request.POST if request.method == "POST" else None
    form = DecisionForm(data, preview=preview, text_digest=digest(stored["text"]))
    if request.method == "POST" and form.is_valid():
        status = WorkPlan.Status.ACTIVE if form.cleaned_data["publish"] else WorkPlan.Status.DRAFT
        try:
            plan = import_notice(
                notice, source_text=stored["text"], user=request.user, status=status, **form.decisions()
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
    return render(
        request,
        "importing/import_preview.html",
        {"notice": notice, "preview": preview, "form": form, "source_name": stored.get("name", "")},
    )

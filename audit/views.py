"""The audit log page: coordinators read who changed what and when, filtered by person, dates, action, type."""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from units.roles import roles_for

from .filters import AuditFilter
from .models import AuditEntry

PAGE_SIZE = 100


def _model(label):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _label(model, name):
    """The field's verbose name while the model still has the field; else the key as written."""
    if model is not None:
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            pass
    return name


def _text(value):
    return _("（空）") if value in ("", None) else str(value)


def change_lines(entry, model):
    """[(label, text)] of an entry's changes: "旧 → 新", "增加：…；移除：…", a secret as "已修改", or the value."""
    lines = []
    changes = entry.changes if isinstance(entry.changes, dict) else {"": entry.changes}
    for key, value in changes.items():
        label = _label(model, key)
        if value is None:
            text = _("已修改")
        elif isinstance(value, list) and len(value) == 2 and entry.action == AuditEntry.Action.UPDATE:
            text = f"{_text(value[0])} → {_text(value[1])}"
        elif isinstance(value, dict) and set(value) <= {"added", "removed"}:
            parts = []
            if value.get("added"):
                parts.append(_("增加：%(names)s") % {"names": "、".join(map(str, value["added"]))})
            if value.get("removed"):
                parts.append(_("移除：%(names)s") % {"names": "、".join(map(str, value["removed"]))})
            text = "；".join(parts)
        elif isinstance(value, list):
            text = "、".join(map(str, value))
        else:
            text = str(value)
        lines.append((label, text))
    return lines


def audit_log(request):
    """审计日志: newest first, 100 a page; coordinators only."""
    if not roles_for(request.user).is_coordinator:
        raise PermissionDenied(_("只有统筹人员可以查看审计日志。"))
    entries = AuditEntry.objects.select_related("user").order_by("-at", "-pk")
    audit_filter = AuditFilter(request.GET, queryset=entries)
    page = Paginator(audit_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    models = {}
    for entry in page:
        if entry.model not in models:
            models[entry.model] = _model(entry.model) if entry.model else None
        model = models[entry.model]
        entry.type_name = model._meta.verbose_name if model is not None else entry.model
        entry.lines = change_lines(entry, model)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {"filter": audit_filter, "page": page, "query": query.urlencode()},
    )

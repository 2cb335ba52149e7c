"""The bell: a person's notifications, newest first; opening one marks it read."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import Notification


def notification_list(request):
    notes = Notification.objects.filter(recipient=request.user)
    page = Paginator(notes, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


def notification_open(request, pk):
    """Mark one's own notification read and go where it points (only within this site)."""
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk).update(read_at=timezone.now())
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        return redirect(note.url)
    return redirect("notifications:list")


@require_POST
def notification_read_all(request):
    count = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, _("已将 %(count)s 条通知标为已读。") % {"count": count})
    return redirect("notifications:list")

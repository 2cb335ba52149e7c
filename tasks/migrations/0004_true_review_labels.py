"""Stored reports brought in line with the workflow's labels (issue 17):

- a submitted report carries no review: a review stored on one is an earlier round's return (its note stays in
  the RETURN event);
- an approval holds for the text approved: one that only a submit or an accept moved past is carried to the
  current version; one that a return ended is cleared; one followed by an edit stays (it needs a new approval).
"""

from django.db import migrations
from django.db.models import F

EDITS = {"create", "edit", "attach", "detach"}


def forwards(apps, schema_editor):
    ProgressReport = apps.get_model("tasks", "ProgressReport")
    ReportEvent = apps.get_model("tasks", "ReportEvent")
    ProgressReport.objects.filter(state="submitted", reviewed_at__isnull=False).update(
        reviewed_at=None, reviewed_by=None, review_note=""
    )
    stale = ProgressReport.objects.filter(approved_version__isnull=False).exclude(approved_version=F("version"))
    for pk, approved, version in stale.values_list("pk", "approved_version", "version"):
        later = set(
            ReportEvent.objects.filter(report_id=pk, version__gt=approved).values_list("action", flat=True)
        )
        if "return" in later:
            ProgressReport.objects.filter(pk=pk).update(approved_at=None, approved_by=None, approved_version=None)
        elif not later & EDITS:
            ProgressReport.objects.filter(pk=pk).update(approved_version=version)


class Migration(migrations.Migration):
    dependencies = [("tasks", "0003_workplan_public_dashboard")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""The demo's 考核与通报: two or three good practices marked on accepted 上半年 reports (a passage of each: its
first sentence) and the 上半年 circular drafted from the data. Idempotent: nothing is added twice."""

from assessment import circular, practice
from assessment.models import Circular, GoodPractice
from tasks.models import ProgressReport
from units.models import User

PRACTICES = 3
PERIOD_NAME = "上半年"


def first_sentence(text):
    head, mark, _rest = text.strip().partition("。")
    return (head + mark).strip() if mark else head.strip()


def load_assessment(plan, coordinator_username="coordinator"):
    """Returns (good practices marked, circular drafted) for the summary."""
    period = plan.periods.filter(name=PERIOD_NAME).first()
    if period is None:
        return 0, False
    coordinator = User.objects.get(username=coordinator_username)
    marked = 0
    if not GoodPractice.objects.filter(report__period=period).exists():
        reports = (
            ProgressReport.objects.filter(period=period, state=ProgressReport.State.ACCEPTED)
            .select_related("assignment__unit", "assignment__task")
            .order_by("assignment__task__number", "assignment__unit__order", "pk")
        )
        units = set()
        for report in reports:
            passage = first_sentence(report.body)
            if report.assignment.unit_id in units or len(passage) < 20:
                continue
            units.add(report.assignment.unit_id)
            practice.mark(report, coordinator, report.assignment.task.title[:30].rstrip("。；;"), passage)
            marked += 1
            if marked == PRACTICES:
                break
    drafted = False
    if not Circular.objects.filter(plan=plan, period=period).exists():
        circular.generate(plan, period, coordinator)
        drafted = True
    return marked, drafted

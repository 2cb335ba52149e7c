"""The ranking page's query count does not grow with the data: a small generated city, a city twice the size and
a slice of the province give the same count (the bench measures its median at city scale)."""

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tasks.models import ReportingPeriod, WorkPlan
from tooling import datagen
from units.models import User

pytestmark = pytest.mark.django_db


def ranking_queries(scale, seed, size):
    """(queries of the ranking page for the year, for a period, for a reporter), in a savepoint rolled back."""
    sid = transaction.savepoint()
    try:
        data, _counts, _seconds = datagen.generate(scale, seed=seed, size=size)
        plan = WorkPlan.objects.get(doc_number=data.main_doc_number)
        period = ReportingPeriod.objects.filter(plan=plan).order_by("due_on").first()
        counts = []
        client = Client()
        client.force_login(User.objects.get(username=data.leader_username))
        for url in (reverse("assessment:ranking") + f"?plan={plan.pk}",
                    reverse("assessment:ranking") + f"?plan={plan.pk}&period={period.pk}"):
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        assignments = plan.tasks.values("assignments").count()
        return counts, assignments
    finally:
        transaction.savepoint_rollback(sid)


def test_the_ranking_page_makes_the_same_number_of_queries_at_any_size():
    small, small_assignments = ranking_queries("city", 11, 0.1)
    larger, larger_assignments = ranking_queries("city", 11, 0.3)
    province, _ = ranking_queries("province", 11, 0.05)
    assert larger_assignments > 2 * small_assignments
    assert small == larger == province, (small, larger, province)

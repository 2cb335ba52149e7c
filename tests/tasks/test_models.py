import datetime

import pytest
from django.db import IntegrityError, transaction

from tasks.models import Assignment, ProgressReport, ReportingPeriod, Section, Task, WorkPlan, chinese_number
from units.models import Unit

pytestmark = pytest.mark.django_db


def test_it_refuses_a_repeated_task_number_in_one_plan(plan):
    section = plan.sections.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(plan=plan, section=section, number=1, title="重复", content="重复")


def test_the_same_task_number_is_fine_in_another_plan(plan):
    other = WorkPlan.objects.create(year=2023, title="2023年计划", doc_number="聊政办字〔2023〕1号")
    section = Section.objects.create(plan=other, number=1, title="一")
    Task.objects.create(plan=other, section=section, number=1, title="一", content="一")
    assert Task.objects.filter(number=1).count() == 2


def test_it_refuses_a_repeated_doc_number(plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkPlan.objects.create(year=2022, title="副本", doc_number=plan.doc_number)


def test_it_refuses_a_repeated_section_number(plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        Section.objects.create(plan=plan, number=1, title="重复")


def test_it_refuses_two_assignments_of_one_unit_to_one_task(plan):
    task = plan.tasks.get(number=18)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(task=task, unit=Unit.objects.get(short_name="市司法局"), role="responsible")


def test_it_refuses_two_reports_for_one_assignment_and_period(plan):
    assignment = plan.tasks.get(number=18).assignments.first()
    period = ReportingPeriod.objects.create(
        plan=plan, name="唯一性测试", starts_on=datetime.date(2022, 1, 1), ends_on=datetime.date(2022, 3, 31),
        due_on=datetime.date(2022, 4, 8),
    )
    ProgressReport.objects.create(assignment=assignment, period=period)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReport.objects.create(assignment=assignment, period=period)


def test_it_refuses_a_period_that_ends_before_it_starts(plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingPeriod.objects.create(
            plan=plan,
            name="倒序",
            starts_on=datetime.date(2022, 6, 1),
            ends_on=datetime.date(2022, 1, 1),
            due_on=datetime.date(2022, 6, 5),
        )


def test_it_refuses_a_year_out_of_range():
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkPlan.objects.create(year=22, title="笔误", doc_number="x")


def test_an_assignment_takes_the_task_deadline_by_default(plan):
    task = plan.tasks.get(number=9)
    unit = Unit.objects.get(short_name="市税务局")
    assignment = Assignment.objects.create(task=task, unit=unit, role="responsible")
    assert assignment.deadline == task.deadline == datetime.date(2022, 12, 31)


@pytest.mark.parametrize(
    ("number", "text"), [(1, "一"), (9, "九"), (10, "十"), (12, "十二"), (20, "二十"), (35, "三十五")]
)
def test_section_numbers_read_as_chinese_numerals(number, text):
    assert chinese_number(number) == text

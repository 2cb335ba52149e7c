"""Every page for every role: who gets 200, who is sent to log in, who gets 404/403."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tasks.models import (
    Assignment,
    ExtensionRequest,
    ProgressReport,
    ReportingPeriod,
    Section,
    Task,
    WorkPlan,
)
from tests.conftest import (
    ADMIN,
    APPROVER,
    COORDINATOR,
    COUNTY_REPORTER,
    LEAD_REPORTER,
    LEADER,
    PASSWORD,
    ZONE_REPORTER,
)
from units.models import Unit

pytestmark = pytest.mark.django_db

ROLES = [COORDINATOR, LEADER, LEAD_REPORTER, COUNTY_REPORTER, ZONE_REPORTER, APPROVER, ADMIN]


def page_urls(plan):
    task = plan.tasks.get(number=18)
    return {
        "home": reverse("home"),
        "plan_list": reverse("tasks:plan_list"),
        "plan_detail": reverse("tasks:plan_detail", args=[plan.pk]),
        "task_list": reverse("tasks:task_list", args=[plan.pk]),
        "task_detail": reverse("tasks:task_detail", args=[task.pk]),
        "my_tasks": reverse("tasks:my_tasks"),
    }


@pytest.mark.parametrize("username", ROLES)
@pytest.mark.parametrize("page", ["home", "plan_list", "plan_detail", "task_list", "task_detail", "my_tasks"])
def test_every_role_can_open_every_page(login, plan, username, page):
    response = login(username).get(page_urls(plan)[page])
    assert response.status_code == 200
    assert "法治政府建设任务管理" in response.content.decode()


@pytest.mark.parametrize("page", ["home", "plan_list", "plan_detail", "task_list", "task_detail", "my_tasks"])
def test_anonymous_visitors_are_sent_to_log_in(client, plan, page):
    url = page_urls(plan)[page]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_the_admin_is_for_staff_only(login):
    response = login(LEAD_REPORTER).get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    assert login(COORDINATOR).get(reverse("admin:units_unit_changelist")).status_code == 200
    assert login(COORDINATOR).get(reverse("admin:units_user_changelist")).status_code == 200  # view only
    assert login(COORDINATOR).get(reverse("admin:units_user_add")).status_code == 403


@pytest.mark.parametrize(("username", "status"), [(COORDINATOR, 200), (LEADER, 200), (LEAD_REPORTER, 404)])
def test_a_draft_plan_is_hidden_from_reporters(login, plan, username, status):
    WorkPlan.objects.filter(pk=plan.pk).update(status=WorkPlan.Status.DRAFT)
    task = plan.tasks.get(number=1)
    client = login(username)
    assert client.get(reverse("tasks:plan_detail", args=[plan.pk])).status_code == status
    assert client.get(reverse("tasks:task_list", args=[plan.pk])).status_code == status
    assert client.get(reverse("tasks:task_detail", args=[task.pk])).status_code == status


def test_an_unknown_plan_or_task_is_404(login):
    client = login(COORDINATOR)
    assert client.get(reverse("tasks:plan_detail", args=[999999])).status_code == 404
    assert client.get(reverse("tasks:task_detail", args=[999999])).status_code == 404


def test_the_login_page_is_chinese_and_explains_a_wrong_password(client):
    page = client.get(reverse("login")).content.decode()
    assert "用户名" in page and "密码" in page and 'lang="zh-hans"' in page
    response = client.post(reverse("login"), {"username": COORDINATOR, "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logging_in_leads_home_and_logging_out_needs_post(client):
    response = client.post(reverse("login"), {"username": COORDINATOR, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_coordinator_home_shows_the_plan_totals(login):
    page = login(COORDINATOR).get(reverse("home")).content.decode()
    assert "聊城市2022年法治政府建设工作计划" in page
    assert "项待选定单位" in page
    assert 'href="/admin/"' in page  # admin link for staff
    assert "我的任务" not in page  # the coordinator reports for no unit


def another_live_plan(year, reports):
    """An active plan of another city in the same database, with submitted reports and a contested assignment."""
    other = WorkPlan.objects.create(
        year=year, title=f"外市{year}年计划", doc_number=f"外政办字〔{year}〕1号", status="active"
    )
    section = Section.objects.create(plan=other, number=1, title="部分")
    period = ReportingPeriod.objects.create(
        plan=other,
        name="上半年",
        starts_on=date(year, 1, 1),
        ends_on=date(year, 6, 30),
        due_on=date(year, 6, 25),
    )
    for number in range(1, reports + 1):
        task = Task.objects.create(plan=other, section=section, number=number, title="任务", content="任务")
        unit = Unit.objects.create(name=f"外市{year}单位{number}", short_name=f"外{year}单位{number}")
        assignment = Assignment.objects.create(
            task=task, unit=unit, role=Assignment.Role.LEAD, receipt=Assignment.Receipt.CONTESTED
        )
        ProgressReport.objects.create(
            assignment=assignment, period=period, state=ProgressReport.State.SUBMITTED
        )


def test_the_coordinator_home_counts_the_work_of_each_live_plan_in_the_same_queries_however_many_plans(login, plan):
    """Every live plan has its counts (tests/planner/test_home_plans.py follows each link); the query count is
    the same with one live plan or three."""
    client = login(COORDINATOR)
    client.get(reverse("home"))
    submitted = ProgressReport.objects.filter(period__plan=plan, state=ProgressReport.State.SUBMITTED).count()
    with CaptureQueriesContext(connection) as alone:
        response = client.get(reverse("home"))
    assert response.context["plan"] == plan
    (work,) = response.context["work"]
    assert (work["plan"], work["submitted"]) == (plan, submitted)
    assert f'href="{reverse("tasks:review_queue")}?plan={plan.pk}&amp;state=submitted"' in response.content.decode()
    another_live_plan(plan.year - 1, reports=5)
    another_live_plan(plan.year - 2, reports=10)
    with CaptureQueriesContext(connection) as beside_others:
        response = client.get(reverse("home"))
    assert response.context["plan"] == plan
    by_plan = {work["plan"].year: work for work in response.context["work"]}
    assert {
        key: by_plan[plan.year][key] for key in ("submitted", "contested", "extensions")
    } == {
        "submitted": submitted,
        "contested": Assignment.objects.filter(task__plan=plan, receipt=Assignment.Receipt.CONTESTED).count(),
        "extensions": ExtensionRequest.objects.filter(assignment__task__plan=plan, state="pending").count(),
    }
    assert (by_plan[plan.year - 1]["submitted"], by_plan[plan.year - 2]["submitted"]) == (5, 10)
    assert (by_plan[plan.year - 1]["contested"], by_plan[plan.year - 2]["contested"]) == (5, 10)
    assert len(beside_others) == len(alone)


def test_a_county_reporter_home_lists_the_county_tasks(login, plan):
    page = login(COUNTY_REPORTER).get(reverse("home")).content.decode()
    assert "本单位的任务" in page
    # 东昌府区 is responsible for every task that names 各县(市、区)人民政府: all but task 9.
    assert page.count('class="role role-responsible"') == 21
    assert 'href="/admin/"' not in page


def test_the_leader_home_has_no_unit_tasks(login):
    page = login(LEADER).get(reverse("home")).content.decode()
    assert "本单位的任务" not in page
    assert "项任务" in page


def test_a_user_without_a_role_is_told_whom_to_ask(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("newcomer", password="x"))
    page = client.get(reverse("home")).content.decode()
    assert "还没有分配单位或角色" in page


def test_the_plan_page_shows_sections_tasks_and_real_unit_names(login, plan):
    page = login(LEAD_REPORTER).get(reverse("tasks:plan_detail", args=[plan.pk])).content.decode()
    for heading in ["一、持续推进学习宣传贯彻习近平法治思想", "九、加快建设数字法治政府"]:
        assert heading in page
    assert page.count('class="task-row"') == 22
    assert 'title="聊城市司法局">市司法局' in page
    assert "市政府有关部门（待选定）" in page
    assert "未列牵头单位" in page  # task 12


def test_the_task_page_shows_text_responsibility_and_assignments(login, plan):
    task = plan.tasks.get(number=18)
    page = login(COUNTY_REPORTER).get(reverse("tasks:task_detail", args=[task.pk])).content.decode()
    assert task.content[:40] in page
    assert "〔牵头单位:市司法局;责任单位:各县(市、区)人民政府〕" in page
    assert page.count('<tr class="mine">') == 1  # the reporter's own unit is highlighted
    for name in ["聊城市司法局", "聊城市东昌府区人民政府", "高唐县人民政府"]:
        assert name in page


def test_my_tasks_lists_the_zone_assignments(login):
    page = login(ZONE_REPORTER).get(reverse("tasks:my_tasks")).content.decode()
    assert "经开区管委会" in page
    assert page.count('class="role role-responsible"') == 20  # every task but 9 and 18


def test_unit_names_are_escaped(login, plan):
    task = plan.tasks.get(number=1)
    task.title = "<script>alert(1)</script>"
    task.save()
    page = login(LEADER).get(reverse("tasks:plan_detail", args=[plan.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_healthz_answers_without_log_in(client):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


def test_my_tasks_leaves_out_closed_plans(login, plan):
    WorkPlan.objects.filter(pk=plan.pk).update(status=WorkPlan.Status.CLOSED)
    page = login(ZONE_REPORTER).get(reverse("tasks:my_tasks")).content.decode()
    assert "本单位在执行中的计划里还没有任务" in page
    assert login(ZONE_REPORTER).get(reverse("tasks:plan_detail", args=[plan.pk])).status_code == 200

"""Tasks through the admin's Excel/CSV import (django-import-export)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks.models import Task
from tests.conftest import COORDINATOR, DOC_NUMBER

pytestmark = pytest.mark.django_db

HEADER = "文号,部分序号,编号,标题,任务内容,完成时限,责任分工原文\n"


def upload(client, text):
    return client.post(
        reverse("admin:tasks_task_import"),
        {
            "import_file": SimpleUploadedFile("tasks.csv", text.encode("utf-8")),
            "format": "1",
            "resource": "0",
        },
    )


def test_a_bad_task_row_is_reported_and_nothing_changes(login, plan):
    title_before = plan.tasks.get(number=1).title
    response = upload(
        login(COORDINATOR),
        HEADER
        + f"{DOC_NUMBER},1,1,新标题,新内容,2022-12-31,\n"
        + f"{DOC_NUMBER},12,23,第23项,内容,2022-12-31,\n",
    )
    assert "计划“聊政办字〔2022〕9号”中没有第12部分" in response.content.decode()
    assert [row.number for row in response.context["result"].invalid_rows] == [2]
    assert "confirm_form" not in response.context
    assert plan.tasks.get(number=1).title == title_before
    assert not Task.objects.filter(number=23).exists()


def test_a_row_of_an_unknown_plan_is_reported_by_line(login, plan):
    response = upload(
        login(COORDINATOR),
        HEADER
        + f"{DOC_NUMBER},1,1,新标题,新内容,2022-12-31,\n"
        + "聊政办字〔2099〕1号,1,1,标题,内容,2022-12-31,\n",
    )
    page = response.content.decode()
    assert "行号: 2" in page
    assert "找不到文号为此的工作计划“聊政办字〔2099〕1号”" in page
    assert plan.tasks.get(number=1).title != "新标题"


def test_a_clean_task_file_updates_the_task(login, plan):
    client = login(COORDINATOR)
    response = upload(
        client, HEADER + f"{DOC_NUMBER},9,22,推动政务数据资源有序共享（修订）。,修订内容,2022-11-30,原文\n"
    )
    response = client.post(
        reverse("admin:tasks_task_process_import"), response.context["confirm_form"].initial
    )
    assert response.status_code == 302
    task = plan.tasks.get(number=22)
    assert (task.title, task.deadline.isoformat()) == ("推动政务数据资源有序共享（修订）。", "2022-11-30")

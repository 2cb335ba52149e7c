"""The shared world: the demo (the seed city's units, the 2022 plan, one user per role), loaded once per run.

Each test runs in a transaction that is rolled back, so the demo is the same for every test.
"""

import io

import pytest
from django.conf import settings
from django.core.management import call_command

from tasks.models import Assignment, WorkPlan
from units.models import User

DOC_NUMBER = "聊政办字〔2022〕9号"
PASSWORD = "Demo@2022"

# username → what the demo says they are
COORDINATOR = "coordinator"
LEADER = "leader"
LEAD_REPORTER = "sifaju"  # 市司法局: lead unit of most tasks
COUNTY_REPORTER = "dongchangfu"  # 东昌府区人民政府
ZONE_REPORTER = "jingkaiqu"  # 聊城经济技术开发区管委会
APPROVER = "dongchangfu_shenhe"
ADMIN = "admin"


def load_demo():
    call_command("load_demo", "--fixed-year", stdout=io.StringIO())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture
def plan(db):
    return WorkPlan.objects.get(doc_number=DOC_NUMBER)


@pytest.fixture
def login(client, django_user_model):
    """login("sifaju") → the test client, logged in as that demo user."""

    def _login(username):
        client.force_login(django_user_model.objects.get(username=username))
        return client

    return _login


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded attachments go to a temporary folder, never into the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def user(username):
    """A fresh User object (roles are cached per object, so each call reads them anew)."""
    return User.objects.get(username=username)


def assignment_of(plan, unit_name, number):
    """The assignment of the unit (full name) on task `number` of the plan."""
    return Assignment.objects.select_related("task__plan", "unit").get(
        task__plan=plan, task__number=number, unit__name=unit_name
    )

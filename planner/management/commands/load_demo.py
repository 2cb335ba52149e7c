"""Load the seed city's units, the 2022 plan, reporting periods and demo users. Safe to run again."""

import datetime
import json
import os

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from importing.parser import parse_notice
from importing.service import import_notice
from planner.demo_progress import load_progress
from tasks.models import ReportingPeriod, WorkPlan
from units.directory import load_directory
from units.models import Membership, Unit, User
from units.roles import COORDINATOR, LEADER

FIXTURES = settings.BASE_DIR / "fixtures"

# What the coordinator may do in the admin: the reference data and the plan, not people.
COORDINATOR_MODELS = {
    "units": ["unit", "unitalias", "unitgroup", "membership"],
    "tasks": ["workplan", "section", "task", "assignment", "reportingperiod", "calendarday"],
}
COORDINATOR_READS = {
    "tasks": ["progressreport", "reportevent", "assignmentevent", "extensionrequest", "reportattachment"],
    "units": ["user"],
    "notifications": ["notification", "sentreminder"],
}


def read_json(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def ensure_role_groups():
    coordinator, _ = Group.objects.get_or_create(name=COORDINATOR)
    Group.objects.get_or_create(name=LEADER)
    perms = Permission.objects.none()
    for app, models in COORDINATOR_MODELS.items():
        perms |= Permission.objects.filter(content_type__app_label=app, content_type__model__in=models)
    for app, models in COORDINATOR_READS.items():
        perms |= Permission.objects.filter(
            content_type__app_label=app, content_type__model__in=models, codename__startswith="view_"
        )
    coordinator.permissions.set(perms)


def load_plan(demo):
    """The 2022 plan, imported from the notice as published (the same path as the import page)."""
    text = (FIXTURES / "plan_2022_notice.txt").read_text(encoding="utf-8")
    notice = parse_notice(text)
    plan = WorkPlan.objects.filter(doc_number=notice.doc_number).first()
    if plan is None:
        plan = import_notice(notice, source_text=text, status=demo["plan_status"])
    for period in demo["periods"]:
        ReportingPeriod.objects.get_or_create(
            plan=plan,
            name=period["name"],
            defaults={
                key: datetime.date.fromisoformat(period[key]) for key in ("starts_on", "ends_on", "due_on")
            },
        )
    return plan


def load_users(demo):
    for row in demo["users"]:
        user, created = User.objects.get_or_create(
            username=row["username"],
            defaults={
                "full_name": row["full_name"],
                "is_staff": row.get("staff", False) or row.get("superuser", False),
                "is_superuser": row.get("superuser", False),
            },
        )
        if created:
            user.set_password(demo["password"])
            user.save(update_fields=["password"])
        user.groups.add(*Group.objects.filter(name__in=row.get("groups", [])))
        for unit_name, role in row.get("memberships", []):
            Membership.objects.get_or_create(user=user, unit=Unit.objects.get(name=unit_name), role=role)


class Command(BaseCommand):
    help = "载入演示数据：聊城市的单位名录、2022年工作计划、报送期和演示账号（可重复运行）。"

    def handle(self, *args, **options):
        demo = read_json("demo.json")
        with transaction.atomic():
            unit_count, group_count = load_directory(read_json("units.json"))
            ensure_role_groups()
            plan = load_plan(demo)
            load_users(demo)
            progress = load_progress(plan, demo)
        self.stdout.write(
            f"已载入：{unit_count} 个单位、{group_count} 个单位组；"
            f"《{plan.title}》（{plan.doc_number}）{plan.sections.count()} 个部分、{plan.tasks.count()} 项任务。"
        )
        self.stdout.write(str(progress))
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {demo['password']}）：")
        for row in demo["users"]:
            self.stdout.write(f"  {row['username']:<20} {row['full_name']:<8} {row['about']}")
        self.stdout.write("")
        address = os.environ.get("DEMO_ADDRESS") or "127.0.0.1:8000"  # set by bin/demo from PORT
        self.stdout.write(f"打开 http://{address}/ 登录。")

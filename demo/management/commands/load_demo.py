"""Load the seed city's units, the 2022 plan (closed at its year end), this year's live plan, reporting periods
and demo users. Safe to run again; run in a new year, it makes that year's plan (and closes the last one)."""

import datetime
import json
import os

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from demo.demo_assessment import load_assessment
from demo.demo_live import load_live_plan
from demo.demo_progress import COORDINATOR_USERNAME, load_progress
from importing.parser import parse_notice
from importing.service import import_notice
from tasks import workflow
from tasks.models import ReportingPeriod, WorkPlan
from tasks.status import today
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


def close_past_plans(coordinator, on):
    """The demo's plans of years before `on`'s are closed at their year end, as the coordinator would."""
    for plan in WorkPlan.objects.filter(status=WorkPlan.Status.ACTIVE, year__lt=on.year).order_by("year"):
        workflow.close_plan(plan, coordinator, datetime.date(plan.year, 12, 31))


class Command(BaseCommand):
    help = (
        "载入演示数据：聊城市的单位名录、2022年工作计划（已于年底结束）、本年度的工作计划（进行中）、"
        "报送期和演示账号（可重复运行）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixed-year",
            action="store_true",
            help="只载入2022年计划并保持执行中（测试用的固定数据），不结束它，也不建本年度计划。",
        )

    def handle(self, *args, fixed_year=False, **options):
        demo = read_json("demo.json")
        on = today()
        live = live_progress = None
        with transaction.atomic():
            unit_count, group_count = load_directory(read_json("units.json"))
            ensure_role_groups()
            plan = load_plan(demo)
            load_users(demo)
            progress = load_progress(plan, demo)
            load_assessment(plan)  # 典型经验 and the 上半年 通报 draft
            if not fixed_year:
                coordinator = User.objects.get(username=COORDINATOR_USERNAME)
                close_past_plans(coordinator, on)
                notice = (FIXTURES / "plan_2022_notice.txt").read_text(encoding="utf-8")
                live, live_progress = load_live_plan(notice, demo, on, coordinator)
                load_assessment(live)
                close_past_plans(coordinator, on)  # (none new: the live plan is this year's)
        plan.refresh_from_db()
        self.stdout.write(f"已载入：{unit_count} 个单位、{group_count} 个单位组。")
        for one, summary in ((plan, progress), (live, live_progress)):
            if one is None:
                continue
            self.stdout.write(
                f"《{one.title}》（{one.doc_number}，{one.get_status_display()}）"
                f"{one.sections.count()} 个部分、{one.tasks.count()} 项任务。"
            )
            self.stdout.write(str(summary))
        self.stdout.write("")
        if live is not None:
            self.stdout.write(
                f"先打开《{live.title}》（{live.doc_number}，执行中）：统筹督办和领导登录后首页即是本年度计划；"
                f"《{plan.title}》已于 {plan.closed_on:%Y年%m月%d日} 结束，各项数字截至当日，可在“工作计划”中对照查看。"
            )
            self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {demo['password']}）：")
        for row in demo["users"]:
            self.stdout.write(f"  {row['username']:<20} {row['full_name']:<8} {row['about']}")
        self.stdout.write("")
        address = os.environ.get("DEMO_ADDRESS") or "127.0.0.1:8000"  # set by bin/demo from PORT
        self.stdout.write(f"打开 http://{address}/ 登录。")

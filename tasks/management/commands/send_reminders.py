"""manage.py send_reminders [--date YYYY-MM-DD] [--dry-run] — run daily by cron; the logic is in
tasks/reminders.py."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tasks.reminders import send_reminders

KINDS = {"due": gettext_lazy("到期"), "overdue": gettext_lazy("逾期"), "digest": gettext_lazy("汇总")}


class Command(BaseCommand):
    help = "发送到期提醒、逾期提醒和统筹人员每日汇总，并补发失败的邮件。每天运行一次（同一天重复运行不会重复发送）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按哪一天发送（YYYY-MM-DD，默认今天）")
        parser.add_argument("--dry-run", action="store_true", help="只列出将要发送的提醒，不发送、不记录")

    def handle(self, *args, date=None, dry_run=False, **options):
        day = None
        if date:
            try:
                day = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(
                    _("日期格式应为 YYYY-MM-DD，例如 2022-10-10：%(date)s") % {"date": date}
                ) from None
        result = send_reminders(day, dry_run=dry_run)
        if dry_run:
            for reminder in result.reminders:
                names = "、".join(user.full_name or user.username for user in reminder.users)
                self.stdout.write(
                    _("[%(kind)s] %(key)s → %(users)s：%(title)s")
                    % {
                        "kind": KINDS[reminder.kind],
                        "key": reminder.key,
                        "users": names,
                        "title": reminder.title,
                    }
                )
        self.stdout.write(result.summary())

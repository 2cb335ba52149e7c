"""manage.py send_outbox [--limit N] — run by cron every minute; the logic is notifications.service.deliver_outbox."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from notifications.service import DEFAULT_LIMIT, deliver_outbox


class Command(BaseCommand):
    help = (
        "发送邮件发件箱中到期的邮件（失败的按 1、2、4……分钟递增间隔重试，最长 1 小时），"
        "建议由 cron 每分钟运行一次；多个进程同时运行也不会重复发送。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=DEFAULT_LIMIT, help=f"本次最多发送多少封（默认 {DEFAULT_LIMIT}）"
        )

    def handle(self, *args, limit=DEFAULT_LIMIT, **options):
        if limit < 1:
            raise CommandError(_("--limit 应为正整数，例如 --limit 100：%(limit)s") % {"limit": limit})
        result = deliver_outbox(limit=limit)
        if result.recovered:
            self.stdout.write(
                _("%(count)s 封邮件发送中断（进程退出），已重新排队。") % {"count": result.recovered}
            )
        self.stdout.write(
            _("已发送 %(sent)s 封，待重试 %(retrying)s 封，失败 %(failed)s 封。")
            % {"sent": result.sent, "retrying": result.retrying, "failed": result.failed}
        )

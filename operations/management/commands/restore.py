"""manage.py restore PATH [--yes]: replace the database and the attachments with a backup's (operations/backup.py)."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from operations.backup import BackupError, open_backup


class Command(BaseCommand):
    help = (
        "从 backup 生成的文件恢复：先检查文件完整、数据库结构一致，再在一个事务中替换全部数据，"
        "并替换附件文件夹（MEDIA_ROOT）。失败时数据库和附件保持原样。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="备份文件（.tar.gz）")
        parser.add_argument("--yes", action="store_true", help="不再询问确认（用于脚本）")

    def handle(self, *args, path, yes=False, **options):
        try:
            with open_backup(path) as backup:
                self.stdout.write(backup.describe())
                if not yes:
                    self._confirm()
                result = backup.restore()
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(result.summary())

    def _confirm(self):
        if not sys.stdin.isatty():
            raise CommandError(_("没有确认，未做任何改变。在脚本或非交互环境中运行时，请加 --yes。"))
        answer = input(_("这将用备份替换当前数据库和附件，继续请输入 yes："))
        if answer.strip().lower() != "yes":
            raise CommandError(_("已取消，未做任何改变。"))

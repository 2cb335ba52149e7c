"""manage.py backup [--out PATH]: the database and the attachments in one .tar.gz (see operations/backup.py)."""

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "备份：把数据库的全部数据和附件文件（MEDIA_ROOT）写入一个 .tar.gz 文件，"
        "可用 restore 恢复到 SQLite 或 PostgreSQL。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--out",
            help="备份文件的路径（默认 backups/fazhi-年月日-时分秒.tar.gz，位于项目文件夹下）",
        )

    def handle(self, *args, out=None, **options):
        try:
            result = create_backup(out)
        except BackupError as error:
            raise CommandError(str(error)) from None
        for warning in result.warnings:
            self.stderr.write(warning)
        self.stdout.write(result.summary())

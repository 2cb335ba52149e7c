"""manage.py backup / restore: a round trip over the demo (every row and the attachment come back), and the
refusals (damaged archive, not an archive, another migration state, data that does not load) leave the
database and the attachments as they were."""

import hashlib
import io
import json
import re
import tarfile

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import override_settings

from notifications.models import Notification
from operations.backup import dumped_models
from tasks.models import ProgressReport, ReportAttachment
from units.models import Unit, User

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def add_attachment():
    """An attachment of a demo report, its file under MEDIA_ROOT."""
    report = ProgressReport.objects.filter(attachments__isnull=True).order_by("pk").first()
    item = ReportAttachment(
        report=report,
        name="学法记录.pdf",
        kind="pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=User.objects.get(username="dongchangfu"),
    )
    item.file.save("学法记录.pdf", ContentFile(PDF), save=False)
    item.save()
    return item


@pytest.fixture
def attachment(media_root):
    return add_attachment()


@pytest.fixture(scope="module")
def archive(django_db_blocker, tmp_path_factory):
    """One backup of the demo with an attachment, made once for the tests that only need some archive."""
    folder = tmp_path_factory.mktemp("archive")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=folder / "media"), transaction.atomic():
        add_attachment()
        path, _ = backup(folder)
        transaction.set_rollback(True)
    return path


def backup(tmp_path, name="b.tar.gz"):
    out = io.StringIO()
    call_command("backup", out=str(tmp_path / name), stdout=out)
    return tmp_path / name, out.getvalue()


def restore(path, yes=True):
    out = io.StringIO()
    call_command("restore", str(path), yes=yes, stdout=out)
    return out.getvalue()


def snapshot():
    """Every row of every backed-up model (all columns), and the many-to-many links of users and groups."""
    rows = {m._meta.label_lower: list(m._base_manager.order_by("pk").values()) for m in dumped_models()}
    rows["links"] = [
        sorted(User.groups.through.objects.values_list("user_id", "group_id")),
        sorted(Group.permissions.through.objects.values_list("group_id", "permission__codename")),
    ]
    return rows


def rewrite(path, out, manifest=None, data=None, recompute=True):
    """A copy of the archive with manifest/data changed by the given functions; checksums recomputed or not."""
    with tarfile.open(path) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    content = json.loads(members.pop("manifest.json"))
    if data:
        members["data.json"] = data(members["data.json"])
    if recompute:
        for name, blob in members.items():
            content["files"][name] = {"size": len(blob), "sha256": hashlib.sha256(blob).hexdigest()}
    if manifest:
        manifest(content)
    members["manifest.json"] = json.dumps(content).encode()
    with tarfile.open(out, "w:gz") as tar:
        for name, blob in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return out


def change_things(attachment, media_root):
    """Delete a report (with its history), rename a unit, remove the attachment's file, add a stray file."""
    report = ProgressReport.objects.filter(attachments__isnull=True).order_by("-pk").first()
    report.events.all().delete()
    report.delete()
    Unit.objects.filter(pk=Unit.objects.order_by("pk").first().pk).update(name="改过的名称")
    attachment.file.storage.delete(attachment.file.name)
    (media_root / "stray.txt").write_text("after the backup")


def test_round_trip_brings_back_every_row_and_the_attachment(tmp_path, attachment, media_root):
    before = snapshot()
    path, printed = backup(tmp_path)
    rows = sum(len(before[model._meta.label_lower]) for model in dumped_models())
    assert "备份完成" in printed and f"数据 {rows:,} 行，附件等文件 1 个" in printed
    with tarfile.open(path) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert f"media/{attachment.file.name}" in names and "data.json" in names
    assert manifest["counts"]["tasks.progressreport"] == len(before["tasks.progressreport"])
    assert manifest["migrations"]["tasks"] and manifest["database"]["engine"] == connection.vendor

    change_things(attachment, media_root)
    # Rewind the id sequence of notifications: without the reset after loading, the next id would collide.
    with connection.cursor() as cursor:
        table = Notification._meta.db_table
        for sql in connection.ops.sequence_reset_by_name_sql(no_style(), [{"table": table, "column": "id"}]):
            cursor.execute(sql)

    printed = restore(path)

    assert "恢复完成" in printed and "附件等文件 1 个" in printed
    assert snapshot() == before
    assert (media_root / attachment.file.name).read_bytes() == PDF
    assert not (media_root / "stray.txt").exists()
    assert not [p for p in media_root.parent.iterdir() if p.name.startswith(".media-")]  # nothing left over
    note = Notification.objects.create(recipient=User.objects.get(username="leader"), title="恢复之后")
    assert note.pk > max(row["id"] for row in before["notifications.notification"])


def test_it_refuses_a_tampered_archive_and_changes_nothing(tmp_path, archive, attachment, media_root):
    path = archive
    change_things(attachment, media_root)
    before = snapshot()
    tampered = rewrite(
        path,
        tmp_path / "t.tar.gz",
        data=lambda d: d.replace(b"\xe5\x8f\xb8", b"\xe5\x90\x8c", 1),
        recompute=False,
    )
    with pytest.raises(CommandError, match="备份文件已损坏或被改动（校验和不符：data.json）"):
        restore(tampered)
    assert snapshot() == before
    assert sorted(p.name for p in media_root.iterdir()) == ["attachments", "stray.txt"]
    assert not [p for p in media_root.parent.iterdir() if p.name.startswith(".media-")]


def test_it_refuses_a_file_that_is_not_a_backup(tmp_path):
    fake = tmp_path / "notes.tar.gz"
    fake.write_text("这不是备份")
    before = Unit.objects.count()
    with pytest.raises(CommandError, match="不是有效的备份文件"):
        restore(fake)
    with pytest.raises(CommandError, match="找不到备份文件"):
        restore(tmp_path / "missing.tar.gz")
    assert Unit.objects.count() == before


def test_it_refuses_another_migration_state(tmp_path, archive):
    path = archive
    newer = rewrite(
        path, tmp_path / "n.tar.gz", manifest=lambda m: m["migrations"].update(tasks=["0099_future"])
    )
    Unit.objects.filter(pk=Unit.objects.order_by("pk").first().pk).update(name="改过的名称")
    before = snapshot()
    with pytest.raises(CommandError, match=r"迁移状态.*tasks：备份 0099_future.*manage.py migrate"):
        restore(newer)
    assert snapshot() == before


def test_data_that_fails_to_load_is_rolled_back(tmp_path, archive, attachment, media_root):
    path = archive

    def dangling(data):  # the last row points at a report that does not exist: found only after loading all
        rows = json.loads(data)
        event = next(row for row in reversed(rows) if row["model"] == "tasks.reportevent")
        event["fields"]["report"] = 987654321
        return ("[\n" + ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n]\n").encode()

    broken = rewrite(path, tmp_path / "x.tar.gz", data=dangling)
    change_things(attachment, media_root)
    before = snapshot()
    with pytest.raises(
        CommandError, match="载入备份数据失败，已全部撤销，数据库和附件均未改变：.*tasks_reportevent"
    ):
        restore(broken)
    assert snapshot() == before
    assert sorted(p.name for p in media_root.iterdir()) == ["attachments", "stray.txt"]
    assert not (media_root / attachment.file.name).exists()


def test_without_yes_it_asks_and_a_script_is_refused(archive):
    path = archive
    Unit.objects.filter(pk=Unit.objects.order_by("pk").first().pk).update(name="改过的名称")
    with pytest.raises(CommandError, match="请加 --yes"):
        restore(path, yes=False)  # stdin is not a terminal under pytest
    assert Unit.objects.filter(name="改过的名称").exists()


def test_backup_never_leaves_a_partial_archive_nor_overwrites_one(tmp_path, settings, monkeypatch):
    settings.BASE_DIR = tmp_path

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr("operations.backup._add_bytes", disk_full)  # fails at the last member, the manifest
        with pytest.raises(CommandError, match="写备份文件失败：.*No space left on device"):
            call_command("backup", stdout=io.StringIO())
    assert list((tmp_path / "backups").iterdir()) == []

    call_command("backup", stdout=io.StringIO())
    [path] = (tmp_path / "backups").iterdir()
    assert re.fullmatch(r"fazhi-\d{8}-\d{6}\.tar\.gz", path.name)
    with pytest.raises(CommandError, match="文件已存在"):
        call_command("backup", out=str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="备份文件夹不存在"):
        call_command("backup", out=str(tmp_path / "no" / "b.tar.gz"), stdout=io.StringIO())
    assert list((tmp_path / "backups").iterdir()) == [path]

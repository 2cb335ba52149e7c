"""Backups: the database and the attachments in one .tar.gz, and restoring one — all or nothing.

An archive holds
    data.json      every row of the site (Django's JSON fixture format, loadable by `loaddata`), portable
                   between SQLite and PostgreSQL: primary keys are kept as they are (links in notifications and
                   the admin log name rows by id), and only references to content types and permissions — the
                   rows every database creates for itself, with its own ids — are written as natural keys;
    media/…        every file under MEDIA_ROOT (attachments/…);
    manifest.json  what the archive is: format version, when, from which database engine, the migration state
                   (the latest applied migration of each app), rows per model, and the size and sha256 of every
                   other member. It is written last, so it can describe what was written.

Left out: sessions (everyone logs in again after a restore), content types and permissions (made by `migrate`;
the ones the data refers to are listed in the manifest and created if missing), and django-axes' log-in
attempt counters.

create_backup() reads the database in one snapshot (PostgreSQL: a REPEATABLE READ, READ ONLY transaction;
SQLite: a deferred read transaction, which does not block writers in WAL mode), streams data.json to disk and
writes the archive under a temporary name, renamed at the end: an interrupted backup never leaves a half
archive under the final name.

open_backup() checks everything before anything is touched — the archive is readable, the manifest is there
and of a known format, every member is listed and matches its checksum, and the archive's migration state is
this database's — and unpacks it into a folder beside MEDIA_ROOT. Its restore() then empties the site's tables
and loads data.json in one transaction (a failure rolls everything back; no model signals are sent, so nothing
is audited or notified twice), checks every foreign key and the row counts against the manifest, resets the
id sequences, and swaps the unpacked media folder in for MEDIA_ROOT; the old folder is removed only after the
commit.
"""

import contextlib
import datetime
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer
from django.db import DEFAULT_DB_ALIAS, connections, models, router, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "fazhi-plan-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data.json"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024
LOAD_BATCH = 1000

# Rows that are not backed up: made by `migrate` (content types, permissions), per log-in (sessions), or
# log-in attempt counters (django-axes).
EXCLUDED_MODELS = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
EXCLUDED_APPS = {"axes"}
# Emptied by a restore although not backed up: a session names its user by id, and the data under it changes.
FLUSHED_NOT_DUMPED = {"sessions.session"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


# --------------------------------------------------------------------------------------------------------------
# What is backed up


def dumped_models(using=DEFAULT_DB_ALIAS):
    """The models whose rows go into data.json, in the order of INSTALLED_APPS."""
    return [
        model
        for model in apps.get_models()
        if model._meta.label_lower not in EXCLUDED_MODELS
        and model._meta.app_label not in EXCLUDED_APPS
        and model._meta.managed
        and not model._meta.proxy
        and router.allow_migrate_model(using, model)
    ]


def flushed_tables(using=DEFAULT_DB_ALIAS):
    """The tables a restore empties: those of the dumped models (with their many-to-many tables) and sessions."""
    tables = []
    flushed = dumped_models(using) + [
        model for model in apps.get_models() if model._meta.label_lower in FLUSHED_NOT_DUMPED
    ]
    for model in flushed:
        tables.append(model._meta.db_table)
        for m2m in model._meta.local_many_to_many:
            if m2m.remote_field.through._meta.auto_created:
                tables.append(m2m.remote_field.through._meta.db_table)
    existing = set(connections[using].introspection.table_names())
    return [table for table in dict.fromkeys(tables) if table in existing]


def migration_state(using=DEFAULT_DB_ALIAS):
    """{app label: [the latest applied migrations]} for the apps whose rows are backed up (and contenttypes,
    whose natural keys the data uses). Two databases with the same state have the same tables and columns."""
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    relevant = {model._meta.app_label for model in dumped_models(using)} | {"contenttypes"}
    applied = {key for key in loader.applied_migrations if key[0] in relevant}
    state = {}
    for key in applied:
        node = loader.graph.node_map.get(key)
        children = node.children if node is not None else set()
        if not any(child[0] == key[0] and child in applied for child in children):
            state.setdefault(key[0], []).append(key[1])
    return {app: sorted(names) for app, names in sorted(state.items())}


class FullPrecisionEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts times to milliseconds; a backup keeps the microseconds."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


class PortableSerializer(JSONSerializer):
    """Django's JSON serializer, with natural keys only for the rows each database makes for itself.

    Every other reference stays a primary key: restored rows keep their ids, and loading needs no lookups.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.content_types = {}  # pk → natural key
        self.permissions = {}  # pk → natural key
        self.permission_names = {}  # natural key → name

    def end_object(self, obj):
        # One row per line (still one JSON array, loadable by `loaddata`): a restore reads it line by line.
        self.stream.write(",\n" if not self.first else "\n")
        json.dump(self.get_dump_object(obj), self.stream, **self.json_kwargs)
        self._current = None

    def end_serialization(self):
        self.stream.write("\n]\n")

    def handle_fk_field(self, obj, field):
        model = field.remote_field.model
        if model is ContentType:
            pk = getattr(obj, field.attname)
            self._current[field.name] = None if pk is None else self._content_type(pk)
        elif model is Permission:
            pk = getattr(obj, field.attname)
            self._current[field.name] = None if pk is None else self._permission(pk)
        else:
            super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        if field.remote_field.through._meta.auto_created and field.remote_field.model is Permission:
            pks = getattr(obj, field.name).values_list("pk", flat=True).order_by("pk")
            self._current[field.name] = [self._permission(pk) for pk in pks]
        else:
            super().handle_m2m_field(obj, field)

    def _content_type(self, pk):
        if pk not in self.content_types:
            self.content_types[pk] = list(ContentType.objects.get_for_id(pk).natural_key())
        return self.content_types[pk]

    def _permission(self, pk):
        if pk not in self.permissions:
            permission = Permission.objects.select_related("content_type").get(pk=pk)
            self.permissions[pk] = [permission.codename, *permission.content_type.natural_key()]
            self.permission_names[tuple(self.permissions[pk])] = permission.name
        return self.permissions[pk]


# --------------------------------------------------------------------------------------------------------------
# Backup


@dataclass
class BackupResult:
    path: Path
    size: int
    rows: int
    files: int
    seconds: float
    warnings: list = field(default_factory=list)

    def summary(self):
        return _(
            "备份完成：%(path)s（%(size)s），数据 %(rows)s 行，附件等文件 %(files)s 个，用时 %(seconds).1f 秒。"
        ) % {
            "path": self.path,
            "size": human_size(self.size),
            "rows": f"{self.rows:,}",
            "files": f"{self.files:,}",
            "seconds": self.seconds,
        }


def default_backup_path(now=None):
    now = timezone.localtime(now)
    return Path(settings.BASE_DIR) / "backups" / f"fazhi-{now:%Y%m%d-%H%M%S}.tar.gz"


def create_backup(out=None, using=DEFAULT_DB_ALIAS):
    """Write the database and MEDIA_ROOT into one .tar.gz (see the module's docstring); return a BackupResult."""
    started = time.monotonic()
    created_at = timezone.now()
    path = Path(out).expanduser().resolve() if out else default_backup_path(created_at)
    if out is None:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.is_dir():
        raise BackupError(_("%(path)s 是一个文件夹，请给出文件名，如 fazhi.tar.gz。") % {"path": path})
    if not path.parent.is_dir():
        raise BackupError(_("备份文件夹不存在：%(folder)s，请先创建它。") % {"folder": path.parent})
    if path.exists():
        raise BackupError(_("文件已存在：%(path)s。请换一个文件名，或先把它移走。") % {"path": path})
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if path.is_relative_to(media_root):
        raise BackupError(
            _("备份文件不能放在附件文件夹 MEDIA_ROOT（%(root)s）里，请换一个位置。") % {"root": media_root}
        )
    warnings = []
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    except OSError as error:
        raise BackupError(
            _("无法在 %(folder)s 中写入：%(error)s") % {"folder": path.parent, "error": error}
        ) from None
    try:
        data_path = work / DATA
        with _snapshot(using):
            counts, content_types, permissions = _dump(data_path, using)
            warnings += _missing_files(media_root, using)
            state = migration_state(using)
        members = {}
        part = work / "archive.tar.gz"
        # Readable by its owner only: the archive holds every row, password hashes included.
        with open(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                members[DATA] = _add_file(tar, DATA, data_path, created_at)
                data_path.unlink()
                for file_path, arcname in _media_files(media_root, warnings):
                    try:
                        members[arcname] = _add_file(tar, arcname, file_path, created_at)
                    except FileNotFoundError:
                        warnings.append(_("文件在备份过程中被删除，未备份：%(path)s") % {"path": file_path})
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": created_at.isoformat(),
                    "database": {"engine": connections[using].vendor},
                    "migrations": state,
                    "counts": counts,
                    "content_types": content_types,
                    "permissions": permissions,
                    "files": members,
                }
                manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                _add_bytes(tar, MANIFEST, manifest_bytes, created_at)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(part, path)
    except OSError as error:
        raise BackupError(
            _("写备份文件失败：%(error)s。请检查磁盘空间和文件夹权限后重试。") % {"error": error}
        ) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BackupResult(
        path=path,
        size=path.stat().st_size,
        rows=sum(counts.values()),
        files=sum(1 for name in members if name.startswith(MEDIA_PREFIX)),
        seconds=time.monotonic() - started,
        warnings=warnings,
    )


@contextlib.contextmanager
def _snapshot(using):
    """Every read inside sees the database at one moment."""
    connection = connections[using]
    if connection.in_atomic_block:  # already in a transaction (tests): it is the snapshot
        yield
    elif connection.vendor == "sqlite":
        # A deferred read transaction: a consistent snapshot that, in WAL mode, does not block writers
        # (Django's atomic() would start BEGIN IMMEDIATE here, taking the write lock for the whole backup).
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
    else:
        with transaction.atomic(using=using):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield


def _dump(data_path, using):
    """Stream every row into data.json; return the rows per model and the content types and permissions
    the data refers to."""
    counts = {}

    def rows():
        for model in dumped_models(using):
            count = 0
            queryset = model._base_manager.using(using).order_by(model._meta.pk.name)
            for obj in queryset.iterator(chunk_size=2000):
                count += 1
                yield obj
            counts[model._meta.label_lower] = count

    serializer = PortableSerializer()
    with open(data_path, "w", encoding="utf-8") as stream:
        serializer.serialize(rows(), stream=stream, ensure_ascii=False, cls=FullPrecisionEncoder)
    content_types = sorted(serializer.content_types.values())
    for key in serializer.permission_names:
        if list(key[1:]) not in content_types:
            content_types.append(list(key[1:]))
    permissions = sorted([*key, name] for key, name in serializer.permission_names.items())
    return counts, sorted(content_types), permissions


def _missing_files(media_root, using):
    """Warnings for file fields whose file is not under MEDIA_ROOT (the row is backed up; the file cannot be)."""
    missing = []
    for model in dumped_models(using):
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                names = model._base_manager.using(using).exclude(**{model_field.attname: ""})
                for name in names.values_list(model_field.attname, flat=True).iterator():
                    if not (media_root / name).is_file():
                        missing.append(name)
    if not missing:
        return []
    return [
        _("数据库中有 %(count)s 个附件在 MEDIA_ROOT（%(root)s）下找不到文件，无法备份，例如：%(example)s")
        % {"count": len(missing), "root": media_root, "example": missing[0]}
    ]


def _media_files(media_root, warnings):
    """(path, archive name) of every regular file under MEDIA_ROOT, sorted."""
    if not media_root.is_dir():
        return []
    found = []
    for folder, dirnames, filenames in os.walk(media_root):
        dirnames.sort()
        for filename in sorted(filenames):
            file_path = Path(folder) / filename
            if file_path.is_symlink() or not file_path.is_file():
                warnings.append(_("不是普通文件，未备份：%(path)s") % {"path": file_path})
                continue
            found.append((file_path, MEDIA_PREFIX + file_path.relative_to(media_root).as_posix()))
    return found


class _HashingReader:
    def __init__(self, stream):
        self.stream = stream
        self.sha256 = hashlib.sha256()

    def read(self, size=-1):
        data = self.stream.read(size)
        self.sha256.update(data)
        return data


def _tarinfo(name, size, when):
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(when.timestamp())
    info.mode = 0o600
    return info


def _add_file(tar, arcname, file_path, when):
    with open(file_path, "rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        reader = _HashingReader(stream)
        tar.addfile(_tarinfo(arcname, size, when), reader)
    return {"size": size, "sha256": reader.sha256.hexdigest()}


def _add_bytes(tar, arcname, data, when):
    tar.addfile(_tarinfo(arcname, len(data), when), io.BytesIO(data))


# --------------------------------------------------------------------------------------------------------------
# Restore


@dataclass
class RestoreResult:
    path: Path
    rows: int
    files: int
    seconds: float

    def summary(self):
        return _("恢复完成：%(path)s，数据 %(rows)s 行，附件等文件 %(files)s 个，用时 %(seconds).1f 秒。") % {
            "path": self.path,
            "rows": f"{self.rows:,}",
            "files": f"{self.files:,}",
            "seconds": self.seconds,
        }


@contextlib.contextmanager
def open_backup(path, using=DEFAULT_DB_ALIAS):
    """Check the archive and unpack it beside MEDIA_ROOT; yield a Backup to restore(). Raises BackupError
    before anything is changed. The unpacked folder is removed on leaving."""
    started = time.monotonic()
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise BackupError(_("找不到备份文件：%(path)s") % {"path": path})
    media_root = Path(settings.MEDIA_ROOT).resolve()
    try:
        media_root.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{media_root.name}-restore-", dir=media_root.parent))
    except OSError as error:
        raise BackupError(
            _("无法在 MEDIA_ROOT 的上级文件夹 %(folder)s 中写入：%(error)s。请检查权限。")
            % {"folder": media_root.parent, "error": error}
        ) from None
    try:
        manifest, found = _unpack(path, staging)
        _check(manifest, found, path, using)
        yield Backup(path, manifest, staging, media_root, using, started)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _not_a_backup(path, reason):
    return BackupError(
        _(
            "%(path)s 不是有效的备份文件（%(reason)s）。请使用 manage.py backup 生成的 .tar.gz 文件；如果文件在复制中损坏，请重新复制。"
        )
        % {"path": path, "reason": reason}
    )


def _unpack(path, staging):
    """Extract every member into staging (data.json; media/… under staging/media), hashing as it goes.
    Returns the manifest and {member name: {"size", "sha256"}} of what was found."""
    found = {}
    manifest = None
    try:
        with tarfile.open(path, "r|gz") as tar:
            for member in tar:
                name = member.name
                if member.isdir():
                    continue
                if not member.isfile() or not _safe_name(name):
                    raise _not_a_backup(path, _("含有不允许的成员 %(name)s") % {"name": name})
                if name in found or (name == MANIFEST and manifest is not None):
                    raise _not_a_backup(path, _("成员 %(name)s 重复") % {"name": name})
                source = tar.extractfile(member)
                if name == MANIFEST:
                    manifest = source.read()
                else:
                    found[name] = _extract(source, staging / name)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise _not_a_backup(path, _("无法读取：%(error)s") % {"error": _one_line(error)}) from None
    if manifest is None:
        raise _not_a_backup(path, _("缺少 %(name)s") % {"name": MANIFEST})
    try:
        manifest = json.loads(manifest)
        if not isinstance(manifest, dict):
            raise ValueError
    except ValueError:
        raise _not_a_backup(path, _("%(name)s 无法解析") % {"name": MANIFEST}) from None
    return manifest, found


def _extract(source, target):
    """Copy one member to target, hashing it. Reading errors are the archive's (they reach _unpack);
    writing errors are the disk's."""
    digest = hashlib.sha256()
    size = 0
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        out = open(target, "xb")  # closed by the with below
    except OSError as error:
        raise _disk_error(target, error) from None
    with out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            try:
                out.write(chunk)
            except OSError as error:
                raise _disk_error(target, error) from None
    return {"size": size, "sha256": digest.hexdigest()}


def _disk_error(target, error):
    return BackupError(
        _("解包到 %(folder)s 失败：%(error)s。请检查磁盘空间和权限。")
        % {"folder": target.parent, "error": error}
    )


def _safe_name(name):
    if name in (MANIFEST, DATA):
        return True
    parts = PurePosixPath(name).parts
    return (
        name.startswith(MEDIA_PREFIX)
        and len(parts) >= 2
        and not name.startswith("/")
        and "\\" not in name
        and all(part not in ("", ".", "..") for part in parts)
    )


def _check(manifest, found, path, using):
    if manifest.get("format") != FORMAT:
        raise _not_a_backup(path, _("格式标记不符"))
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise BackupError(
            _(
                "备份文件的格式版本是 %(version)s，本程序只认识版本 %(known)s。请用生成该备份的程序版本来恢复。"
            )
            % {"version": version, "known": FORMAT_VERSION}
        )
    listed = manifest.get("files")
    if not isinstance(listed, dict) or DATA not in listed:
        raise _not_a_backup(path, _("清单中没有文件列表"))
    damaged = sorted(name for name in listed.keys() & found.keys() if listed[name] != found[name])
    missing = sorted(listed.keys() - found.keys())
    extra = sorted(found.keys() - listed.keys())
    if damaged or missing or extra:
        details = []
        if damaged:
            details.append(_("校验和不符：%(names)s") % {"names": "、".join(damaged[:5])})
        if missing:
            details.append(_("缺少：%(names)s") % {"names": "、".join(missing[:5])})
        if extra:
            details.append(_("清单外的文件：%(names)s") % {"names": "、".join(extra[:5])})
        raise BackupError(
            _("备份文件已损坏或被改动（%(details)s），不能恢复。请换一份备份，或重新复制该文件。")
            % {"details": "；".join(details)}
        )
    ours = migration_state(using)
    theirs = manifest.get("migrations")
    if theirs != ours:
        apps_differ = sorted(
            app for app in set(ours) | set(theirs or {}) if ours.get(app) != (theirs or {}).get(app)
        )
        details = "；".join(
            _("%(app)s：备份 %(theirs)s，本数据库 %(ours)s")
            % {
                "app": app,
                "theirs": "、".join((theirs or {}).get(app) or ["—"]),
                "ours": "、".join(ours.get(app) or ["—"]),
            }
            for app in apps_differ
        )
        raise BackupError(
            _(
                "备份的数据库结构（迁移状态）与本数据库不同，不能恢复：%(details)s。"
                "如果备份较新，请先升级程序并运行 manage.py migrate；"
                "如果备份较旧，请用生成该备份的程序版本恢复，再升级并运行 migrate。"
            )
            % {"details": details}
        )
    counts = manifest.get("counts")
    if not isinstance(counts, dict):
        raise _not_a_backup(path, _("清单中没有行数"))


class Backup:
    """A checked, unpacked archive (from open_backup)."""

    def __init__(self, path, manifest, staging, media_root, using, started):
        self.path = path
        self.manifest = manifest
        self.staging = staging
        self.media_root = media_root
        self.using = using
        self.started = started

    @property
    def created_at(self):
        """When the backup was made, in local time (as written in the manifest if it cannot be read)."""
        text = str(self.manifest.get("created_at", ""))
        try:
            return f"{timezone.localtime(datetime.datetime.fromisoformat(text)):%Y-%m-%d %H:%M:%S}"
        except ValueError:
            return text

    @property
    def rows(self):
        return sum(self.manifest["counts"].values())

    @property
    def files(self):
        return sum(1 for name in self.manifest["files"] if name.startswith(MEDIA_PREFIX))

    def describe(self):
        return _(
            "备份文件：%(path)s（%(when)s，%(engine)s），数据 %(rows)s 行，附件等文件 %(files)s 个。"
        ) % {
            "path": self.path,
            "when": self.created_at,
            "engine": self.manifest.get("database", {}).get("engine", "?"),
            "rows": f"{self.rows:,}",
            "files": f"{self.files:,}",
        }

    def restore(self):
        """Replace the database's rows and MEDIA_ROOT with the archive's, all or nothing."""
        new_media = self.staging / "media"
        new_media.mkdir(exist_ok=True)
        aside = self.staging / "old-media"  # beside MEDIA_ROOT too; removed with the staging folder
        swapped = False
        try:
            with transaction.atomic(using=self.using):
                self._ensure_content_types()
                self._flush()
                self._load()
                self._check_counts()
                self._swap_media(new_media, aside)
                swapped = True
        except BackupError:
            if swapped:
                self._swap_back(new_media, aside)
            raise
        except Exception as error:
            if swapped:
                self._swap_back(new_media, aside)
            raise BackupError(
                _("载入备份数据失败，已全部撤销，数据库和附件均未改变：%(error)s")
                % {"error": _one_line(error)}
            ) from error
        shutil.rmtree(aside, ignore_errors=True)
        return RestoreResult(self.path, self.rows, self.files, time.monotonic() - self.started)

    def _ensure_content_types(self):
        """Content types and permissions the data refers to, made if this database lacks them (a model the
        source database still had rows of, e.g. in the admin log)."""
        content_types = ContentType.objects.db_manager(self.using)
        for app_label, model in self.manifest.get("content_types", []):
            content_types.get_or_create(app_label=app_label, model=model)
        for codename, app_label, model, name in self.manifest.get("permissions", []):
            Permission.objects.db_manager(self.using).get_or_create(
                codename=codename,
                content_type=content_types.get_by_natural_key(app_label, model),
                defaults={"name": name[:255]},
            )

    def _flush(self):
        connection = connections[self.using]
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with pending deferred constraint checks in this transaction: run them.
            connection.check_constraints()
        statements = connection.ops.sql_flush(no_style(), flushed_tables(self.using))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def _load(self):
        """Insert data.json's rows as they are, in batches, and their many-to-many links.

        Like `loaddata` (whose file format data.json is), but without signals: restoring is not a change anyone
        made, so no audit entry, notification or other side effect may come of it (Model.save() would send
        pre_save/post_save, and the tables are empty, so its UPDATE-first probe is wasted). Rows are inserted
        the way Model.save(raw=True) inserts one (QuerySet._insert, raw: auto_now stamps keep their values).
        Then every foreign key of the loaded tables is checked and the sequences reset (PostgreSQL), so new
        rows get fresh ids.
        """
        connection = connections[self.using]
        loaded, links = set(), {}
        batch = []

        def insert():
            if batch:
                model = type(batch[0])
                fields = model._meta.local_concrete_fields
                size = max(connection.ops.bulk_batch_size(fields, batch), 1)
                for start in range(0, len(batch), size):
                    model._base_manager.using(self.using)._insert(
                        batch[start : start + size], fields=fields, raw=True, using=self.using
                    )
                loaded.add(model)
                batch.clear()

        with connection.constraint_checks_disabled():
            with open(self.staging / DATA, encoding="utf-8") as stream:
                for item in serializers.deserialize("python", _json_rows(stream), using=self.using):
                    obj = item.object
                    if batch and (type(batch[0]) is not type(obj) or len(batch) >= LOAD_BATCH):
                        insert()
                    batch.append(obj)
                    for name, pks in (item.m2m_data or {}).items():
                        field = type(obj)._meta.get_field(name)
                        through = field.remote_field.through
                        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
                        links.setdefault(through, []).extend(
                            through(**{f"{source}_id": obj.pk, f"{target}_id": pk}) for pk in pks
                        )
                insert()
            for through, rows in links.items():
                through._base_manager.using(self.using).bulk_create(rows, batch_size=LOAD_BATCH)
        connection.check_constraints(table_names=[model._meta.db_table for model in loaded | links.keys()])
        with connection.cursor() as cursor:
            ordered = sorted(loaded, key=lambda model: model._meta.label)
            for statement in connection.ops.sequence_reset_sql(no_style(), ordered):
                cursor.execute(statement)

    def _check_counts(self):
        expected = self.manifest["counts"]
        ours = {model._meta.label_lower: model for model in dumped_models(self.using)}
        wrong = []
        for label in sorted(expected.keys() | ours.keys()):
            model = ours.get(label)
            actual = model._base_manager.using(self.using).count() if model else None
            if actual != expected.get(label, 0):
                wrong.append(f"{label} {actual}≠{expected.get(label, 0)}")
        if wrong:
            raise BackupError(
                _("载入后的行数与备份清单不符（%(details)s），已全部撤销，数据库和附件均未改变。")
                % {"details": "、".join(wrong[:5])}
            )

    def _swap_media(self, new_media, aside):
        """Move MEDIA_ROOT aside and the unpacked media into its place (renames within one file system)."""
        moved = False
        if self.media_root.exists():
            os.rename(self.media_root, aside)
            moved = True
        try:
            os.rename(new_media, self.media_root)
        except OSError:
            if moved:
                os.rename(aside, self.media_root)
            raise

    def _swap_back(self, new_media, aside):
        try:
            os.rename(self.media_root, new_media)
            if aside.exists():
                os.rename(aside, self.media_root)
        except OSError as error:
            raise BackupError(
                _(
                    "数据库已撤销，但附件文件夹未能换回（%(error)s）：原来的附件在 %(aside)s，请手工移回 %(root)s。"
                )
                % {"error": error, "aside": aside, "root": self.media_root}
            ) from error


def _json_rows(stream):
    """The rows of a data.json written by PortableSerializer (one per line), without reading it whole."""
    for number, line in enumerate(stream, start=1):
        text = line.strip().removesuffix(",")
        if text in ("", "[", "]"):
            continue
        try:
            value = json.loads(text)
        except ValueError as error:
            raise serializers.base.DeserializationError(f"data.json, line {number}: {error}") from None
        for row in value if isinstance(value, list) else [value]:  # a whole array on one line: dumpdata's
            if not isinstance(row, dict):
                raise serializers.base.DeserializationError(f"data.json, line {number}: not a row")
            yield row


def _one_line(error):
    text = str(error).strip() or error.__class__.__name__
    return text.splitlines()[0][:300]


def human_size(size):
    if size < 1024:
        return f"{size} B"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}"

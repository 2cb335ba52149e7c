"""Signal receivers: saves, deletes and m2m changes of the audited models, and log-ins.

A save of an existing row first reads it as it was (one query, the audited columns only, no joins) and records
only the fields that really changed; a save without a change writes nothing. Reads are never touched. bulk_create / bulk_update /
QuerySet.update send no signals: where such a write is a user's action, the code calls `audit.record` itself.
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils.translation import gettext as _

from units.signals import account_changed, dual_role_flagged, password_was_reset

from .context import current
from .models import AuditEntry
from .service import comparable, value_text, write_entry

Action = AuditEntry.Action

AUDITED = (
    "tasks.WorkPlan",
    "tasks.Section",
    "tasks.Task",
    "tasks.Assignment",
    "tasks.ReportingPeriod",
    "units.Unit",
    "units.UnitAlias",
    "units.UnitGroup",
    "units.Membership",
    "units.User",
)
# many-to-many fields recorded as "added / removed" on the model that declares them
AUDITED_M2M = (("units.UnitGroup", "members"), ("units.User", "groups"))
# never recorded: changes on every log-in (the log-in itself is recorded)
IGNORED_FIELDS = {"units.user": {"last_login"}}
# recorded by name only, never the value: {"password": None} means "the password was changed"
SECRET_FIELDS = {"units.user": {"password"}}
# an m2m entry names at most this many added or removed objects, then the count
NAMES_LIMIT = 50

_fields = {}
_m2m = {}  # through model → (model declaring the field, field)


def audited_fields(model):
    """The concrete fields worth recording (not the pk, not auto_now stamps, not ignored ones)."""
    label = model._meta.label_lower
    if label not in _fields:
        ignored = IGNORED_FIELDS.get(label, set())
        _fields[label] = [
            field
            for field in model._meta.concrete_fields
            if not field.primary_key
            and field.name not in ignored
            and not getattr(field, "auto_now", False)
            and not getattr(field, "auto_now_add", False)
        ]
    return _fields[label]


def snapshot(instance, *, raw=False):
    """The non-empty field values of an object being created or deleted (secrets left out)."""
    secret = SECRET_FIELDS.get(instance._meta.label_lower, set())
    values = {}
    for field in audited_fields(type(instance)):
        if field.name in secret:
            continue
        text = value_text(field, field.value_from_object(instance), instance, raw=raw)
        if text != "":
            values[field.name] = text
    return values


def diff(old, new, update_fields=None, *, raw=False):
    """{field: [old text, new text]} for every field whose value really changed; a secret as {field: None}.

    `old` is the row as it was: {attname: value} (see remember_old).
    """
    secret = SECRET_FIELDS.get(new._meta.label_lower, set())
    changes = {}
    for field in audited_fields(type(new)):
        if (
            update_fields is not None
            and field.name not in update_fields
            and field.attname not in update_fields
        ):
            continue
        before, after = old[field.attname], field.value_from_object(new)
        if comparable(field, before) == comparable(field, after):
            continue
        if field.name in secret:
            changes[field.name] = None
        else:
            changes[field.name] = [
                value_text(field, before, raw=raw),
                value_text(field, after, new, raw=raw),
            ]
    return changes


def remember_old(sender, instance, raw=False, using=None, update_fields=None, **kwargs):
    """pre_save: the row as it is in the database, {attname: value} of the fields that may change (None for a
    new row). One query without joins; related objects are read only for a foreign key that did change."""
    old = None
    if instance.pk is not None:
        names = [
            field.attname
            for field in audited_fields(sender)
            if update_fields is None or field.name in update_fields or field.attname in update_fields
        ]
        row = (
            sender._base_manager.using(using).filter(pk=instance.pk).values_list(*names).first()
            if names
            else ()
        )
        if row is not None:
            old = dict(zip(names, row, strict=True))
    instance.__dict__["_audit_old"] = old


def saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    """post_save: a create with its values, or an update with the fields that changed (nothing if none did)."""
    actor = current()
    if actor is not None:
        actor.related.pop((sender._meta.label_lower, instance.pk), None)
    old = instance.__dict__.pop("_audit_old", None)
    if created or old is None:
        write_entry(Action.CREATE, instance, changes=snapshot(instance, raw=raw))
        return
    changes = diff(old, instance, update_fields, raw=raw)
    if changes:
        write_entry(Action.UPDATE, instance, changes=changes)


def deleted(sender, instance, **kwargs):
    """post_delete: the values the object had (its related objects still exist: children go first)."""
    write_entry(Action.DELETE, instance, changes=snapshot(instance))


def _link_names(field, reverse):
    """(name of the through model's key to `instance`, name of its key to the other side)."""
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    return (target, source) if reverse else (source, target)


def links_changed(sender, instance, action, reverse, model, pk_set, using=None, **kwargs):
    """m2m_changed: {field: {"added": [...]}} or {"removed": [...]} on the object that declares the field.

    Added ids are the really new ones (Django leaves out existing links); for a removal or a clear, the links
    that really exist are read first. From the other side (unit.groups.add(group), group.user_set.remove(user))
    each object of the declaring model gets its own entry.
    """
    _declaring_model, field = _m2m[sender]
    mine, other = _link_names(field, reverse)
    pending = instance.__dict__.setdefault("_audit_m2m", {})
    if action in ("pre_remove", "pre_clear"):
        links = sender._base_manager.using(using).filter(**{f"{mine}_id": instance.pk})
        if pk_set is not None:
            links = links.filter(**{f"{other}_id__in": pk_set})
        pending[sender] = set(links.values_list(f"{other}_id", flat=True))
        return
    if action == "post_add":
        kind, ids = "added", set(pk_set or ())
    elif action in ("post_remove", "post_clear"):
        kind, ids = "removed", pending.pop(sender, set())
    else:
        return
    if not ids:
        return
    others = list(model._base_manager.using(using).filter(pk__in=ids))
    if not reverse:
        names = sorted(str(obj) for obj in others)
        if len(names) > NAMES_LIMIT:
            names = [*names[:NAMES_LIMIT], _("…共 %(count)s 个") % {"count": len(names)}]
        write_entry(Action.UPDATE, instance, changes={field.name: {kind: names}})
    else:
        for owner in sorted(others, key=lambda obj: obj.pk):
            write_entry(Action.UPDATE, owner, changes={field.name: {kind: [str(instance)]}})


def logged_in(sender, request, user, **kwargs):
    write_entry(Action.LOGIN, user, user=user, request=request)


def logged_out(sender, request, user, **kwargs):
    if user is not None:
        write_entry(Action.LOGOUT, user, user=user, request=request)


def login_failed(sender, credentials, request=None, **kwargs):
    """A failed log-in: the name tried (never the password), from where, and the account if there is one."""
    User = get_user_model()
    attempted = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")[:150]
    account = User._default_manager.filter(**{User.USERNAME_FIELD: attempted}).first() if attempted else None
    return write_entry(
        Action.LOGIN_FAILED,
        account,
        model=User._meta.label_lower,
        object_repr=attempted,
        request=request,
        username=attempted,
    )


def password_reset(sender, user, request=None, how="", **kwargs):
    """A coordinator reset a unit user's password (units.signals): whose, how; never the password."""
    return write_entry(Action.PASSWORD_RESET, user, request=request, changes={"方式": how})


def account(sender, user, request=None, how="", **kwargs):
    """A coordinator created or deactivated a unit user's account (units.signals): what; never a password."""
    return write_entry(Action.UPDATE, user, request=request, changes={"账号操作": how})


def dual_role(sender, user, request=None, units="", **kwargs):
    """A coordinator is also a member of units (units.signals): separation of duties, flagged for review."""
    return write_entry(Action.UPDATE, user, request=request, changes={"职责分离警告": f"统筹人员同时是单位人员：{units}"})


def connect():
    for label in AUDITED:
        model = apps.get_model(label)
        uid = f"audit:{model._meta.label_lower}"
        pre_save.connect(remember_old, sender=model, dispatch_uid=f"{uid}:pre_save")
        post_save.connect(saved, sender=model, dispatch_uid=f"{uid}:post_save")
        post_delete.connect(deleted, sender=model, dispatch_uid=f"{uid}:post_delete")
    for label, name in AUDITED_M2M:
        model = apps.get_model(label)
        field = model._meta.get_field(name)
        through = field.remote_field.through
        _m2m[through] = (model, field)
        m2m_changed.connect(links_changed, sender=through, dispatch_uid=f"audit:{through._meta.label_lower}")
    user_logged_in.connect(logged_in, dispatch_uid="audit:login")
    user_logged_out.connect(logged_out, dispatch_uid="audit:logout")
    user_login_failed.connect(login_failed, dispatch_uid="audit:login_failed")
    password_was_reset.connect(password_reset, dispatch_uid="audit:password_reset")
    dual_role_flagged.connect(dual_role, dispatch_uid="audit:dual_role")
    account_changed.connect(account, dispatch_uid="audit:account")

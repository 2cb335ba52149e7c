"""Writing entries, and turning field values into the short texts an entry keeps."""

import datetime
import json

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .context import PATH_LIMIT, client_ip, current
from .models import REPR_LIMIT, TEXT_LIMIT, AuditEntry


def truncate(text, limit=TEXT_LIMIT):
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(obj):
    """str(obj), cut to the column's length; an object whose related rows are gone is named by model and pk."""
    try:
        return truncate(str(obj), REPR_LIMIT)
    except ObjectDoesNotExist:
        return f"{obj._meta.verbose_name} #{obj.pk}"


def plain(value):
    """A JSON-able copy of `changes`: lazy translations and dates become strings, models their str."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Model):
        return describe(value)
    if isinstance(value, str | Promise):
        return truncate(value)
    return truncate(value)


def format_datetime(value):
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M:%S")


def related_object(field, source, value):
    """The object a foreign key value points to: cached on `source`, read before in this request, or fetched.

    What is found is cached on `source` too, so that str(source) needs no further query.
    """
    if source is not None and field.is_cached(source):
        cached = field.get_cached_value(source)
        if cached is not None and cached.pk == value:
            return cached
    actor = current()
    key = (field.related_model._meta.label_lower, value)
    if actor is not None and key in actor.related:
        obj = actor.related[key]
    else:
        obj = field.related_model._base_manager.filter(pk=value).first()
        if actor is not None:
            actor.related[key] = obj
    if source is not None and obj is not None and getattr(source, field.attname) == value:
        field.set_cached_value(source, obj)
    return obj


def value_text(field, value, source=None, *, raw=False):
    """One field value as the entry keeps it: a string ("" for nothing), at most TEXT_LIMIT characters.

    Foreign keys are named by the object's str (by id for a fixture load, whose rows may not exist yet); choices
    by their label; booleans 是/否; times in the site's time zone.
    """
    if value is None or value == "":
        return ""
    if field.is_relation:
        obj = None if raw else related_object(field, source, value)
        return describe(obj) if obj is not None else str(value)
    if field.choices:
        value = dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return truncate(json.dumps(value, ensure_ascii=False))
    return truncate(value)


def comparable(field, value):
    """The value as the database would hold it, so that "2022-12-31" and date(2022, 12, 31) are no change."""
    if value is None:
        return None
    target = field.target_field if field.is_relation else field
    try:
        return target.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return value


def resolve(user=None, request=None):
    """(user or None, address, path) of an entry: the request given, else the one being served or acting_as."""
    ip, path = None, ""
    if request is not None:
        ip, path = client_ip(request), request.path[:PATH_LIMIT]
        if user is None:
            user = getattr(request, "user", None)
    else:
        actor = current()
        if actor is not None:
            ip, path = actor.ip, actor.path
            if user is None:
                user = actor.user
    if user is not None and (not getattr(user, "is_authenticated", False) or user.pk is None):
        user = None
    return user, ip, path


def write_entry(
    action,
    obj=None,
    *,
    model="",
    object_id="",
    object_repr="",
    changes=None,
    user=None,
    request=None,
    username=None,
):
    """`audit.record`; `username` names the person when there is no user (a failed log-in's name tried)."""
    user, ip, path = resolve(user, request)
    if obj is not None:
        model = model or obj._meta.label_lower
        object_id = object_id or ("" if obj.pk is None else str(obj.pk))
        object_repr = object_repr or describe(obj)
    if username is None:
        username = user.get_username() if user is not None else ""
    if (
        user is not None
        and action == AuditEntry.Action.DELETE
        and model == user._meta.label_lower
        and object_id == str(user.pk)
    ):
        user = None  # one's own account deleted: the row is gone, the name stays
    return AuditEntry.objects.create(
        action=action,
        user=user,
        username=username,
        model=model,
        object_id=str(object_id)[:64],
        object_repr=truncate(object_repr, REPR_LIMIT),
        changes=plain(changes or {}),
        ip=ip,
        path=path,
    )

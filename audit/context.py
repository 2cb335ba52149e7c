"""Who is acting and from where, for the duration of a request (audit.middleware) or a command (acting_as).

The receivers read it when they record a change; outside both, the person is empty and the path names nothing.
"""

import contextlib
import contextvars
import ipaddress

from django.conf import settings

PATH_LIMIT = 200  # request paths are cut to this length (AuditEntry.path)


class Actor:
    """The acting person: either the request's user (read when needed: log-in changes it) or a fixed one."""

    def __init__(self, *, request=None, user=None, ip=None, path=""):
        self.request = request
        self._user = user
        self.ip = ip
        self.path = path
        # related objects already read while recording deletes, by (model label, pk): a cascade over a plan's
        # assignments asks for the same task and unit many times. Dropped when that object is saved.
        self.related = {}

    @property
    def user(self):
        if self._user is not None:
            return self._user
        if self.request is not None:
            return getattr(self.request, "user", None)
        return None


_actor = contextvars.ContextVar("audit_actor", default=None)


def current():
    """The Actor of the request or command being served, or None."""
    return _actor.get()


def _address(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request):
    """The client's address, as the audit log and the log-in throttle (django-axes) record it.

    With TRUSTED_PROXY_COUNT = 0 (the default: the site is reached directly) this is REMOTE_ADDR and
    X-Forwarded-For is ignored, since any client can send that header. Behind N reverse proxies, each of which
    appends the address it received the request from to X-Forwarded-For, the client is the N-th entry from the
    right; the entries further left were written by the client and are not trusted. None if not an address.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [item for item in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if item.strip()]
        if len(forwarded) >= proxies:
            address = _address(forwarded[-proxies])
            if address:
                return address
    return _address(remote)


@contextlib.contextmanager
def serving(request):
    """Within this block, changes are recorded as made by the request's user from its address."""
    token = _actor.set(Actor(request=request, ip=client_ip(request), path=request.path[:PATH_LIMIT]))
    try:
        yield
    finally:
        _actor.reset(token)


@contextlib.contextmanager
def acting_as(user):
    """Within this block, changes are recorded as made by `user` (for management commands and scripts)."""
    token = _actor.set(Actor(user=user))
    try:
        yield
    finally:
        _actor.reset(token)

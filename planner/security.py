"""Security plumbing that Django does not ship: the Content-Security-Policy header, the session idle timeout,
the log-in throttle's (django-axes) lock-out page (its client address is audit.context.client_ip), and a password rule
whose message Django's Chinese catalogue lacks.

Settings (planner/settings.py): CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY, SESSION_IDLE_SECONDS,
TRUSTED_PROXY_COUNT.
"""

import math
import re
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, password_validation
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render, resolve_url
from django.utils.translation import gettext as _

# The session key holding the time (seconds since the epoch) of the person's last request.
LAST_SEEN_KEY = "_last_seen"
# Refresh the stamp at most this often, so that a busy person does not cause a session write per request; and at
# a quarter of the idle limit when that is shorter, so that an active person is never taken for idle (with
# SESSION_IDLE_SECONDS = 60 a stamp refreshed only after 60 s let 60 s of activity count as idleness).
LAST_SEEN_RESOLUTION = 60


def last_seen_resolution(idle_seconds):
    return max(1, min(LAST_SEEN_RESOLUTION, idle_seconds // 4))


def policy_header(directives):
    """{"default-src": ["'self'"], …} → "default-src 'self'; …"."""
    return "; ".join(" ".join([name, *values]) for name, values in directives.items())


class ContentSecurityPolicyMiddleware:
    """Adds Content-Security-Policy (and Permissions-Policy) to every response that has none.

    The templates carry no inline <script>, no on*= handlers and no style="" attributes, so the policy allows
    scripts and styles from this site only.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = policy_header(settings.CONTENT_SECURITY_POLICY)
        self.permissions = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        if self.permissions:
            response.headers.setdefault("Permissions-Policy", self.permissions)
        return response


class SessionIdleTimeoutMiddleware:
    """Logs a person out who comes back after more than SESSION_IDLE_SECONDS without a request.

    The last-seen stamp lives in the session and is refreshed at most once a minute (a quarter of the limit
    when that is shorter), so ordinary requests do not write the session. Until a session has its first stamp, the log-in time (User.last_login, set when
    the session was created) stands in for it: the request right after logging in writes nothing either.
    Goes after AuthenticationMiddleware and MessageMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if not isinstance(last_seen, int):
                last_login = request.user.last_login
                last_seen = int(last_login.timestamp()) if last_login is not None else None
            if last_seen is None:
                request.session[LAST_SEEN_KEY] = now
            elif now - last_seen > settings.SESSION_IDLE_SECONDS:
                logout(request)  # flushes the session; the message below travels in a cookie
                messages.warning(request, _("长时间未操作，已自动退出，请重新登录。"))
                if request.path_info != resolve_url(settings.LOGIN_URL):
                    return redirect_to_login(request.get_full_path())
                # A log-in form posted from a stale session goes on, now as an anonymous request.
            elif now - last_seen >= last_seen_resolution(settings.SESSION_IDLE_SECONDS):
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


# The largest id a database integer column holds (PostgreSQL bigint, SQLite INTEGER).
MAX_DB_INTEGER = 2**63 - 1
_ASCII_INTEGER = re.compile(r"-?[0-9]+")
_DATE_PARTS = {"__year": (1000, 9998), "__month": (1, 12), "__day": (1, 31)}


class AdminQueryGuardMiddleware:
    """The admin's list pages read filters, search, ordering and paging from the query string and hand the
    values to the database. Refused here with a 400 (planner.views.bad_request) before they get there:
    a NUL byte (PostgreSQL cannot hold one: a 500), an integer beyond any id (SQLite: OverflowError), and a
    date drill-down (…__year/__month/__day) that is not a plain number in range (Python's date overflows).
    Only paths under the admin: the product's pages read their parameters through forms."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(admin_prefix()) and not admin_query_is_sane(request.GET):
            from .views import bad_request

            return bad_request(request, BadAdminQuery())
        return self.get_response(request)


class BadAdminQuery(Exception):
    pass


def admin_prefix():
    from django.urls import reverse

    return reverse("admin:index")


def admin_query_is_sane(query):
    for key, values in query.lists():
        if "\x00" in key:
            return False
        for value in values:
            if "\x00" in value:
                return False
            if key == "q":
                continue  # search text: any words
            for suffix, (low, high) in _DATE_PARTS.items():
                if key.endswith(suffix) and not (value.isascii() and value.isdigit() and low <= int(value) <= high):
                    return False
            for part in value.split(","):  # __in lists
                part = part.strip()
                if part.isascii() and _ASCII_INTEGER.fullmatch(part) and abs(int(part)) > MAX_DB_INTEGER:
                    return False
    return True


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the Chinese lock-out page (HTTP 429), saying for how long and whom to ask."""
    from axes.helpers import get_client_username, get_cool_off  # imports axes' models: not at start-up

    cool_off = get_cool_off(request)
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else None,
    }
    return render(request, "registration/locked.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule, with its message in Chinese: Django 5.2 reworded "This password is too short…" and its
    zh_Hans catalogue has no translation of the new wording (the other three validators' messages have one)."""

    def get_error_message(self):
        return _("密码长度太短。密码必须包含至少 %(min_length)d 个字符。") % {"min_length": self.min_length}

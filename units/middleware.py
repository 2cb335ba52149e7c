"""A person whose password was set by a coordinator (a new account, a reset) changes it before doing anything else."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

# URL names (root namespace) that stay open: the change page itself, log-out and the language switch.
OPEN_URL_NAMES = frozenset({"password_change", "logout", "set_language"})


class PasswordChangeRequiredMiddleware:
    """Sends a logged-in user with `must_change_password` to 修改密码 for every other page.

    Works in `process_view`, so the URL is resolved and the message storage is ready whatever the order;
    place it after AuthenticationMiddleware (and LoginRequiredMiddleware).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not getattr(user, "must_change_password", False):
            return None
        if settings.STATIC_URL and request.path_info.startswith(settings.STATIC_URL):
            return None
        match = request.resolver_match
        if match is not None and not match.namespace and match.url_name in OPEN_URL_NAMES:
            return None
        messages.warning(
            request, _("您的密码是统筹人员设置的（新建账号或重设密码），请先设置一个只有您自己知道的新密码，再继续使用系统。"),
            fail_silently=True,
        )
        return redirect("password_change")

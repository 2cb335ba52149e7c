"""Puts the request's user and address where the audit receivers find them, for the length of the request."""

from .context import serving


class AuditContextMiddleware:
    """Place right after AuthenticationMiddleware (it reads `request.user`, lazily, when something is recorded)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with serving(request):
            return self.get_response(request)

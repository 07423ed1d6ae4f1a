"""Nothing the hub answers is kept by a browser or a proxy.

Every page and API answer is about someone's data: a member's reports and checks, identifiers typed into
a form and shown back, restricted documents a reviewer opens, a signing secret shown once. A cached copy
would outlive the session and the audit trail, so each answer says no-store unless its view chose
otherwise. Static files are served before this middleware (WhiteNoise) and keep their long cache."""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response

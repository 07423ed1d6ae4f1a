"""A flood of applications from one address gets 429: DRF's throttle, shared by the API and the pages."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class ApplicationThrottle(SimpleRateThrottle):
    """HUB_APPLICATION_RATE per client address, for applying and for adding documents alike."""

    scope = "organisation_application"

    def get_rate(self) -> str:
        return settings.HUB_APPLICATION_RATE

    def allow_request(self, request, view) -> bool:
        # Only submissions count: a form read or a refused method spends nothing of the address's budget.
        return request.method != "POST" or super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        # Signed in or not: applying is anonymous, so every caller counts by address.
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def application_allowed(request) -> tuple[bool, int]:
    """For the pages: whether this request may go on, and the seconds to wait when not."""
    throttle = ApplicationThrottle()
    if throttle.allow_request(request, None):  # pages have no APIView
        return True, 0
    return False, int(throttle.wait() or 60)

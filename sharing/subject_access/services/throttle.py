"""Code requests and code attempts, limited per client address and per identifier token (DRF's
throttles on the shared cache, as the applications throttle is): the token is the keyed hash, never
the identifier, so the cache holds nothing personal."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class _SubjectThrottle(SimpleRateThrottle):
    setting = ""

    def __init__(self, ident: str) -> None:
        self.ident = ident
        super().__init__()

    def get_rate(self) -> str:
        return getattr(settings, self.setting)

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


class CodeRequestsPerAddress(_SubjectThrottle):
    scope, setting = "subject_code_request_address", "HUB_SUBJECT_CODE_REQUEST_RATE_ADDRESS"


class CodeRequestsPerToken(_SubjectThrottle):
    scope, setting = "subject_code_request_token", "HUB_SUBJECT_CODE_REQUEST_RATE_TOKEN"


class CodeRequestsPerTokenDay(_SubjectThrottle):
    scope, setting = "subject_code_request_token_day", "HUB_SUBJECT_CODE_REQUEST_RATE_TOKEN_DAY"


class RectificationsPerToken(_SubjectThrottle):
    scope, setting = "subject_rectification_token", "HUB_SUBJECT_RECTIFICATION_RATE_TOKEN"


class CodeAttemptsPerAddress(_SubjectThrottle):
    scope, setting = "subject_code_attempt_address", "HUB_SUBJECT_CODE_ATTEMPT_RATE_ADDRESS"


def throttled(throttles: list[_SubjectThrottle]) -> int:
    """0 when every throttle lets the request through (each counts it), else the seconds to wait."""
    for throttle in throttles:
        # No request or view: each throttle's key is its own ident (an address or a token).
        if not throttle.allow_request(None, None):  # type: ignore[arg-type]
            return int(throttle.wait() or 60)
    return 0

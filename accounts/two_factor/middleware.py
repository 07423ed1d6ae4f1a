"""Session expiry and the second-factor gate, for every page (including pages added later).

Both run after Django's AuthenticationMiddleware and django-otp's OTPMiddleware. The API
(/api/, API keys) is not a session's and passes untouched.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from accounts.two_factor import selectors, services
from hub.error_views import is_api_path

_LAST_SEEN = "hub_last_seen"


def _exempt(path: str) -> bool:
    return is_api_path(path) or path.startswith("/" + settings.STATIC_URL.lstrip("/"))


class SessionIdleTimeoutMiddleware:
    """Sign out a session left idle longer than HUB_SESSION_IDLE_MINUTES (audited once, on its return).

    The absolute limit is Django's own SESSION_COOKIE_AGE; this adds the idle one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not _exempt(request.path):
            now = int(time.time())
            last_seen = request.session.get(_LAST_SEEN)
            if last_seen is not None and now - int(last_seen) > settings.HUB_SESSION_IDLE_MINUTES * 60:
                services.session_expired(
                    member=selectors.member_of(request.user),
                    reason="idle",
                    request_id=getattr(request, "request_id", ""),
                )
                logout(request)
                return redirect(f"{settings.LOGIN_URL}?{urlencode({'next': request.get_full_path()})}")
            request.session[_LAST_SEEN] = now
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """A signed-in member whose role needs a second factor reaches no page before passing it.

    Without a confirmed authenticator: every page but enrolment and logout sends them to enrolment.
    With one, in a session not yet verified: every page but the code page and logout sends them there."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _exempt(request.path) or not selectors.needs_second_factor(request.user):
            return self.get_response(request)
        if request.user.is_verified():
            return self.get_response(request)
        enrol, verify, logout_url = (
            reverse("two-factor-enrol"),
            reverse("two-factor-verify"),
            reverse("logout"),
        )
        target = verify if selectors.has_second_factor(request.user) else enrol
        if request.path in (target, logout_url):
            return self.get_response(request)
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")

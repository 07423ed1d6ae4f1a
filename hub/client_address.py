"""The client's address for rate limits and login lockouts, one rule for all of them."""

from __future__ import annotations

from django.conf import settings


def client_address(request) -> str:
    """The client's address for rate limits: REMOTE_ADDR, unless HUB_TRUSTED_PROXIES proxies append to
    X-Forwarded-For, then the address the outermost trusted proxy saw (the Nth from the right). What a
    client writes to the left of that is never believed. Same rule as DRF's get_ident under NUM_PROXIES."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.HUB_TRUSTED_PROXIES
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if not proxies or not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))]

"""A refused lookup on a page answers as the API does: over quota is a 429 saying when to retry."""

from __future__ import annotations

from django.http import HttpResponse

from hub.errors import DomainError


def with_retry_after(response: HttpResponse, exc: DomainError) -> HttpResponse:
    """Add the Retry-After header the API's error handler sends when the refusal carries one."""
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response

"""Access for the web pages: the same capabilities as the API, for session-logged-in members."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseNotAllowed
from rest_framework import serializers

from accounts.actors import Actor
from accounts.audit.services import audit_record_denied
from accounts.audit.tags import AuditTag
from accounts.capabilities import holds_any
from accounts.roles import Capability
from hub.errors import DomainError


class ActorRequest(HttpRequest):
    """How a page declares its request once capability_required let it through: it carries the actor.

    Only a type: at run time the request is Django's own, and the decorator sets `actor` on it."""

    actor: Actor


def web_actor(request) -> Actor | None:
    member = getattr(request.user, "member", None)
    return Actor(member=member, request_id=getattr(request, "request_id", "")) if member else None


# Pages are read (GET, HEAD) and submitted (POST); any other method is refused before the page runs.
PAGE_METHODS = ("GET", "HEAD", "POST")


def capability_required(*capabilities: Capability):
    """Let a page through when the member holds any of the capabilities; audit refusals.

    Every method is checked first, so a stranger gets 403 whatever the method; a member
    who may see the page gets 405 for a method pages do not take, and the page never runs."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            actor = web_actor(request)
            if not holds_any(actor, capabilities):
                audit_record_denied(
                    actor=actor,
                    tag=AuditTag.ACCESS_DENIED,
                    target_type="page",
                    reason=f"page {request.path} needs {', '.join(c.value for c in capabilities)}",
                    request_id=getattr(request, "request_id", ""),
                )
                raise PermissionDenied
            if request.method not in PAGE_METHODS:
                return HttpResponseNotAllowed(PAGE_METHODS)
            request.actor = actor
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def api_input(
    serializer_class: type[serializers.Serializer], data: dict, *, context: dict | None = None
) -> tuple[dict | None, dict[str, list[str]]]:
    """Validate a web form's data with the API's input serializer, so a page and the API share one rule.

    Returns (validated data, {}) or (None, per-field messages); nested fields are named with dots
    ("scope.reports.0"). The page shows the messages and answers 400.
    """
    payload = serializer_class(data=data, context=context or {})
    if payload.is_valid():
        return payload.validated_data, {}
    return None, flat_errors(payload.errors)


def flat_errors(errors, prefix: str = "") -> dict[str, list[str]]:
    """DRF errors (nested dicts and lists) as {"field.sub.0": [messages]}."""
    if isinstance(errors, list) and errors and not isinstance(errors[0], (dict, list)):
        return {prefix.rstrip(".") or "non_field_errors": [str(message) for message in errors]}
    items = errors.items() if isinstance(errors, dict) else enumerate(errors)
    flat: dict[str, list[str]] = {}
    for name, value in items:
        if value:
            flat.update(flat_errors(value, f"{prefix}{name}."))
    return flat


def domain_errors(exc: DomainError) -> dict[str, list[str]]:
    """A refused action's message, and its per-field messages when it names fields."""
    return {"non_field_errors": [exc.message], **flat_errors(exc.fields or {})}

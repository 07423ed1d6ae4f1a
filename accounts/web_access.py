"""Access for the web pages: the same capabilities as the API, for session-logged-in members."""
from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed

from accounts.actors import Actor
from accounts.audit.services import audit_record_denied
from accounts.audit.tags import AuditTag
from accounts.roles import Capability


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
            if actor is None or not any(actor.can(c) for c in capabilities):
                audit_record_denied(actor=actor, tag=AuditTag.ACCESS_DENIED, target_type="page",
                                    reason=f"page {request.path} needs {', '.join(c.value for c in capabilities)}",
                                    request_id=getattr(request, "request_id", ""))
                raise PermissionDenied
            if request.method not in PAGE_METHODS:
                return HttpResponseNotAllowed(PAGE_METHODS)
            request.actor = actor
            return view(request, *args, **kwargs)

        return wrapper

    return decorator

"""DRF permission tied to the role matrix: a view names the capability it needs."""
from __future__ import annotations

from rest_framework import permissions

from accounts.actors import Actor
from accounts.audit.services import audit_record_denied
from accounts.audit.tags import AuditTag
from accounts.models import ApiKey
from accounts.roles import Capability


def actor_from_request(request) -> Actor | None:
    user = request.user
    member = getattr(user, "member", None) if user is not None and user.is_authenticated else None
    if member is None:
        return None
    api_key = request.auth if isinstance(request.auth, ApiKey) else None
    return Actor(member=member, api_key=api_key, request_id=getattr(request, "request_id", ""))


class HasCapability(permissions.BasePermission):
    """Allow when the actor's organisation is in good standing, the role grants the
    view's `required_capability`, and the API key carries the matching scope."""

    message = "Your organisation or role is not allowed to do this, or your API key lacks the scope."

    def has_permission(self, request, view) -> bool:
        capability = required_capability(view, request.method)
        if capability is None:
            return True  # a method the view does not offer: let DRF answer 405
        if request.user is None or not request.user.is_authenticated:
            return False
        actor = actor_from_request(request)
        if actor is not None and actor.can(capability):
            return True
        audit_record_denied(
            actor=actor,
            tag=AuditTag.ACCESS_DENIED,
            target_type=getattr(view, "audit_object_type", ""),
            reason=f"lacks {capability.value}",
            request_id=getattr(request, "request_id", ""),
        )
        return False


def required_capability(view, method: str) -> Capability | None:
    """The capability a view needs for a method; views set one, or one per method."""
    declared = getattr(view, "required_capability", None)
    if declared is None:
        raise AssertionError(f"{type(view).__name__} must set required_capability")
    if isinstance(declared, dict):
        return declared.get(method)
    return declared

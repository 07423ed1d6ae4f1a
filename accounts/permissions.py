"""DRF permission tied to the role matrix: a view names the capability it needs."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import permissions

from accounts.actors import Actor
from accounts.audit.services import audit_record_denied
from accounts.audit.tags import AuditTag
from accounts.capabilities import holds_any
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
    """Allow when the actor's organisation is in good standing, the role grants the capability
    the view requires for the method, and the API key carries the matching scope.

    Every method is checked, including HEAD, OPTIONS and methods the view does not offer:
    a caller without a key gets 401 and one without the capability 403 before anything runs.
    """

    message = gettext_lazy(
        "Your organisation or role is not allowed to do this, or your API key lacks the scope."
    )

    def has_permission(self, request, view) -> bool:
        if request.user is None or not request.user.is_authenticated:
            return False
        capabilities = required_capabilities(view, request.method)
        actor = actor_from_request(request)
        if holds_any(actor, capabilities):
            return True
        audit_record_denied(
            actor=actor,
            tag=AuditTag.ACCESS_DENIED,
            target_type=getattr(view, "audit_object_type", ""),
            reason=f"{request.method} lacks {' or '.join(c.value for c in capabilities)}",
            request_id=getattr(request, "request_id", ""),
        )
        return False


def required_capabilities(view, method: str) -> tuple[Capability, ...]:
    """The capabilities, any one of which lets a method through; views set one, or one per method.

    HEAD is a GET without the body, so it needs GET's capability. A method a view does not
    declare (OPTIONS, an unknown verb) needs some capability of the view, then gets DRF's 405:
    the answer tells nobody outside the view's audience that the route exists. OPTIONS is
    405 for everyone (REST_FRAMEWORK's DEFAULT_METADATA_CLASS is None): the API has no
    cross-origin browser clients to preflight, the OpenAPI schema describes it, and its
    metadata would be an unaudited read.
    """
    declared = getattr(view, "required_capability", None)
    if declared is None:
        raise AssertionError(f"{type(view).__name__} must set required_capability")
    if not isinstance(declared, dict):
        return (declared,)
    method = "GET" if method == "HEAD" else method
    return (declared[method],) if method in declared else tuple(declared.values())

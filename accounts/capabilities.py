"""The one capability check of services and selectors: `require`, refusing with ForbiddenError.

The API's permission class and the pages' decorator let a request in by the view's capability;
the service's `require` is the final word for every caller (API, pages, commands, tasks).
A refusal is audited when the caller names the tag to audit it under (`denied_tag`): then the
denied row is written in its own transaction, before the write's transaction could roll it back.
"""

from __future__ import annotations

from django.utils.translation import gettext

from accounts.actors import Actor
from accounts.audit.services import audit_record_denied
from accounts.audit.tags import AuditTag
from accounts.roles import Capability
from hub.errors import ForbiddenError


def require(
    actor: Actor,
    capability: Capability,
    *,
    message: str = "",
    denied_tag: AuditTag | None = None,
    target_type: str = "",
) -> None:
    """Refuse (403) unless the actor holds the capability; audit the refusal when `denied_tag` is given."""
    if actor.can(capability):
        return
    if denied_tag is not None:
        audit_record_denied(
            actor=actor,
            tag=denied_tag,
            target_type=target_type,
            reason=f"lacks {capability.value}",
            request_id=actor.request_id,
        )
    raise ForbiddenError(
        message or gettext("Your role does not grant %(capability)s.") % {"capability": capability.value}
    )


def holds_any(actor: Actor | None, capabilities: tuple[Capability, ...] | list[Capability]) -> bool:
    """Whether the actor holds at least one of the capabilities (the views' gates ask this)."""
    return actor is not None and any(actor.can(capability) for capability in capabilities)

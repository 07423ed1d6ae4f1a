"""The one gate and record of every delivery of the hub's data to a member abroad.

A member organisation whose jurisdiction differs from the data's residency (HUB_DATA_RESIDENCY) gets
data only under a basis the deployment configured for its jurisdiction (HUB_TRANSFER_BASES); each
delivery is then a CrossBorderTransfer row written in the delivery's own transaction, so a delivery
that rolls back leaves no record and none is made without one. Without a basis the answer is a 403.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext

from accounts.actors import Actor
from accounts.audit.services import audit_record_denied
from accounts.audit.tags import AuditTag
from accounts.models import Member, Organisation
from accounts.transfers.models import CrossBorderTransfer, TransferChannel
from hub.errors import ForbiddenError


def transfer_basis(organisation: Organisation) -> str | None:
    """The configured basis for sending data to this organisation; "" when nothing crosses a border."""
    if organisation.jurisdiction == settings.HUB_DATA_RESIDENCY:
        return ""
    return settings.HUB_TRANSFER_BASES.get(organisation.jurisdiction)


def transfer_gate(*, organisation: Organisation, channel: TransferChannel, actor: Actor | None) -> None:
    """Refuse (403, the refusal audited and committed) before any work when no basis covers the
    organisation's jurisdiction. Call it outside the delivery's transaction."""
    if transfer_basis(organisation) is None:
        audit_record_denied(
            actor=actor, tag=AuditTag.TRANSFER_REFUSED, target_type=channel.value, reason="no_transfer_basis"
        )
        raise _refusal(organisation)


def transfer_record(
    *,
    organisation: Organisation,
    channel: TransferChannel,
    target_type: str = "",
    target_id: str = "",
    member: Member | None = None,
) -> CrossBorderTransfer | None:
    """Record the delivery when it crosses a border; call inside the delivery's transaction.

    Refuses too (without a committed audit row: transfer_gate writes that) when the basis was
    withdrawn between the gate and the delivery."""
    basis = transfer_basis(organisation)
    if basis is None:
        raise _refusal(organisation)
    if not basis:
        return None
    return CrossBorderTransfer.objects.create(
        organisation=organisation,
        member=member,
        origin=settings.HUB_DATA_RESIDENCY,
        destination=organisation.jurisdiction,
        basis=basis,
        channel=channel,
        object_type=target_type,
        object_id=target_id,
    )


def _refusal(organisation: Organisation) -> ForbiddenError:
    return ForbiddenError(
        gettext(
            "The hub's data stays in %(residency)s: this deployment has no legal basis for transfers to "
            "%(destination)s, where your organisation is registered to receive data. Ask the operator."
        )
        % {"residency": settings.HUB_DATA_RESIDENCY, "destination": organisation.jurisdiction}
    )


def transfer_for_actor(
    *, actor: Actor, channel: TransferChannel, target_type: str = "", target_id: str = ""
) -> None:
    """A member's read of shareable data: refused (and the refusal audited) or recorded, in one call.

    For reads whose refusal and record share the request's transaction (API views commit a refusal
    they answer, accounts/api/base.py; pages through hub/middleware.py)."""
    transfer_gate(organisation=actor.organisation, channel=channel, actor=actor)
    transfer_record(
        organisation=actor.organisation,
        channel=channel,
        target_type=target_type,
        target_id=target_id,
        member=actor.member,
    )

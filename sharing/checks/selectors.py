"""Reads of canary identifiers for the operator admins who plant them: type and label, never a value."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.actors import Actor
from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.roles import Capability
from sharing.models import Canary


def canaries_planted(*, actor: Actor) -> QuerySet[Canary]:
    """Every planted canary, the newest first."""
    require(actor, Capability.CANARY_PLANT, message="Only operator administrators plant canaries.")
    return Canary.objects.select_related("planted_by__user").order_by("-planted_at", "-id")


def canaries_page_audit(*, actor: Actor, page: list[Canary]) -> None:
    audit_record(
        actor=actor,
        tag=AuditTag.CANARY_LISTED,
        data_class=DataClass.ADMINISTRATIVE,
        target_type="canary",
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"count": len(page)},
    )

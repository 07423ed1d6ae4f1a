"""Canary identifiers: planted by operator admins; a check that hits one raises an alert."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from accounts.actors import Actor
from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.roles import Capability
from hub.keys import token_storage_keys
from sharing.crypto.tokens import token_seal
from sharing.models import Canary
from sharing.subjects.services.tokens import RawIdentifier, SuppliedToken, identifiers_tokenise


@transaction.atomic
def canaries_plant(
    *, identifiers: list[RawIdentifier | SuppliedToken], label: str, actor: Actor
) -> list[Canary]:
    """Plant canaries; their raw values are tokenised and dropped like any other."""
    require(actor, Capability.CANARY_PLANT, message=gettext("Only operator administrators plant canaries."))
    tokenised = identifiers_tokenise(identifiers=identifiers, default_country=actor.organisation.country)
    planted = []
    for item in tokenised:
        canary, _ = Canary.objects.get_or_create(
            token=token_seal(item.token, keys=token_storage_keys()),
            defaults={"identifier_type": item.type, "label": label, "planted_by": actor.member},
        )
        planted.append(canary)
    audit_record(
        actor=actor,
        tag=AuditTag.CANARY_PLANTED,
        data_class=DataClass.ADMINISTRATIVE,
        target_type="canary",
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"count": len(planted), "label": label},
    )
    return planted

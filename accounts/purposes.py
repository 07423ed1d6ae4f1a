"""Purpose limitation: the closed list of purposes a member may screen sellers for, which purposes each
organisation kind may state, and the one check every check, bulk job, watch entry and feed
subscription passes.

A purpose is allowed when the organisation's kind allows it (KIND_PURPOSES) and its membership
agreement does too (`Organisation.agreed_purposes`: a list narrows the kind's purposes to those
named; NULL, the default, agrees to every purpose the kind allows). A kind missing from the table
allows nothing, so a new kind screens nothing until a row is written for it here.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import OrganisationKind
from hub.errors import DomainError


class Purpose(models.TextChoices):
    SELLER_ONBOARDING = "seller_onboarding", _("Seller onboarding")
    LISTING_REVIEW = "listing_review", _("Listing review")
    PARCEL_SCREENING = "parcel_screening", _("Parcel screening")
    PAYMENT_SCREENING = "payment_screening", _("Payment screening")
    INVESTIGATION = "investigation", _("Investigation of a reported case")
    ENFORCEMENT_ACTION = "enforcement_action", _("Enforcement action")
    OVERSIGHT = "oversight", _("Oversight of the hub")


_P = Purpose
_K = OrganisationKind

# Which purposes each kind may state. Disallowed, on purpose: courts and auditors screen nothing
# (courts obtain data through disclosure orders only); rights owners never onboard or screen others'
# sellers; only operators state oversight (their TLP:RED view of the feed).
KIND_PURPOSES: dict[str, frozenset[Purpose]] = {
    _K.PLATFORM: frozenset(
        {
            _P.SELLER_ONBOARDING,
            _P.LISTING_REVIEW,
            _P.PAYMENT_SCREENING,
            _P.INVESTIGATION,
            _P.ENFORCEMENT_ACTION,
        }
    ),
    _K.LOGISTICS: frozenset(
        {_P.SELLER_ONBOARDING, _P.PARCEL_SCREENING, _P.INVESTIGATION, _P.ENFORCEMENT_ACTION}
    ),
    _K.RIGHTS_OWNER: frozenset({_P.INVESTIGATION, _P.ENFORCEMENT_ACTION}),
    # Authorities screen for the cases they investigate and the actions they take; customs also
    # screens the parcels it inspects. Payment providers onboard merchants and screen payments.
    _K.MARKET_REGULATOR: frozenset({_P.INVESTIGATION, _P.ENFORCEMENT_ACTION}),
    _K.CUSTOMS: frozenset({_P.PARCEL_SCREENING, _P.INVESTIGATION, _P.ENFORCEMENT_ACTION}),
    _K.PAYMENT_PROVIDER: frozenset({_P.SELLER_ONBOARDING, _P.PAYMENT_SCREENING, _P.INVESTIGATION}),
    _K.OPERATOR: frozenset({_P.OVERSIGHT, _P.INVESTIGATION}),
    _K.COURT: frozenset(),
    _K.AUDITOR: frozenset(),
}


def purposes_allowed(*, kind: str, agreed: list[str] | None) -> list[str]:
    """The purposes an organisation of this kind and agreement may state, in the list's order."""
    by_kind = KIND_PURPOSES.get(kind, frozenset())
    return [p.value for p in Purpose if p in by_kind and (agreed is None or p.value in agreed)]


def organisation_purposes(organisation) -> list[str]:
    """The purposes this organisation may state (its kind's, narrowed by its agreement)."""
    return purposes_allowed(kind=organisation.kind, agreed=organisation.agreed_purposes)


def purposes_text(purposes: list[str]) -> str:
    """The purposes as the reader's words with their codes, for a refusal."""
    if not purposes:
        return gettext("none")
    return gettext(", ").join(f"{p} ({Purpose(p).label})" for p in purposes)


def purpose_require(*, organisation, purpose: str | None) -> str:
    """The purpose, when stated and allowed for the organisation; else a 400 on the field `purpose`
    naming the purposes it may state."""
    allowed = organisation_purposes(organisation)
    if not purpose:
        message = gettext("State the purpose of this access; your organisation may state: %(allowed)s.")
    elif purpose not in Purpose.values:
        message = gettext("Not a known purpose; your organisation may state: %(allowed)s.")
    elif purpose not in allowed:
        message = gettext(
            "Your organisation's kind and membership agreement do not allow this purpose; it may state: "
            "%(allowed)s."
        )
    else:
        return purpose
    message = message % {"allowed": purposes_text(allowed)}
    raise DomainError(message, fields={"purpose": [message]})


def agreed_purposes_check(*, kind: str, purposes: list[str] | None) -> list[str] | None:
    """A membership agreement's purposes, refused unless each is one the kind allows (None: all of them)."""
    if purposes is None:
        return None
    allowed = purposes_allowed(kind=kind, agreed=None)
    unknown = sorted(set(purposes) - set(allowed))
    if unknown:
        message = gettext("An agreement may name only purposes the kind allows: %(allowed)s.") % {
            "allowed": purposes_text(allowed)
        }
        raise DomainError(message, fields={"purposes": [message]})
    return [p for p in allowed if p in purposes]

"""Deterministic normalisation of raw identifiers to one canonical string per real-world identifier.

Tokens are a keyed PRF of ``type || 0x00 || canonical value``, so every spelling of one
identifier must reach exactly one canonical string here, and invalid input must be refused
with a message that never repeats the input.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hubcore.identifiers.banking import normalise_bank_account
from hubcore.identifiers.composites import is_composite, normalise_composite
from hubcore.identifiers.couriers import normalise_courier_sender_account, normalise_waybill
from hubcore.identifiers.documents import normalise_business_licence, normalise_national_id
from hubcore.identifiers.emails import normalise_email
from hubcore.identifiers.errors import IdentifierInvalid, gettext_noop
from hubcore.identifiers.observed import (
    normalise_observed_bank_account,
    normalise_observed_business_licence,
    normalise_observed_national_id,
    normalise_observed_phone,
)
from hubcore.identifiers.payments import normalise_payment_account
from hubcore.identifiers.phones import normalise_phone
from hubcore.identifiers.social import (
    normalise_douyin_account,
    normalise_kuaishou_account,
    normalise_live_room,
    normalise_qq_number,
    normalise_wechat_id,
    normalise_weibo_account,
)
from hubcore.identifiers.text import (
    normalise_device_id,
    normalise_name,
    normalise_shipping_address,
    text_checked,
)
from hubcore.identifiers.types import NORMALISER_VERSION, IdentifierType
from hubcore.identifiers.urls import normalise_store_url

__all__ = ["Canonical", "IdentifierInvalid", "MAX_LENGTH", "normalise"]

MAX_LENGTH = 500

Normaliser = Callable[[str, "str | None"], str]

_NORMALISERS: dict[IdentifierType, Normaliser] = {
    IdentifierType.PHONE: normalise_phone,
    IdentifierType.EMAIL: normalise_email,
    IdentifierType.NATIONAL_ID: normalise_national_id,
    IdentifierType.BUSINESS_LICENCE: normalise_business_licence,
    IdentifierType.BANK_ACCOUNT: normalise_bank_account,
    IdentifierType.PAYMENT_ACCOUNT: normalise_payment_account,
    IdentifierType.STORE_URL: normalise_store_url,
    IdentifierType.SHIPPING_ADDRESS: normalise_shipping_address,
    IdentifierType.NAME: normalise_name,
    IdentifierType.DEVICE_ID: normalise_device_id,
    IdentifierType.COURIER_SENDER_ACCOUNT: normalise_courier_sender_account,
    IdentifierType.WAYBILL: normalise_waybill,
    IdentifierType.WECHAT_ID: normalise_wechat_id,
    IdentifierType.QQ_NUMBER: normalise_qq_number,
    IdentifierType.WEIBO_ACCOUNT: normalise_weibo_account,
    IdentifierType.DOUYIN_ACCOUNT: normalise_douyin_account,
    IdentifierType.KUAISHOU_ACCOUNT: normalise_kuaishou_account,
    IdentifierType.LIVE_ROOM: normalise_live_room,
    IdentifierType.OBSERVED_NATIONAL_ID: normalise_observed_national_id,
    IdentifierType.OBSERVED_PHONE: normalise_observed_phone,
    IdentifierType.OBSERVED_BUSINESS_LICENCE: normalise_observed_business_licence,
    IdentifierType.OBSERVED_BANK_ACCOUNT: normalise_observed_bank_account,
}


_TYPES: dict[str, IdentifierType] = {kind.value: kind for kind in IdentifierType}
# Every code the pattern below accepts once upper-cased and stripped, spelt as _country returns it.
_UPPER_CASE_CODES = frozenset(chr(a) + chr(b) for a in range(65, 91) for b in range(65, 91))


@dataclass(frozen=True)
class Canonical:
    """The canonical form of one identifier, with the normaliser version that produced it."""

    type: IdentifierType
    value: str
    version: int


def normalise(
    identifier_type: str, value: str | Mapping[str, str], *, default_country: str | None = None
) -> Canonical:
    """Normalise a raw identifier of the given type; raise IdentifierInvalid if it is not valid.

    A composite type's value is an object of fields (see composites.py) and needs no default country.
    """
    kind = _identifier_type(identifier_type)
    if is_composite(kind):
        return Canonical(type=kind, value=normalise_composite(kind, value), version=NORMALISER_VERSION[kind])
    country = _country(default_country)
    text = _prepared(value)
    canonical = _NORMALISERS[kind](text, country)
    return Canonical(type=kind, value=canonical, version=NORMALISER_VERSION[kind])


def _identifier_type(identifier_type: object) -> IdentifierType:
    """Look the type up among IdentifierType's values."""
    kind = _TYPES.get(identifier_type) if isinstance(identifier_type, str) else None
    if kind is not None:  # a dict look-up: the Enum call below costs a twentieth of a phone's normalisation
        return kind
    try:
        return IdentifierType(str(identifier_type))
    except (ValueError, TypeError):
        known = ", ".join(IdentifierType.values)
        raise IdentifierInvalid(
            gettext_noop("Unknown identifier type; known types: %(known)s."), known=known
        ) from None


def _country(default_country: str | None) -> str | None:
    """Upper-case an ISO 3166-1 alpha-2 code; an empty one means no country."""
    if not default_country:
        return None
    if isinstance(default_country, str) and default_country in _UPPER_CASE_CODES:
        return default_country  # already as the checks below would return it: no regex needed
    if not isinstance(default_country, str) or not re.fullmatch(r"[A-Za-z]{2}", default_country.strip()):
        raise IdentifierInvalid(gettext_noop("The country must be a two-letter ISO 3166-1 code."))
    return default_country.strip().upper()


def _prepared(value: object) -> str:
    """Check type and length, apply NFKC (full-width to ASCII) and strip surrounding whitespace."""
    if not isinstance(value, str):
        raise IdentifierInvalid(
            gettext_noop("The identifier value must be text (only composite types take an object).")
        )
    return text_checked(value, max_length=MAX_LENGTH, subject=gettext_noop("The identifier value"))

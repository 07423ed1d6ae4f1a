"""Identifier types the hub accepts, how strongly each one points at a person, and normaliser versions."""

from __future__ import annotations

import enum


class _LabelledType(enum.EnumType):
    @property
    def values(cls) -> list[str]:
        """Every member's value, in definition order."""
        return [member.value for member in cls]


class LabelledEnum(enum.StrEnum, metaclass=_LabelledType):
    """A string enum whose members also carry a human label: `NAME = "value", "Label"`.

    Plain Python, so hubctl can use it without Django; the Django side derives its choices from
    (value, label) pairs, which are the ones models.TextChoices gave, so no migration follows.
    """

    label: str

    def __new__(cls, value: str, label: str) -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class IdentifierType(LabelledEnum):
    """Kinds of seller identifier; the value is part of every token's PRF input."""

    PHONE = "phone", "Phone number"
    EMAIL = "email", "Email address"
    NATIONAL_ID = "national_id", "National ID number"
    BUSINESS_LICENCE = "business_licence", "Business licence / VAT number"
    BANK_ACCOUNT = "bank_account", "Bank account or payment card"
    PAYMENT_ACCOUNT = "payment_account", "Payment service account"
    STORE_URL = "store_url", "Store URL"
    SHIPPING_ADDRESS = "shipping_address", "Shipping address"
    NAME = "name", "Name"
    DEVICE_ID = "device_id", "Device ID"
    # Composites: an object of fields, canonicalised in hubcore/identifiers/composites.py.
    PERSON = "person", "Person (full name + date of birth)"
    REGISTERED_ADDRESS = "registered_address", "Registered address (street address + postcode + country)"


class Strength(LabelledEnum):
    """How reliably one identifier singles out one person or business."""

    STRONG = "strong", "Strong"
    MEDIUM = "medium", "Medium"
    WEAK = "weak", "Weak"


IDENTIFIER_STRENGTH: dict[IdentifierType, Strength] = {
    # Government-issued, checksummed and tied to one legal person.
    IdentifierType.NATIONAL_ID: Strength.STRONG,
    IdentifierType.BUSINESS_LICENCE: Strength.STRONG,
    IdentifierType.BANK_ACCOUNT: Strength.STRONG,
    # Personal but cheap to obtain or recycle.
    IdentifierType.PHONE: Strength.MEDIUM,
    IdentifierType.EMAIL: Strength.MEDIUM,
    IdentifierType.PAYMENT_ACCOUNT: Strength.MEDIUM,
    IdentifierType.STORE_URL: Strength.MEDIUM,
    # A full name with a date of birth. The commonest Chinese name, 张伟, is held by about 290,000
    # people; most were born within ~40 years (~15,000 days), so about 20 share any one birth date,
    # and a name of ordinary frequency (a few thousand holders) is shared by nobody on that date.
    # So it singles out one person nearly always, like a phone number (which is recycled), but not
    # always: medium, never strong (no issuer, no checksum, namesakes with one birthday exist).
    IdentifierType.PERSON: Strength.MEDIUM,
    # Shared by many people (addresses, common names) or easy to spoof (device ids).
    IdentifierType.SHIPPING_ADDRESS: Strength.WEAK,
    IdentifierType.NAME: Strength.WEAK,
    IdentifierType.DEVICE_ID: Strength.WEAK,
    # A registered (company) address with its postcode: registered-agent buildings and business
    # centres host hundreds to thousands of companies at one street address, so on its own it
    # links strangers. Weak: it may corroborate a subject reached otherwise, never link one.
    IdentifierType.REGISTERED_ADDRESS: Strength.WEAK,
}

# Only these link tokens into subjects and match a subject on their own: a weak identifier is
# shared by strangers (namesakes, a warehouse address), so linking on it would list innocents.
LINKING_TYPES: frozenset[str] = frozenset(
    identifier_type.value
    for identifier_type, strength in IDENTIFIER_STRENGTH.items()
    if strength != Strength.WEAK
)

# Bump a type's version whenever its canonical form changes, so old tokens can be re-derived.
NORMALISER_VERSION: dict[IdentifierType, int] = {identifier_type: 1 for identifier_type in IdentifierType}

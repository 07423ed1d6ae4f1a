"""Identifier types the hub accepts, how strongly each one points at a person, and normaliser versions."""

from __future__ import annotations

import enum


class _LabelledType(enum.EnumType):
    @property
    def values(cls) -> list[str]:
        """Every member's value, in definition order."""
        return [member.value for member in cls]  # type: ignore[var-annotated]


class LabelledEnum(enum.StrEnum, metaclass=_LabelledType):
    """A string enum whose members also carry a human label: `NAME = "value", "Label"`.

    Plain Python, so hubctl can use it without Django; the Django side derives its choices from
    (value, label) pairs, which are the ones models.TextChoices gave, so no migration follows.
    """

    label: str

    # A label default only for the type checker: IdentifierType("phone") looks a member up by value.
    def __new__(cls, value: str, label: str = "") -> LabelledEnum:
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
    PICKUP_ADDRESS = "pickup_address", "Pick-up address (street address + postcode + country)"
    # Couriers: the account a sender ships from, and one parcel's waybill, each "<courier>:<id>".
    COURIER_SENDER_ACCOUNT = "courier_sender_account", "Courier sender account"
    WAYBILL = "waybill", "Waybill number"
    # Social and live-stream accounts, where a store's sales move (seed 000).
    WECHAT_ID = "wechat_id", "WeChat ID"
    QQ_NUMBER = "qq_number", "QQ number"
    WEIBO_ACCOUNT = "weibo_account", "Weibo account"
    DOUYIN_ACCOUNT = "douyin_account", "Douyin account"
    KUAISHOU_ACCOUNT = "kuaishou_account", "Kuaishou account"
    LIVE_ROOM = "live_room", "Live-stream room"
    # Observed: a value as seen on a parcel or a sender account, unverified and possibly fabricated
    # (an ID with a wrong check digit). Its own PRF domain (the type is in the PRF input), so it never
    # matches the verified type's token of a real person; the same fake value seen again matches itself.
    OBSERVED_NATIONAL_ID = "observed_national_id", "National ID number, as observed (unverified)"
    OBSERVED_PHONE = "observed_phone", "Phone number, as observed (unverified)"
    OBSERVED_BUSINESS_LICENCE = (
        "observed_business_licence",
        "Business licence number, as observed (unverified)",
    )
    OBSERVED_BANK_ACCOUNT = "observed_bank_account", "Bank account number, as observed (unverified)"


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
    # A courier's pick-up point (a kiosk, a locker bank, a warehouse) serves many senders: weak, as above.
    IdentifierType.PICKUP_ADDRESS: Strength.WEAK,
    # A waybill names one parcel, not a sender, and carriers recycle numbers: it corroborates only.
    IdentifierType.WAYBILL: Strength.WEAK,
    # Accounts: personal to their holder, but cheap to open, like a payment account.
    IdentifierType.COURIER_SENDER_ACCOUNT: Strength.MEDIUM,
    IdentifierType.WECHAT_ID: Strength.MEDIUM,
    IdentifierType.QQ_NUMBER: Strength.MEDIUM,
    IdentifierType.WEIBO_ACCOUNT: Strength.MEDIUM,
    IdentifierType.DOUYIN_ACCOUNT: Strength.MEDIUM,
    IdentifierType.KUAISHOU_ACCOUNT: Strength.MEDIUM,
    IdentifierType.LIVE_ROOM: Strength.MEDIUM,
    # Observed values: never strong (nobody verified them, and a fake ID proves nothing of a person),
    # but medium, so the same fake value reused by one gang links its fake senders (seed 003).
    IdentifierType.OBSERVED_NATIONAL_ID: Strength.MEDIUM,
    IdentifierType.OBSERVED_PHONE: Strength.MEDIUM,
    IdentifierType.OBSERVED_BUSINESS_LICENCE: Strength.MEDIUM,
    IdentifierType.OBSERVED_BANK_ACCOUNT: Strength.MEDIUM,
}

# Each observed type and the verified type whose value it records as seen.
OBSERVED_OF: dict[IdentifierType, IdentifierType] = {
    IdentifierType.OBSERVED_NATIONAL_ID: IdentifierType.NATIONAL_ID,
    IdentifierType.OBSERVED_PHONE: IdentifierType.PHONE,
    IdentifierType.OBSERVED_BUSINESS_LICENCE: IdentifierType.BUSINESS_LICENCE,
    IdentifierType.OBSERVED_BANK_ACCOUNT: IdentifierType.BANK_ACCOUNT,
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

"""Identifier tokens and the subjects they link into. No raw value is ever stored here."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubcore.identifiers.types import IdentifierType

# The labels of hubcore's (Django-free) enum, marked for translation here; tests/hub/test_translations.py
# checks each still reads as hubcore's English label.
IDENTIFIER_TYPE_LABELS = {
    IdentifierType.PHONE: _("Phone number"),
    IdentifierType.EMAIL: _("Email address"),
    IdentifierType.NATIONAL_ID: _("National ID number"),
    IdentifierType.BUSINESS_LICENCE: _("Business licence / VAT number"),
    IdentifierType.BANK_ACCOUNT: _("Bank account or payment card"),
    IdentifierType.PAYMENT_ACCOUNT: _("Payment service account"),
    IdentifierType.STORE_URL: _("Store URL"),
    IdentifierType.SHIPPING_ADDRESS: _("Shipping address"),
    IdentifierType.NAME: _("Name"),
    IdentifierType.DEVICE_ID: _("Device ID"),
    IdentifierType.PERSON: _("Person (full name + date of birth)"),
    IdentifierType.REGISTERED_ADDRESS: _("Registered address (street address + postcode + country)"),
    IdentifierType.PICKUP_ADDRESS: _("Pick-up address (street address + postcode + country)"),
    IdentifierType.COURIER_SENDER_ACCOUNT: _("Courier sender account"),
    IdentifierType.WAYBILL: _("Waybill number"),
    IdentifierType.WECHAT_ID: _("WeChat ID"),
    IdentifierType.QQ_NUMBER: _("QQ number"),
    IdentifierType.WEIBO_ACCOUNT: _("Weibo account"),
    IdentifierType.DOUYIN_ACCOUNT: _("Douyin account"),
    IdentifierType.KUAISHOU_ACCOUNT: _("Kuaishou account"),
    IdentifierType.LIVE_ROOM: _("Live-stream room"),
    IdentifierType.OBSERVED_NATIONAL_ID: _("National ID number, as observed (unverified)"),
    IdentifierType.OBSERVED_PHONE: _("Phone number, as observed (unverified)"),
    IdentifierType.OBSERVED_BUSINESS_LICENCE: _("Business licence number, as observed (unverified)"),
    IdentifierType.OBSERVED_BANK_ACCOUNT: _("Bank account number, as observed (unverified)"),
}

# The labels of a composite type's fields (hubcore.identifiers.composites.COMPOSITE_FIELDS), by field name.
COMPOSITE_FIELD_LABELS = {
    "full_name": _("Full name"),
    "date_of_birth": _("Date of birth"),
    "country": _("Country"),
    "postcode": _("Postcode"),
    "street_address": _("Street address"),
}

# The format a field takes, for the fields whose format a person cannot guess.
COMPOSITE_FIELD_HINTS = {
    "date_of_birth": _("Year first: YYYY-MM-DD."),
    "country": _("Two letters (ISO 3166-1), e.g. CN."),
}

# Django's choices for a plain (Django-free) enum: the (value, label) pairs TextChoices gave.
IDENTIFIER_TYPE_CHOICES = [(kind.value, IDENTIFIER_TYPE_LABELS[kind]) for kind in IdentifierType]


class Subject(models.Model):
    """The person or gang behind linked identifiers: a connected component of tokens."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"subject {self.public_id}"


class IdentifierToken(models.Model):
    # The storage form "<storage key version>:<AES-SIV of the token>" (sharing/crypto/tokens.py).
    # One row per (type, token): the type a client claims for a supplied token cannot be checked (the hub
    # never sees the PRF input), so a claim under another type gets a row of its own and never reaches,
    # relabels or hides the row of the type the token was derived for (stored_tokens_of).
    token = models.CharField(max_length=200, db_index=True)
    identifier_type = models.CharField(max_length=40, choices=IDENTIFIER_TYPE_CHOICES)
    key_version = models.PositiveIntegerField(help_text="OPRF key version of the token")
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.SET_NULL, related_name="tokens"
    )
    first_seen_at = models.DateTimeField(default=timezone.now)
    # Not stored: the bare token a lookup found this row by (stored_token_rows sets it).
    bare_token: str

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(identifier_type__in=IdentifierType.values), name="token_type_known"
            ),
            models.UniqueConstraint(fields=["identifier_type", "token"], name="token_once_per_type"),
        ]

    def __str__(self) -> str:
        return f"{self.identifier_type}:{self.token[:12]}…"

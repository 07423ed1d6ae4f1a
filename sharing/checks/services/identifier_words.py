"""Identifier types as words in a sentence and as labels on a page, in the reader's language.

hubcore's IdentifierType labels are plain English (hubcore runs without Django); these are the
same words marked for translation, for the check explanation and the web pages."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hubcore.identifiers.types import IdentifierType

# Lower case, for the middle of a sentence ("by a shared phone number").
TYPE_WORDS: dict[str, str | Promise] = {
    IdentifierType.PHONE: _("phone number"),
    IdentifierType.EMAIL: _("email address"),
    IdentifierType.NATIONAL_ID: _("national id number"),
    IdentifierType.BUSINESS_LICENCE: _("business licence / vat number"),
    IdentifierType.BANK_ACCOUNT: _("bank account or payment card"),
    IdentifierType.PAYMENT_ACCOUNT: _("payment service account"),
    IdentifierType.STORE_URL: _("store url"),
    IdentifierType.SHIPPING_ADDRESS: _("shipping address"),
    IdentifierType.NAME: _("name"),
    IdentifierType.DEVICE_ID: _("device id"),
    IdentifierType.PERSON: _("person (full name + date of birth)"),
    IdentifierType.REGISTERED_ADDRESS: _("registered address (street address + postcode + country)"),
}

# As a label on a form or in a table.
TYPE_LABELS: dict[str, str | Promise] = {
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
}


def type_word(identifier_type: str) -> str:
    """The type as a lower-case word for a sentence, in the active language."""
    return str(TYPE_WORDS[identifier_type])


def type_label(identifier_type: str) -> str:
    """The type as a label, in the active language."""
    return str(TYPE_LABELS[identifier_type])

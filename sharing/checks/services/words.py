"""The hub's codes as words in the reader's language: identifier types in a sentence and as labels,
levels, recommended actions, dispute states and the action policy.

hubcore's IdentifierType labels are plain English (hubcore runs without Django); these are the
same words marked for translation, for the check explanation and the web pages."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext, pgettext
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


LEVELS = {
    "none": _("Not listed"),
    "reported": _("Reported"),
    "listed": _("Listed"),
    "confirmed": _("Confirmed"),
}
# The badge class of each level on the page: a warning for a single report, danger once listed.
LEVEL_BADGES = {
    "none": "badge-ok",
    "reported": "badge-warn",
    "listed": "badge-danger",
    "confirmed": "badge-danger",
}
ACTIONS = {
    "allow": _("Allow"),
    "review": _("Review before acting"),
    "block": _("Block"),
}
VERIFICATION_LEVELS = {
    "self_declared": _("Self-declared"),
    "rights_owner_verified": _("Verified by the rights owner"),
    "platform_enforcement": _("Platform enforcement"),
    "administrative_decision": _("Administrative decision"),
    "court_judgment": _("Court judgment"),
}
CATEGORIES = {
    "counterfeit": _("Counterfeit"),
    "piracy": _("Piracy"),
    "design_copy": _("Design copy"),
    "grey_market": _("Grey market"),
    "other": _("Other"),
}
DISPUTE_STATES = {
    "open": _("Open: waiting for the reporter"),
    "answered": _("Answered: the operator decides"),
    "upheld": _("Upheld: the reports stand"),
    "overturned": _("Overturned: the reports were unfounded"),
    "lapsed": _("Lapsed: no answer in time, reports suspended"),
}


def level_label(level: str) -> str:
    return str(LEVELS.get(level, level))


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def dispute_state_label(state: str) -> str:
    return str(DISPUTE_STATES.get(state, state))


def policy_summary(policy: dict) -> str:
    """The organisation's action policy in one sentence, in the reader's language."""
    text = ngettext(
        "Block at %(strikes)d live report within %(months)d months",
        "Block at %(strikes)d live reports within %(months)d months",
        policy["strikes"],
    ) % {"strikes": policy["strikes"], "months": policy["window_months"]}
    one_strike = [str(VERIFICATION_LEVELS.get(v, v)) for v in policy["one_strike_verification_levels"]]
    one_strike += [str(CATEGORIES.get(c, c)) for c in policy["one_strike_categories"]]
    if one_strike:
        separator = pgettext("between items of a list", ", ")
        text += gettext("; one report is enough for: %(which)s") % {"which": separator.join(one_strike)}
    return text + gettext("; any other match: review.")

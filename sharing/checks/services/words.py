"""The hub's codes as words in the reader's language: identifier types in a sentence and as labels,
levels, recommended actions, dispute states and the action policy.

hubcore's IdentifierType labels are plain English (hubcore runs without Django); the translated
labels are sharing.models.identifiers.IDENTIFIER_TYPE_LABELS, used here and by the check explanation."""

from __future__ import annotations

from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from hubcore.identifiers.types import IdentifierType
from sharing.models.identifiers import IDENTIFIER_TYPE_LABELS
from sharing.models.reports import Category, VerificationLevel


def type_word(identifier_type: str) -> str:
    """The type as a lower-case word for a sentence, in the active language."""
    return type_label(identifier_type).lower()


def type_label(identifier_type: str) -> str:
    """The type as a label, in the active language (the one catalogue of them: sharing.models.identifiers)."""
    return str(IDENTIFIER_TYPE_LABELS[IdentifierType(identifier_type)])


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
# What a courier does with a parcel at pick-up (sharing/checks/services/parcels.parcel_action).
PARCEL_ACTIONS = {
    "hold_for_inspection": _("Hold for inspection"),
    "accept": pgettext_lazy("parcel action", "Accept"),
}
# The words of a report's choices are the model's own (one catalogue).
VERIFICATION_LEVELS = dict(VerificationLevel.choices)
CATEGORIES = dict(Category.choices)
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


def parcel_action_label(action: str | None) -> str:
    return str(PARCEL_ACTIONS.get(action, action)) if action else ""


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

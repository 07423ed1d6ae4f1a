"""One identifier checked as a report form is filled in: valid or not, and under which country's rules.

The same normaliser the report service tokenises with (hubcore), and the same default country
(the organisation's own; for a phone number with none, the normaliser's fallback). Nothing is
tokenised, stored or audited: the value goes back only as its canonical form, to the member who
typed it, so the form can show what the hub will record.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hubcore.identifiers.composites import is_composite
from hubcore.identifiers.errors import IdentifierInvalid
from hubcore.identifiers.normalise import normalise
from hubcore.identifiers.phones import FALLBACK_REGION
from hubcore.identifiers.types import IdentifierType
from sharing.models.identifiers import IDENTIFIER_TYPE_LABELS
from sharing.subjects.services.identifier_problems import problem_text

# The types whose rules depend on a country; the form offers a country chooser for these.
COUNTRY_TYPES = frozenset(
    {
        IdentifierType.PHONE,
        IdentifierType.NATIONAL_ID,
        IdentifierType.BUSINESS_LICENCE,
        IdentifierType.BANK_ACCOUNT,
        IdentifierType.PAYMENT_ACCOUNT,
    }
)

# Types a page takes as one line of text (a composite's value is an object: the API takes those).
TEXT_TYPES = [kind for kind in IdentifierType if not is_composite(kind)]

# The translated labels of the types (one catalogue: sharing.models.identifiers).
TYPE_LABELS = IDENTIFIER_TYPE_LABELS

# The countries a reporter picks from; the organisation's own is the default when none is chosen.
COUNTRY_CHOICES: list[tuple[str, str | Promise]] = [
    ("CN", _("China (mainland)")),
    ("HK", _("Hong Kong SAR")),
    ("MO", _("Macao SAR")),
    ("TW", _("Taiwan")),
    ("SG", _("Singapore")),
    ("MY", _("Malaysia")),
    ("JP", _("Japan")),
    ("KR", _("South Korea")),
    ("US", _("United States")),
    ("GB", _("United Kingdom")),
    ("DE", _("Germany")),
    ("FR", _("France")),
    ("IT", _("Italy")),
    ("ES", _("Spain")),
    ("NL", _("Netherlands")),
]


# hubcore is free of Django, so its messages are not marked there; the ones a reporter meets most,
# in the reader's language here (any other stays in English, never with the value in it).


@dataclass(frozen=True)
class IdentifierVerdict:
    valid: bool
    # The country whose rules were applied; "" for a type without country rules.
    country: str
    # Valid: the canonical form the hub records (shown to its author only); invalid: "".
    normalised: str
    message: str

    def as_json(self) -> dict:
        return {
            "valid": self.valid,
            "country": self.country,
            "normalised": self.normalised,
            "message": self.message,
        }


def identifier_verdict(
    *, identifier_type: str, value: str, country: str, default_country: str
) -> IdentifierVerdict:
    """Check one typed identifier as the report service would; the message never repeats the value."""
    if identifier_type not in TEXT_TYPES:
        return IdentifierVerdict(False, "", "", gettext("Choose an identifier type."))
    if not value.strip():
        return IdentifierVerdict(False, "", "", gettext("Enter the identifier."))
    chosen = (country or default_country or "").upper()
    try:
        canonical = normalise(identifier_type, value, default_country=chosen or None)
    except IdentifierInvalid as exc:
        applied = _applied_country(identifier_type, chosen, "")
        return IdentifierVerdict(
            False,
            applied,
            "",
            _with_country(problem_text(exc), applied, valid=False),
        )
    applied = _applied_country(identifier_type, chosen, canonical.value)
    return IdentifierVerdict(True, applied, canonical.value, _with_country("", applied, valid=True))


def _applied_country(identifier_type: str, chosen: str, canonical: str) -> str:
    """Whose rules decided: a phone number's own region, a "CC:" prefix, else the chosen or default country."""
    if identifier_type not in COUNTRY_TYPES:
        return ""
    if identifier_type == IdentifierType.PHONE:
        if canonical:
            return phonenumbers.region_code_for_number(phonenumbers.parse(canonical)) or chosen
        return chosen or FALLBACK_REGION
    prefix = canonical.split(":", 1)[0] if ":" in canonical else ""
    return prefix if len(prefix) == 2 and prefix.isalpha() else chosen


def _with_country(message: str, country: str, *, valid: bool) -> str:
    if valid:
        if country:
            return gettext("Valid under the rules of %(country)s.") % {"country": country_name(country)}
        return gettext("Valid.")
    if country:
        return gettext("Checked under the rules of %(country)s: %(problem)s") % {
            "country": country_name(country),
            "problem": message,
        }
    return message


def country_name(code: str) -> str:
    """A country's name in the reader's language when the form lists it, else its ISO code."""
    names = dict(COUNTRY_CHOICES)
    return f"{names[code]} ({code})" if code in names else code

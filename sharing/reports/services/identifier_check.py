"""One identifier checked as a form is filled in: valid or not, and under which country's rules.

The same normaliser the report service tokenises with (hubcore), and the same default country
(the organisation's own; for a phone number with none, the normaliser's fallback). Nothing is
tokenised, stored or audited: the value goes back only as its canonical form, to the member who
typed it, so the form can show what the hub will record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import phonenumbers
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hubcore.identifiers.composites import (
    COMPOSITE_FIELDS,
    FIELD_SEPARATOR,
    POSTCODE_COUNTRIES,
    CompositeInvalid,
    is_composite,
)
from hubcore.identifiers.errors import IdentifierInvalid
from hubcore.identifiers.normalise import normalise
from hubcore.identifiers.phones import FALLBACK_REGION
from hubcore.identifiers.types import IdentifierType
from sharing.models.identifiers import COMPOSITE_FIELD_LABELS, IDENTIFIER_TYPE_LABELS
from sharing.subjects.services.identifier_problems import observed_hint, problem_text

# The types whose rules depend on a country; the form offers a country chooser for these.
COUNTRY_TYPES = frozenset(
    {
        IdentifierType.PHONE,
        IdentifierType.NATIONAL_ID,
        IdentifierType.BUSINESS_LICENCE,
        IdentifierType.BANK_ACCOUNT,
        IdentifierType.PAYMENT_ACCOUNT,
        # Observed values take their country from a prefix or the chosen one, as their verified twins.
        IdentifierType.OBSERVED_NATIONAL_ID,
        IdentifierType.OBSERVED_BUSINESS_LICENCE,
        IdentifierType.OBSERVED_PHONE,
        IdentifierType.OBSERVED_BANK_ACCOUNT,
    }
)

# Types a page takes: a simple one as one line of text, a composite one (person, registered address) as
# its named fields (COMPOSITE_FIELDS), which the page sends as the object the API takes.
FORM_TYPES = list(IdentifierType)

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


@dataclass(frozen=True)
class IdentifierVerdict:
    valid: bool
    # The country whose rules were applied; "" for a type without country rules.
    country: str
    # Valid: the canonical form the hub records (shown to its author only); invalid: "".
    normalised: str
    message: str
    # A composite's bad fields: field name -> its message, led by the field's label.
    fields: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "valid": self.valid,
            "country": self.country,
            "normalised": self.normalised,
            "message": self.message,
            "fields": self.fields,
        }


def identifier_verdict(
    *, identifier_type: str, value: str | Mapping[str, str], country: str, default_country: str
) -> IdentifierVerdict:
    """Check one typed identifier as the report service would; the message never repeats the value.
    A composite type's value is its fields ({name: text}); a simple type's is text."""
    if identifier_type not in FORM_TYPES:
        return IdentifierVerdict(False, "", "", gettext("Choose an identifier type."))
    if is_composite(IdentifierType(identifier_type)):
        return _composite_verdict(IdentifierType(identifier_type), value)
    if not isinstance(value, str):
        return IdentifierVerdict(False, "", "", gettext("Enter the identifier."))
    if not value.strip():
        return IdentifierVerdict(False, "", "", gettext("Enter the identifier."))
    chosen = (country or default_country or "").upper()
    try:
        canonical = normalise(identifier_type, value, default_country=chosen or None)
    except IdentifierInvalid as exc:
        applied = _applied_country(identifier_type, chosen, "")
        message = _with_country(problem_text(exc), applied, valid=False)
        # A verified type with an observed twin: how to record the value as seen, by the type's label
        # (the page's type chooser shows labels; the API's message names the code instead).
        hint = observed_hint(identifier_type, labelled=True)
        return IdentifierVerdict(False, applied, "", f"{message} {hint}" if hint else message)
    applied = _applied_country(identifier_type, chosen, canonical.value)
    return IdentifierVerdict(True, applied, canonical.value, _with_country("", applied, valid=True))


def _composite_verdict(kind: IdentifierType, value: object) -> IdentifierVerdict:
    """A person or a registered address: each bad field with its own message, and for an address
    whose postcode rules were applied (its own country's where hubcore knows them)."""
    names = COMPOSITE_FIELDS[kind]
    given = (
        {
            name: text
            for name, text in value.items()
            if name in names and isinstance(text, str) and text.strip()
        }
        if isinstance(value, Mapping)
        else {}
    )
    if not given:
        return IdentifierVerdict(False, "", "", gettext("Enter the identifier's fields."))
    country = given.get("country", "").strip().upper() if kind == IdentifierType.REGISTERED_ADDRESS else ""
    applied = country if country in POSTCODE_COUNTRIES else ""
    try:
        canonical = normalise(kind, given)
    except CompositeInvalid as exc:
        problems = {
            name: field_problem(name, problem_text(problem)) for name, problem in exc.problems.items()
        }
        summary = gettext("Correct the fields marked.")
        return IdentifierVerdict(False, applied, "", _with_country(summary, applied, valid=False), problems)
    except IdentifierInvalid as exc:
        return IdentifierVerdict(False, applied, "", problem_text(exc))
    shown = canonical.value.replace(FIELD_SEPARATOR, " · ")  # the separator is invisible on a page
    if kind == IdentifierType.REGISTERED_ADDRESS and not applied:
        message = gettext(
            "Valid. No postcode format is known for %(country)s: the postcode was checked as 2 to 10 letters or digits."
        ) % {"country": country_name(country)}
        return IdentifierVerdict(True, "", shown, message)
    return IdentifierVerdict(True, applied, shown, _with_country("", applied, valid=True))


def field_problem(name: str, message: str) -> str:
    """A composite field's message (already in the reader's language) led by the field's label:
    "Date of birth: Give the date ..."."""
    label = COMPOSITE_FIELD_LABELS.get(name, name)
    return gettext("%(field)s: %(problem)s") % {"field": label, "problem": message}


def _applied_country(identifier_type: str, chosen: str, canonical: str) -> str:
    """Whose rules decided: a phone number's own region, a "CC:" prefix, else the chosen or default country."""
    if identifier_type not in COUNTRY_TYPES:
        return ""
    if identifier_type == IdentifierType.PHONE:
        if canonical:
            return phonenumbers.region_code_for_number(phonenumbers.parse(canonical)) or chosen
        return chosen or FALLBACK_REGION
    if identifier_type == IdentifierType.OBSERVED_PHONE:
        if canonical.startswith("+"):
            # An invalid number has no region of its own: the main one of its country calling code.
            try:
                number = phonenumbers.parse(canonical)
            except phonenumbers.NumberParseException:
                return ""  # a calling code libphonenumber does not know ("+999…")
            region = phonenumbers.region_code_for_number(number) or phonenumbers.region_code_for_country_code(
                number.country_code or 0
            )
            return "" if region == phonenumbers.UNKNOWN_REGION else region
        # Bare digits: no country was known; an invalid value was checked in the chosen one, if any.
        return "" if canonical else chosen
    if canonical.startswith("IBAN:"):
        return canonical[5:7]  # an IBAN names its country
    if canonical.startswith("CARD:"):
        return ""  # a card number has no country rules
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

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
    _POSTCODE_PATTERNS,  # whose postcode rules hubcore knows; hubcore has no public name for it yet
    COMPOSITE_FIELDS,
    FIELD_SEPARATOR,
    CompositeInvalid,
    is_composite,
)
from hubcore.identifiers.errors import IdentifierInvalid
from hubcore.identifiers.normalise import normalise
from hubcore.identifiers.phones import FALLBACK_REGION
from hubcore.identifiers.types import IdentifierType
from sharing.models.identifiers import COMPOSITE_FIELD_LABELS, IDENTIFIER_TYPE_LABELS

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


# hubcore is free of Django, so its messages are not marked there; the ones a reporter meets most,
# in the reader's language here (any other stays in English, never with the value in it).
_PROBLEMS: dict[str, str | Promise] = {
    "Not a valid phone number for the country given.": _("Not a valid phone number for the country given."),
    "Unsupported bank account prefix; use IBAN:, CARD: or CN:.": _(
        "Unsupported bank account prefix; use IBAN:, CARD: or CN:."
    ),
    "A bank account must be an IBAN or consist of digits only.": _(
        "A bank account must be an IBAN or consist of digits only."
    ),
    "The IBAN's check digits do not match.": _("The IBAN's check digits do not match."),
    "Not a valid IBAN: its country, length or layout is wrong.": _(
        "Not a valid IBAN: its country, length or layout is wrong."
    ),
    "A card number has 13 to 19 digits.": _("A card number has 13 to 19 digits."),
    "Give the country of the national ID (for example as a 'CN:' prefix).": _(
        "Give the country of the national ID (for example as a 'CN:' prefix)."
    ),
    "A VAT number must start with the two-letter code of an EU country or GB.": _(
        "A VAT number must start with the two-letter code of an EU country or GB."
    ),
    "The email address has no mailbox name once its +tag or dots are removed.": _(
        "The email address has no mailbox name once its +tag or dots are removed."
    ),
    "The shop id is not well-formed for that marketplace.": _(
        "The shop id is not well-formed for that marketplace."
    ),
    "The payment account is empty after its provider prefix.": _(
        "The payment account is empty after its provider prefix."
    ),
    "A store URL must be a web address (http or https).": _(
        "A store URL must be a web address (http or https)."
    ),
    "The store URL is malformed.": _("The store URL is malformed."),
    "The store URL has no host name.": _("The store URL has no host name."),
    # A composite's fields (hubcore.identifiers.composites).
    "This field is required.": _("This field is required."),
    "This field must be text.": _("This field must be text."),
    "Give the date of birth as YYYY-MM-DD.": _("Give the date of birth as YYYY-MM-DD."),
    "The date of birth is not a calendar date.": _("The date of birth is not a calendar date."),
    "The date of birth must be between 1900-01-01 and today.": _(
        "The date of birth must be between 1900-01-01 and today."
    ),
    "Give the country as an ISO 3166-1 alpha-2 code, e.g. CN.": _(
        "Give the country as an ISO 3166-1 alpha-2 code, e.g. CN."
    ),
    "A postcode is 2 to 10 letters or digits.": _("A postcode is 2 to 10 letters or digits."),
    "The full name has no letters or digits.": _("The full name has no letters or digits."),
    "The street address has no letters or digits.": _("The street address has no letters or digits."),
}


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
        return IdentifierVerdict(
            False,
            applied,
            "",
            _with_country(problem_text(exc.message), applied, valid=False),
        )
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
    applied = country if country in _POSTCODE_PATTERNS else ""
    try:
        canonical = normalise(kind, given)
    except CompositeInvalid as exc:
        problems = {name: field_problem(name, message) for name, message in exc.fields.items()}
        summary = gettext("Correct the fields marked.")
        return IdentifierVerdict(False, applied, "", _with_country(summary, applied, valid=False), problems)
    except IdentifierInvalid as exc:
        return IdentifierVerdict(False, applied, "", problem_text(exc.message))
    shown = canonical.value.replace(FIELD_SEPARATOR, " · ")  # the separator is invisible on a page
    if kind == IdentifierType.REGISTERED_ADDRESS and not applied:
        message = gettext(
            "Valid. No postcode format is known for %(country)s: the postcode was checked as 2 to 10 letters or digits."
        ) % {"country": country_name(country)}
        return IdentifierVerdict(True, "", shown, message)
    return IdentifierVerdict(True, applied, shown, _with_country("", applied, valid=True))


def problem_text(message: str) -> str:
    """A hubcore message in the reader's language where it is catalogued here, else as hubcore gave it."""
    return str(_PROBLEMS.get(message, message))


def field_problem(name: str, message: str) -> str:
    """A composite field's message led by the field's label: "Date of birth: Give the date ..."."""
    label = COMPOSITE_FIELD_LABELS.get(name, name)
    return gettext("%(field)s: %(problem)s") % {"field": label, "problem": problem_text(message)}


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

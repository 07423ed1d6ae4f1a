"""Composite identifiers: several weak fields that together single out one person or one address.

A composite value arrives as an object of named fields, e.g.
``{"full_name": "张伟", "date_of_birth": "1985-03-02"}``. Its canonical form is the canonical
form of each field, in the order of the composite's FIELDS, joined by U+001F (the ASCII unit
separator, which no canonical field can contain). Each field:

- full_name, street_address: free text (NFKC, case folding, punctuation and symbols to
  spaces, whitespace collapsed, spaces next to CJK characters dropped), as the ``name`` type;
- date_of_birth: ISO 8601 YYYY-MM-DD; year-month-day written with "-", "/", "." or 年月日
  (full-width digits included) is accepted, day-first and month-first forms are refused as ambiguous;
- country: ISO 3166-1 alpha-2, upper case;
- postcode: upper-case letters and digits only (spaces and hyphens dropped), checked against
  the country's pattern where one is known; a US ZIP+4 keeps its five-digit ZIP only.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping

import phonenumbers

from hubcore.identifiers.errors import IdentifierInvalid, gettext_noop
from hubcore.identifiers.text import normalise_free_text, text_checked
from hubcore.identifiers.types import IdentifierType

FIELD_SEPARATOR = "\x1f"
FIELD_MAX_LENGTH = 500
_EARLIEST_BIRTH = datetime.date(1900, 1, 1)
_YEAR_FIRST_DATE = re.compile(r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?")
# Postcode patterns where the country has one well-known format (after dropping spaces and hyphens).
_POSTCODE_PATTERNS: dict[str, re.Pattern] = {
    country: re.compile(pattern)
    for country, pattern in {
        "CN": r"\d{6}",
        "IN": r"\d{6}",
        "RU": r"\d{6}",
        "SG": r"\d{6}",
        "DE": r"\d{5}",
        "FR": r"\d{5}",
        "IT": r"\d{5}",
        "ES": r"\d{5}",
        "KR": r"\d{5}",
        "MX": r"\d{5}",
        "TW": r"\d{3}(?:\d{2,3})?",
        "JP": r"\d{7}",
        "NL": r"\d{4}[A-Z]{2}",
        "CA": r"[A-Z]\d[A-Z]\d[A-Z]\d",
        "US": r"\d{5}(?:\d{4})?",
        "GB": r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}",
    }.items()
}
# The countries whose postcode format is checked (any other: 2 to 10 letters or digits).
POSTCODE_COUNTRIES: frozenset[str] = frozenset(_POSTCODE_PATTERNS)
_FIELD_NAME = re.compile(r"[a-z_]{1,40}")
_POSTCODE_GENERIC = re.compile(r"[A-Z0-9]{2,10}")
# ISO 3166-1 alpha-2 codes as phonenumbers knows them, less its non-country regions.
_COUNTRIES = frozenset(phonenumbers.SUPPORTED_REGIONS) - {"AC", "TA", "XK"}


class CompositeInvalid(IdentifierInvalid):
    """One or more fields of a composite are invalid; ``problems`` maps each field to its error."""

    def __init__(self, problems: dict[str, IdentifierInvalid]):
        super().__init__(gettext_noop("Some fields of the identifier are invalid."))
        self.problems = problems

    @property
    def fields(self) -> dict[str, str]:
        """Each field's problem in English (hubctl; the hub translates ``problems``)."""
        return {name: problem.message for name, problem in self.problems.items()}


def normalise_date_of_birth(text: str) -> str:
    """A year-first date as ISO 8601 YYYY-MM-DD, between 1900-01-01 and today."""
    match = _YEAR_FIRST_DATE.fullmatch(text)
    if match is None:
        raise IdentifierInvalid(gettext_noop("Give the date of birth as YYYY-MM-DD."))
    try:
        born = datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise IdentifierInvalid(gettext_noop("The date of birth is not a calendar date.")) from None
    if not _EARLIEST_BIRTH <= born <= datetime.date.today():
        raise IdentifierInvalid(gettext_noop("The date of birth must be between 1900-01-01 and today."))
    return born.isoformat()


def normalise_country(text: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper case."""
    code = text.upper()
    if code not in _COUNTRIES:
        raise IdentifierInvalid(gettext_noop("Give the country as an ISO 3166-1 alpha-2 code, e.g. CN."))
    return code


def normalise_postcode(text: str, country: str | None) -> str:
    """Letters and digits only, upper case, checked against the country's format where known."""
    code = re.sub(r"[\s\-]", "", text.upper())
    pattern = _POSTCODE_PATTERNS.get(country or "", _POSTCODE_GENERIC)
    if not pattern.fullmatch(code):
        if country in _POSTCODE_PATTERNS:
            raise IdentifierInvalid(
                gettext_noop("The postcode is not in the format of %(country)s."), country=country
            )
        raise IdentifierInvalid(gettext_noop("A postcode is 2 to 10 letters or digits."))
    return code[:5] if country == "US" else code  # ZIP+4 is quoted inconsistently; the ZIP is not


FieldNormaliser = Callable[[str, "dict[str, str]"], str]

# Each composite's fields in canonical order, with the normaliser of each; a normaliser sees the
# fields normalised before it (the postcode reads the country, so country comes first).
COMPOSITE_FIELDS: dict[IdentifierType, dict[str, FieldNormaliser]] = {
    IdentifierType.PERSON: {
        "full_name": lambda text, _: normalise_free_text(text, what=gettext_noop("full name")),
        "date_of_birth": lambda text, _: normalise_date_of_birth(text),
    },
    IdentifierType.REGISTERED_ADDRESS: {
        "country": lambda text, _: normalise_country(text),
        "postcode": lambda text, done: normalise_postcode(text, done.get("country")),
        "street_address": lambda text, _: normalise_free_text(text, what=gettext_noop("street address")),
    },
}
# A pick-up address has a registered address's fields and canonical form, in its own PRF domain.
COMPOSITE_FIELDS[IdentifierType.PICKUP_ADDRESS] = dict(COMPOSITE_FIELDS[IdentifierType.REGISTERED_ADDRESS])


def is_composite(identifier_type: IdentifierType) -> bool:
    return identifier_type in COMPOSITE_FIELDS


# Flat inputs (CSV columns, command-line arguments) name a composite's field as "<type>.<field>".
COMPOSITE_COLUMNS: frozenset[str] = frozenset(
    f"{kind.value}.{name}" for kind, fields in COMPOSITE_FIELDS.items() for name in fields
)
SIMPLE_TYPES: tuple[str, ...] = tuple(kind.value for kind in IdentifierType if kind not in COMPOSITE_FIELDS)


def composites_from_columns(cells: Mapping[str, str]) -> list[dict]:
    """Raw identifiers {type, value} from "<type>.<field>" cells; blank cells are fields not given."""
    grouped: dict[str, dict[str, str]] = {}
    for column, cell in cells.items():
        kind, _, name = column.partition(".")
        if column in COMPOSITE_COLUMNS and cell.strip():
            grouped.setdefault(kind, {})[name] = cell
    return [{"type": kind, "value": fields} for kind, fields in grouped.items()]


def normalise_composite(identifier_type: IdentifierType, value: object) -> str:
    """The canonical form of a composite value; CompositeInvalid names every bad field."""
    fields = COMPOSITE_FIELDS[identifier_type]
    names = ", ".join(fields)
    if not isinstance(value, Mapping):
        raise IdentifierInvalid(
            gettext_noop("The type %(type)s takes an object with the fields %(names)s."),
            type=identifier_type.value,
            names=names,
        )
    # A key may itself be personal data mistyped into the wrong place: only tidy names are echoed.
    errors = {
        key if isinstance(key, str) and _FIELD_NAME.fullmatch(key) else "unknown_field": IdentifierInvalid(
            gettext_noop("Unknown field; the type %(type)s has %(names)s."),
            type=identifier_type.value,
            names=names,
        )
        for key in value
        if key not in fields
    }
    done: dict[str, str] = {}
    for name, field_normaliser in fields.items():
        try:
            done[name] = field_normaliser(_prepared_field(value.get(name)), done)
        except IdentifierInvalid as exc:
            errors[name] = exc
    if errors:
        raise CompositeInvalid(errors)
    return FIELD_SEPARATOR.join(done[name] for name in fields)


def _prepared_field(value: object) -> str:
    """Check one field's type and length; apply NFKC and strip it."""
    if value is None:
        raise IdentifierInvalid(gettext_noop("This field is required."))
    if not isinstance(value, str):
        raise IdentifierInvalid(gettext_noop("This field must be text."))
    return text_checked(value, max_length=FIELD_MAX_LENGTH, subject=gettext_noop("This field"))

"""Observed identifiers: a value as seen on a parcel or a sender account, kept even when it fails validation.

A logistics report may carry an ID number with a wrong check digit or a phone number of the wrong
length: fabricated, mistyped or half-remembered. Such a value cannot be tokenised as a `national_id`
or a `phone` (those normalisers refuse it), yet a gang that prints one fake value on many parcels is
linked by it. So each verified type has an `observed_` twin with a lenient canonical form.

One rule comes first: a value the verified normaliser accepts gets the verified canonical form (written
as the observed form requires), so every spelling the verified type unifies is unified here too. Any
other value is read leniently:

- national ID and business licence: "<CC>:<letters and digits>", country from a "CC:", "CC-" or
  "CC " prefix (a space only after a country libphonenumber knows) or else the default country. A
  business licence of the Chinese unified social credit code's shape is CN without one, and a VAT
  number, labelled ("VAT:DE136695976") or not ("DE136695976"), takes the country from its first two
  letters ("DE:136695976"; GR is written EL and XI GB, as the verified normaliser does);
- phone: "+<country code><national significant number>" as libphonenumber parses it in its country,
  from a "+" or "00" prefix or else the default country; the parse drops a national trunk prefix
  ("0", "(0)"), so "+44 (0)20 …" and "020 …" read in GB meet, and is repeated until no prefix is
  left, so the canonical value reads as itself. Zeros right after "+" or "00" are dropped (no calling
  code starts with 0). The bare digits as written only when nothing names a country;
- bank account: "IBAN:<letters and digits>" for an IBAN (labelled or IBAN-shaped), "CARD:<digits>"
  for a card (labelled, or 13 to 19 digits passing Luhn, or UnionPay's 62 range of 16 to 19 digits),
  else "<CC>:<digits>" with the country from a "CC:" prefix or the default country. One string of
  digits as a card, a Chinese account and a German account are three identifiers.

Before that, every value is NFKC-folded (full-width to ASCII), upper-cased, and spaces, hyphens, dots,
slashes and parentheses are dropped. Nothing is checked but the characters and the length.

A VALID value recorded as observed stays observed. It may be a real person's identity, stolen and
printed on a fake sender's parcel; the hub never links an unverified sighting to a real person. The
type is part of the token's PRF input (type || 0x00 || canonical), so `observed_national_id` of a
valid ID yields a different token from its `national_id`, even where both canonical strings agree:
a sighting never matches, links to or reveals a verified identifier, and the same sighting seen
again (a fake sender reusing the value) matches itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import phonenumbers
from stdnum import luhn

from hubcore.identifiers.banking import normalise_bank_account
from hubcore.identifiers.documents import (
    VAT_PREFIXES,
    normalise_business_licence,
    normalise_national_id,
)
from hubcore.identifiers.errors import IdentifierInvalid, gettext_noop
from hubcore.identifiers.phones import normalise_phone
from hubcore.identifiers.text import split_country_prefix

Normaliser = Callable[[str, "str | None"], str]

# Separators a person types or a label prints between groups of characters.
_SEPARATORS = re.compile(r"[\s\-./()\u2010-\u2015]")
_ALNUM = re.compile(r"[0-9A-Z]+")
_DIGITS = re.compile(r"[0-9]+")
_USCC_SHAPE = re.compile(r"\d{8}[0-9A-Z]{10}")
_BANK_LABEL = re.compile(r"(IBAN|CARD)\s*:?\s*(.*)", re.I | re.S)
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]+")
_VAT_START = re.compile(r"([A-Za-z]{2})\s*(?=[0-9A-Za-z])")  # as in documents.py
# The VAT prefixes the business_licence normaliser folds onto one registration: Greece's ISO code GR
# onto its official EL, Northern Ireland's XI onto the UK's GB.
_VAT_COUNTRY = {"GR": "EL", "XI": "GB"}

# Bounds wide enough for every real number of the kind and for mistyped ones, narrow enough to refuse
# a pasted paragraph: national IDs run 5 (short IDs) to 20 characters, business numbers up to 20
# (India's GSTIN is 15, a USCC 18), IBANs up to 34, E.164 numbers 15 digits (a prefix or a typo more).
_ID_LENGTH = (4, 30)
_BANK_LENGTH = (6, 40)
_PHONE_LENGTH = (5, 20)


def _compact(text: str) -> str:
    """Upper-case and drop the separators (the caller already applied NFKC and stripped the value)."""
    return _SEPARATORS.sub("", text).upper()


def _characters(number: str, *, what: str, bounds: tuple[int, int]) -> str:
    """Check an observed number's characters (letters and digits) and length; return it."""
    if number and not _ALNUM.fullmatch(number):
        raise IdentifierInvalid(
            gettext_noop(
                "An observed %(what)s may contain only letters and digits (spaces, hyphens, dots, "
                "slashes and parentheses are ignored)."
            ),
            what=what,
        )
    low, high = bounds
    if not low <= len(number) <= high:
        raise IdentifierInvalid(
            gettext_noop("An observed %(what)s must have %(low)s to %(high)s letters and digits."),
            what=what,
            low=low,
            high=high,
        )
    if not any(ch.isdigit() for ch in number):
        raise IdentifierInvalid(gettext_noop("An observed %(what)s must contain digits."), what=what)
    return number


def _with_country(country: str | None, number: str, *, what: str) -> str:
    """Join a country code and a number as "CC:<number>", or say that the country is missing."""
    if country is None:
        raise IdentifierInvalid(
            gettext_noop("Give the country of the observed %(what)s (for example as a 'CN:' prefix)."),
            what=what,
        )
    return f"{country}:{number}"


def _verified(normaliser: Normaliser, text: str, default_country: str | None) -> str | None:
    """The verified normaliser's canonical form of the value, or None if it refuses the value."""
    try:
        return normaliser(text, default_country)
    except IdentifierInvalid:
        return None


def normalise_observed_national_id(text: str, default_country: str | None = None) -> str:
    """Return "CC:<letters and digits>" for an ID number as seen, valid or not."""
    # A valid ID's canonical form is the verified one ("CC:<compact>"), so every spelling the
    # national_id normaliser unifies (a 15-digit Chinese ID and its 18-digit form) is unified here.
    verified = _verified(normalise_national_id, text, default_country)
    if verified is not None:
        return verified
    what = gettext_noop("national ID")
    prefix, number = split_country_prefix(text, space=True)
    number = _characters(_compact(number), what=what, bounds=_ID_LENGTH)
    return _with_country(prefix or default_country, number, what=what)


def normalise_observed_business_licence(text: str, default_country: str | None = None) -> str:
    """Return "CC:<letters and digits>" for a business registration number as seen, valid or not."""
    verified = _verified(normalise_business_licence, text, default_country)
    if verified is not None:
        # "VAT:DE136695976" is "DE:136695976" here; "CN:<USCC>" and "CC:<number>" are kept.
        return f"{verified[4:6]}:{verified[6:]}" if verified.startswith("VAT:") else verified
    what = gettext_noop("business licence number")
    prefix: str | None
    vat = re.match(r"VAT\s*:\s*(.*)", text, re.I | re.S)
    if vat:
        number = _compact(vat[1])
        if not re.match(r"[A-Z]{2}", number):
            raise IdentifierInvalid(
                gettext_noop("A VAT number must start with the two-letter code of its country.")
            )
        prefix, number = number[:2], number[2:]
    else:
        prefix, number = split_country_prefix(text, space=True)
        start = _VAT_START.match(number) if prefix is None else None
        if start and start[1].upper() in VAT_PREFIXES:
            # An unlabelled VAT number ("DE136695976") starts with its country's code, as the
            # business_licence normaliser reads it.
            prefix, number = start[1].upper(), number[start.end() :]
    number = _characters(_compact(number), what=what, bounds=_ID_LENGTH)
    if prefix is None and _USCC_SHAPE.fullmatch(number):
        # The Chinese unified social credit code's shape is recognised without a country, as in
        # normalise_business_licence, so a Chinese licence number reaches one canonical form.
        prefix = "CN"
    prefix = _VAT_COUNTRY.get(prefix, prefix) if prefix else prefix
    return _with_country(prefix or default_country, number, what=what)


def normalise_observed_bank_account(text: str, default_country: str | None = None) -> str:
    """Return "IBAN:<iban>", "CARD:<digits>" or "CC:<digits>" for an account number as seen, valid or not.

    The label keeps apart what the verified bank_account normaliser keeps apart: one string of digits
    as a card number, a Chinese account and a German account are three identifiers.
    """
    verified = _verified(normalise_bank_account, text, default_country)
    if verified is not None:
        return verified
    what = gettext_noop("bank account number")
    labelled = _BANK_LABEL.fullmatch(text)
    if labelled:
        label, body = labelled[1].upper(), labelled[2]
    else:
        label, body = split_country_prefix(text)
    number = _characters(_compact(body), what=what, bounds=_BANK_LENGTH)
    if label == "IBAN" or (label is None and _IBAN_SHAPE.fullmatch(number)):
        return "IBAN:" + number
    if not number.isdigit():
        raise IdentifierInvalid(
            gettext_noop("An observed bank account number must be an IBAN or consist of digits only.")
        )
    if label == "CARD" or _card_shaped(number):
        return "CARD:" + number
    return _with_country(label or default_country, number, what=what)


def _card_shaped(number: str) -> bool:
    """A card number as the bank_account normaliser sees one: 13 to 19 digits passing Luhn, or in
    UnionPay's range (62, 16 to 19 digits), where a failing check digit is a mistyped card."""
    if 13 <= len(number) <= 19 and luhn.is_valid(number):
        return True
    return number.startswith("62") and 16 <= len(number) <= 19


def normalise_observed_phone(text: str, default_country: str | None = None) -> str:
    """Return "+<country code><national number>" for a phone number as seen, else its digits.

    A number the phone normaliser accepts is its E.164 form. Any other is parsed by libphonenumber in
    its country (from a "+" or "00" prefix, else the default country), which drops a national trunk
    prefix ("0", "(0)") as it does for valid numbers, so "+44 (0)20 …" and "020 …" read in GB meet.
    Only when nothing names a country are the digits kept as written.
    """
    verified = _verified(normalise_phone, text, default_country)
    if verified is not None:
        return verified
    compact = _SEPARATORS.sub("", text)
    international = compact.startswith("+") or compact.startswith("00")
    digits = compact[1:] if compact.startswith("+") else compact[2:] if international else compact
    if international:
        # No calling code starts with 0: zeros after "+" or "00" are an international prefix typed
        # twice ("+0086 …") or a longer one ("000", as dialled in Kenya and Tanzania).
        digits = digits.lstrip("0")
    if not _DIGITS.fullmatch(digits):
        raise IdentifierInvalid(
            gettext_noop(
                "An observed phone number may contain only digits and a leading '+' (spaces, hyphens, "
                "dots, slashes and parentheses are ignored)."
            )
        )
    low, high = _PHONE_LENGTH
    if not low <= len(digits) <= high:
        raise IdentifierInvalid(
            gettext_noop("An observed phone number must have %(low)s to %(high)s digits."), low=low, high=high
        )
    if international:
        placed = _in_country("+" + digits, None) or "+" + digits
    elif default_country is None:
        return digits
    elif not (code := phonenumbers.country_code_for_region(default_country)):
        return digits  # a country libphonenumber does not know has no calling code to put in front
    else:
        # libphonenumber may refuse a national spelling it reads otherwise (JP's "010…" is its
        # international prefix): then the calling code goes in front of the digits as written.
        placed = (
            _in_country(digits, default_country)
            or _in_country(f"+{code}{digits}", None)
            or f"+{code}{digits}"
        )
    if not low <= len(placed) - 1 <= high:
        # Placed in its country (a calling code added, an international or trunk prefix dropped),
        # the number must still have a phone number's length.
        raise IdentifierInvalid(
            gettext_noop("An observed phone number must have %(low)s to %(high)s digits."), low=low, high=high
        )
    return placed


def _in_country(digits: str, region: str | None) -> str | None:
    """The number as "+<country code><national significant number>", as libphonenumber parses it.

    Valid or not. A trunk or carrier prefix is dropped again until none is left, so that the result
    reads as itself.
    """
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    placed = f"+{number.country_code}{phonenumbers.national_significant_number(number)}"
    return placed if region is None and placed == digits else _in_country(placed, None)

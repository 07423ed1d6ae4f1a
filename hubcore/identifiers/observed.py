"""Observed identifiers: a value as seen on a parcel or a sender account, kept even when it fails validation.

A logistics report may carry an ID number with a wrong check digit or a phone number of the wrong
length: fabricated, mistyped or half-remembered. Such a value cannot be tokenised as a `national_id`
or a `phone` (those normalisers refuse it), yet a gang that prints one fake value on many parcels is
linked by it. So each verified type has an `observed_` twin with a lenient canonical form:

- national ID and business licence: "<CC>:<letters and digits>", country from a "CC:" prefix or the
  default country (a business licence of the Chinese unified social credit code's shape is read as CN
  without one, as the verified normaliser does; a "VAT:" label takes the country from the number);
- phone: "+<digits>" when the value starts with "+" or "00", or when read in the default country
  (CN without one) it is a valid number (then its E.164 form); otherwise the bare digits as written;
- bank account: the letters and digits of the number, with an "IBAN:", "CARD:" or "CC:" label dropped.

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

import phonenumbers

from hubcore.identifiers.errors import IdentifierInvalid, gettext_noop
from hubcore.identifiers.phones import FALLBACK_REGION
from hubcore.identifiers.text import split_country_prefix

# Separators a person types or a label prints between groups of characters.
_SEPARATORS = re.compile(r"[\s\-./()\u2010-\u2015]")
_ALNUM = re.compile(r"[0-9A-Z]+")
_DIGITS = re.compile(r"[0-9]+")
_USCC_SHAPE = re.compile(r"\d{8}[0-9A-Z]{10}")
_BANK_LABEL = re.compile(r"(IBAN|CARD)\s*:?\s*(.*)", re.I | re.S)

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


def normalise_observed_national_id(text: str, default_country: str | None = None) -> str:
    """Return "CC:<letters and digits>" for an ID number as seen, valid or not."""
    what = gettext_noop("national ID")
    prefix, number = split_country_prefix(text)
    number = _characters(_compact(number), what=what, bounds=_ID_LENGTH)
    return _with_country(prefix or default_country, number, what=what)


def normalise_observed_business_licence(text: str, default_country: str | None = None) -> str:
    """Return "CC:<letters and digits>" for a business registration number as seen, valid or not."""
    what = gettext_noop("business licence number")
    vat = re.match(r"VAT\s*:\s*(.*)", text, re.I | re.S)
    if vat:
        # A VAT number starts with its country's code: "VAT:DE136695976" is "DE:136695976".
        number = _compact(vat[1])
        if not re.match(r"[A-Z]{2}", number):
            raise IdentifierInvalid(
                gettext_noop("A VAT number must start with the two-letter code of its country.")
            )
        return f"{number[:2]}:{_characters(number[2:], what=what, bounds=_ID_LENGTH)}"
    prefix, number = split_country_prefix(text)
    number = _characters(_compact(number), what=what, bounds=_ID_LENGTH)
    if prefix is None and _USCC_SHAPE.fullmatch(number):
        # The Chinese unified social credit code's shape is recognised without a country, as in
        # normalise_business_licence, so a Chinese licence number reaches one canonical form.
        prefix = "CN"
    return _with_country(prefix or default_country, number, what=what)


def normalise_observed_bank_account(text: str, default_country: str | None = None) -> str:
    """Return the letters and digits of a bank account or card number as seen, valid or not.

    The hub's bank_account normaliser labels its results (IBAN:, CARD:, CN:) after validating them;
    an observed number is not validated, so its label would be a guess: the characters alone are
    the canonical form, and a label or country prefix the reporter gave is dropped.
    """
    what = gettext_noop("bank account number")
    labelled = _BANK_LABEL.fullmatch(text)
    if labelled:
        text = labelled[2]
    else:
        _, text = split_country_prefix(text)
    return _characters(_compact(text), what=what, bounds=_BANK_LENGTH)


def normalise_observed_phone(text: str, default_country: str | None = None) -> str:
    """Return "+<digits>" for an international or valid number, else the digits as written."""
    compact = _SEPARATORS.sub("", text)
    international = compact.startswith("+") or compact.startswith("00")
    digits = compact[1:] if compact.startswith("+") else compact[2:] if international else compact
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
        return "+" + digits
    # A national spelling of a valid number ("138 0013 8000") is the number its E.164 form names, so
    # it meets the "+86…" spelling of the same sighting. An invalid one cannot be placed in a country
    # reliably (its length is wrong, so a trunk prefix may be a digit): it is kept as written.
    e164 = _valid_e164(digits, default_country or FALLBACK_REGION)
    return e164 if e164 is not None else digits


def _valid_e164(digits: str, region: str) -> str | None:
    """The E.164 form of a national number valid in region, or None."""
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

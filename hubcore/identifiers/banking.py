"""Bank accounts: IBANs, payment card numbers and Chinese domestic account numbers."""

from __future__ import annotations

import re

from stdnum import iban, luhn
from stdnum.exceptions import InvalidChecksum, ValidationError

from hubcore.identifiers.errors import IdentifierInvalid, gettext_noop
from hubcore.identifiers.text import split_country_prefix

_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]+")
_SEPARATORS = re.compile(r"[\s\-.]")
_LUHN_FAILED = gettext_noop("The card number fails the Luhn check.")


def normalise_bank_account(text: str, default_country: str | None = None) -> str:
    """Return "IBAN:<iban>", "CARD:<pan>" or "CN:<digits>" for a bank account or payment card."""
    label, body = _split_label(text)
    number = _SEPARATORS.sub("", body).upper()
    if label == "IBAN" or (label is None and _IBAN_SHAPE.fullmatch(number)):
        return "IBAN:" + _iban(number)
    if label not in (None, "CARD", "CN"):
        raise IdentifierInvalid(gettext_noop("Unsupported bank account prefix; use IBAN:, CARD: or CN:."))
    if not number.isdigit():
        raise IdentifierInvalid(gettext_noop("A bank account must be an IBAN or consist of digits only."))
    if label == "CARD":
        return "CARD:" + _card(number)
    return _digits_account(number, domestic_cn=label == "CN" or default_country == "CN")


def _split_label(text: str) -> tuple[str | None, str]:
    """Split off an "IBAN", "CARD:" or country prefix, upper-cased."""
    match = re.match(r"(IBAN|CARD)\b\s*:?\s*(.*)", text, re.I | re.S)
    if match:
        return match[1].upper(), match[2]
    return split_country_prefix(text)


def _iban(number: str) -> str:
    """Validate an IBAN (mod-97 check digits, country length and BBAN structure)."""
    try:
        return iban.validate(number)
    except InvalidChecksum:
        raise IdentifierInvalid(gettext_noop("The IBAN's check digits do not match.")) from None
    except (ValidationError, ValueError, KeyError, IndexError):
        raise IdentifierInvalid(
            gettext_noop("Not a valid IBAN: its country, length or layout is wrong.")
        ) from None


def _card(number: str) -> str:
    """Validate a payment card number: 13 to 19 digits passing the Luhn check."""
    if not 13 <= len(number) <= 19:
        raise IdentifierInvalid(gettext_noop("A card number has 13 to 19 digits."))
    if not luhn.is_valid(number):
        raise IdentifierInvalid(_LUHN_FAILED)
    return number


def _digits_account(number: str, *, domestic_cn: bool) -> str:
    """Classify an all-digit account: card if it passes Luhn, else a Chinese account or an error."""
    # The card test comes first and depends only on the digits, so a number gets one canonical
    # form whether or not it was submitted with a CN: prefix.
    if 13 <= len(number) <= 19 and luhn.is_valid(number):
        return "CARD:" + number
    if number.startswith("62") and 16 <= len(number) <= 19:
        # 62 is UnionPay's card range: such a number is a card with a typo, not an account.
        raise IdentifierInvalid(_LUHN_FAILED)
    if domestic_cn and 12 <= len(number) <= 25:
        return "CN:" + number
    if 13 <= len(number) <= 19:
        raise IdentifierInvalid(_LUHN_FAILED)
    raise IdentifierInvalid(
        gettext_noop(
            "Not a recognised bank account: give an IBAN, a card number, or a Chinese account number with country CN."
        )
    )

"""Phone numbers to E.164, via Google's libphonenumber data (the `phonenumbers` package)."""

from __future__ import annotations

import phonenumbers

from hubcore.identifiers.errors import IdentifierInvalid, gettext_noop

# The hub started with Chinese platforms; a bare national number with no country is read as Chinese.
FALLBACK_REGION = "CN"


def normalise_phone(text: str, default_country: str | None = None) -> str:
    """Parse a phone number in any common spelling and return it in E.164 form ("+8613800138000")."""
    region = default_country or FALLBACK_REGION
    number = _parse_valid(text, region)
    if number is None and text.startswith("00"):
        # "00" is the international prefix almost everywhere but not in every region's metadata (US uses 011).
        number = _parse_valid("+" + text[2:], region)
    if number is None:
        raise IdentifierInvalid(gettext_noop("Not a valid phone number for the country given."))
    # E.164 has no extension: two extensions of one switchboard are the same identifier to the hub.
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parse_valid(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    """Parse with libphonenumber; None unless the result is a valid, assigned-range number."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None

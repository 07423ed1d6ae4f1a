"""Phone numbers to E.164, via Google's libphonenumber data (the `phonenumbers` package)."""

from __future__ import annotations

import re
from functools import cache

import phonenumbers

from hubcore.identifiers.errors import IdentifierInvalid, gettext_noop

# The hub started with Chinese platforms; a bare national number with no country is read as Chinese.
FALLBACK_REGION = "CN"

# libphonenumber compiles its metadata's patterns on every use unless told to keep them; a parse and a
# validity check use a dozen or more, and the re module's own cache lookups cost a tenth of a parse.
phonenumbers.enable_pattern_cache()

# What normalise_phone outputs: "+", a calling code (never starting with 0) and the national number.
# Up to 20 digits, more than E.164 allows: anything longer goes the slow way, to be refused there.
_E164_SHAPE = re.compile(r"\+[1-9][0-9]{2,19}")
_NEVER = r"(?!)"  # a pattern that matches nothing


def normalise_phone(text: str, default_country: str | None = None) -> str:
    """Parse a phone number in any common spelling and return it in E.164 form ("+8613800138000")."""
    canonical = canonical_e164(text)
    if canonical is not None:
        return canonical
    return normalise_phone_parsed(text, default_country)


def normalise_phone_parsed(text: str, default_country: str | None = None) -> str:
    """normalise_phone by a full libphonenumber parse (the reference the fast path must agree with)."""
    region = default_country or FALLBACK_REGION
    number = _parse_valid(text, region)
    if number is None and text.startswith("00"):
        # "00" is the international prefix almost everywhere but not in every region's metadata (US uses 011).
        number = _parse_valid("+" + text[2:], region)
    if number is None:
        raise IdentifierInvalid(gettext_noop("Not a valid phone number for the country given."))
    # E.164 has no extension: two extensions of one switchboard are the same identifier to the hub.
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def canonical_e164(text: str) -> str | None:
    """The text itself when it is already a valid E.164 number that a full parse returns unchanged, else
    None (then parse it).

    Members mostly send canonical numbers, and a parse costs as much as a third of an OPRF evaluation.
    For "+<digits>" a parse only splits off the calling code (the first 1 to 3 digits that name one:
    calling codes are a prefix code), may strip a national trunk prefix, and keeps leading zeros. So the
    number is built here from that split, and given back only when no trunk prefix could be stripped and
    libphonenumber finds it valid: the same number, so the same verdict and the same E.164 string. Any
    refusal is left to the parse, which words it; the default country plays no part after a "+".
    """
    if _E164_SHAPE.fullmatch(text) is None:
        return None
    digits = text[1:]
    for length in (1, 2, 3):
        country_code = int(digits[:length])
        if country_code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            break
    else:
        return None
    national = digits[length:]
    if len(national) < 2:  # too short for any number: the parse refuses it
        return None
    if _trunk_prefix(country_code).match(national):
        # The parse might strip or rewrite a prefix here (a carrier code, Argentina's "15"): let it decide.
        return None
    # Its E.164 form is the text itself: the calling code has no leading zero and the number keeps its own.
    return text if phonenumbers.is_valid_number(e164_number(country_code, national)) else None


@cache
def _trunk_prefix(country_code: int) -> re.Pattern[str]:
    """What a parse may strip from the front of this calling code's national numbers (libphonenumber's
    national_prefix_for_parsing); a calling code without metadata defers every number to the parse."""
    region = phonenumbers.region_code_for_country_code(country_code)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    if metadata is None:
        return re.compile("")
    return re.compile(metadata.national_prefix_for_parsing or _NEVER)


def e164_number(country_code: int, national: str) -> phonenumbers.PhoneNumber:
    """The PhoneNumber a parse builds from a calling code and national digits it strips nothing from."""
    number = phonenumbers.PhoneNumber(country_code=country_code, national_number=int(national))
    if len(national) > 1 and national[0] == "0":
        # Leading zeros are part of the number (Italy); an all-zero number keeps its last zero as the value.
        number.italian_leading_zero = True
        leading_zeros = min(len(national) - len(national.lstrip("0")), len(national) - 1)
        if leading_zeros != 1:
            number.number_of_leading_zeros = leading_zeros
    return number


def _parse_valid(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    """Parse with libphonenumber; None unless the result is a valid, assigned-range number."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None

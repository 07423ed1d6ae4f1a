"""The canonical E.164 fast path gives exactly what a full libphonenumber parse gives, for every input.

normalise_phone skips the parse for "+<digits>" that canonical_e164 accepts; these tests hold it to the
reference (normalise_phone_parsed) on the normaliser vectors, on every example number in
libphonenumber's metadata and variants of them that a parse would rewrite, and on generated input:
same canonical value, or the same refusal.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubcore.identifiers import IdentifierInvalid, normalise
from hubcore.identifiers.normalise import _prepared
from hubcore.identifiers.phones import canonical_e164, e164_number, normalise_phone, normalise_phone_parsed
from hubcore.identifiers.text import has_control_characters
from tests.sharing.test_identifiers import PHONE_INVALID, PHONE_VALID

VECTOR_FILES = sorted((Path(__file__).parent.parent / "vectors").glob("*.json"))
COUNTRIES = (None, "CN", "US", "GB", "DE", "IT", "RU", "AR")
E164 = phonenumbers.PhoneNumberFormat.E164


def _outcome(normaliser, text: str, country: str | None) -> tuple[str, str]:
    try:
        return ("ok", normaliser(text, country))
    except IdentifierInvalid as exc:
        return ("refused", str(exc))


def _assert_agrees(text: str, country: str | None = None) -> None:
    """The fast path gives back the reference's value or nothing, and normalise_phone the reference's outcome."""
    reference = _outcome(normalise_phone_parsed, text, country)
    fast = canonical_e164(text)
    assert fast is None or reference == ("ok", fast), text
    assert _outcome(normalise_phone, text, country) == reference, text


def _vector_strings() -> list[str]:
    """Every raw and canonical string of every normaliser vector file (phones and every other type)."""
    strings: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("raw", "canonical") and isinstance(value, str):
                    strings.add(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in VECTOR_FILES:
        walk(json.loads(path.read_text()))
    return sorted(strings)


def _metadata_numbers() -> list[str]:
    """E.164 of every example number in libphonenumber's metadata, and variants a parse treats differently:
    a national trunk prefix after the calling code, a digit short, a digit long, leading zeros."""
    numbers: list[phonenumbers.PhoneNumber] = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in phonenumbers.PhoneNumberType.values():
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                numbers.append(example)
    for calling_code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        example = phonenumbers.example_number_for_non_geo_entity(calling_code)
        if example is not None:
            numbers.append(example)
    texts: set[str] = set()
    for number in numbers:
        canonical = phonenumbers.format_number(number, E164)
        country_code = int(number.country_code or 0)
        code = str(country_code)
        national = canonical[1 + len(code) :]
        region = phonenumbers.region_code_for_country_code(country_code)
        metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
        trunk = (metadata.national_prefix if metadata else None) or "0"
        texts.update(
            {
                canonical,
                f"+{code}{trunk}{national}",
                canonical[:-1],
                canonical + "5",
                f"+{code}0{national}",
                f"+{code}00{national}",
            }
        )
    return sorted(texts)


VECTOR_STRINGS = _vector_strings()
METADATA_NUMBERS = _metadata_numbers()


def test_the_vectors_and_the_metadata_give_enough_cases():
    # A guard on the two sweeps below: they must see real numbers, valid and invalid.
    assert len(VECTOR_STRINGS) > 200
    assert len(METADATA_NUMBERS) > 5000
    taken = [text for text in METADATA_NUMBERS if canonical_e164(text) is not None]
    assert len(taken) > 1000


@pytest.mark.parametrize("country", COUNTRIES)
def test_fast_path_agrees_with_the_parse_on_every_normaliser_vector(country: str | None) -> None:
    for text in VECTOR_STRINGS:
        _assert_agrees(text, country)


@pytest.mark.parametrize(("raw", "country", "expected"), PHONE_VALID)
def test_fast_path_agrees_with_the_parse_on_the_phone_table(
    raw: str, country: str | None, expected: str
) -> None:
    _assert_agrees(raw, country)
    _assert_agrees(expected, country)
    assert canonical_e164(expected) == expected  # every canonical phone of the table takes the fast path


@pytest.mark.parametrize(("raw", "country"), PHONE_INVALID)
def test_fast_path_agrees_with_the_parse_on_the_invalid_phone_table(raw: str, country: str | None) -> None:
    _assert_agrees(raw, country)


def test_fast_path_agrees_with_the_parse_on_every_metadata_example_and_its_variants():
    for text in METADATA_NUMBERS:
        _assert_agrees(text, "CN")


def test_the_number_the_fast_path_validates_is_the_number_the_parse_builds():
    # Not only the same string: the same PhoneNumber, so libphonenumber's verdict is the same by construction.
    for text in METADATA_NUMBERS:
        if canonical_e164(text) is None:
            continue
        parsed = phonenumbers.parse(text, None)
        national = text[1 + len(str(parsed.country_code)) :]
        assert e164_number(parsed.country_code, national) == parsed, text


def test_a_number_whose_trunk_prefix_the_parse_might_strip_goes_the_slow_way():
    # Russia's trunk prefix is 8, and +7 800 numbers (toll-free) start with it: the parse decides.
    assert canonical_e164("+78005553535") is None
    assert normalise_phone("+78005553535") == "+78005553535"
    # Argentina's prefix pattern matches every number (an optional "0", an optional area code + "15").
    assert canonical_e164("+5491123456789") is None
    assert normalise_phone("+5491123456789") == "+5491123456789"


def test_leading_zeros_are_kept_as_the_parse_keeps_them():
    assert canonical_e164("+390612345678") == "+390612345678"  # Rome: the 0 is part of the number
    assert canonical_e164("+8613800138000") == "+8613800138000"


@pytest.mark.parametrize(
    "text",
    [
        "+8613800138000 ",
        "+86 13800138000",
        "＋8613800138000",
        "+08613800138000",
        "+8613800138",
        "+999123456789",
    ],
)
def test_anything_but_a_valid_canonical_number_is_left_to_the_parse(text: str) -> None:
    assert canonical_e164(text) is None
    _assert_agrees(text, "CN")


EXAMPLE_E164 = [text for text in METADATA_NUMBERS if canonical_e164(text) is not None]


@st.composite
def _mutated_numbers(draw: st.DrawFn) -> str:
    """A valid E.164 number with a few digits replaced, inserted or deleted (valid or not afterwards)."""
    digits = list(draw(st.sampled_from(EXAMPLE_E164))[1:])
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        at = draw(st.integers(min_value=0, max_value=len(digits)))
        edit = draw(st.sampled_from(["replace", "insert", "delete"]))
        digit = draw(st.sampled_from("0123456789"))
        if edit == "insert":
            digits.insert(at, digit)
        elif at < len(digits):
            if edit == "replace":
                digits[at] = digit
            else:
                del digits[at]
    return "+" + "".join(digits)


PHONE_LIKE = st.one_of(
    _mutated_numbers(),
    st.from_regex(r"\+[0-9]{1,20}", fullmatch=True),
    st.from_regex(r"\+?[0-9 ()\-]{1,24}", fullmatch=True),
    st.text(max_size=24),
)


@settings(max_examples=1000, deadline=None)
@given(text=PHONE_LIKE, country=st.sampled_from(COUNTRIES))
def test_fast_path_result_equals_slow_path_result_for_every_input(text: str, country: str | None) -> None:
    _assert_agrees(text, country)


@settings(max_examples=300, deadline=None)
@given(text=PHONE_LIKE, country=st.sampled_from(COUNTRIES))
def test_normalise_gives_the_same_canonical_or_refusal_as_the_parse(text: str, country: str | None) -> None:
    # Through normalise (NFKC, strip, control characters, country check) as the hub calls it.
    def reference(text: str, country: str | None) -> str:
        return normalise_phone_parsed(_prepared(text), country)

    def hub(text: str, country: str | None) -> str:
        return normalise("phone", text, default_country=country).value

    assert _outcome(hub, text, country) == _outcome(reference, text, country)


def test_no_control_character_is_printable():
    # has_control_characters answers False at once for a printable text; that is right only because no
    # character of category Cc is printable, in the Unicode version this Python has.
    printable_controls = [
        code
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) == "Cc" and chr(code).isprintable()
    ]
    assert printable_controls == []
    assert has_control_characters("+86\x00138") and has_control_characters("\x7f")
    assert not has_control_characters("+86 138\t0013\n8000") and not has_control_characters("名字\u200b")

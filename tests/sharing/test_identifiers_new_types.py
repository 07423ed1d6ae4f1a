"""Normalisers of the issue 19 identifier types, run against tests/vectors/identifier_normalisers_issue19.json.

Every new type has vectors: spellings that must reach one hand-written canonical value, and values
that must be refused without the message repeating them. Observed types are checked to stay apart
from their verified twins (the type is in the token's PRF input), and the UPU S10 check digits the
waybill vectors rely on are re-derived here by hand.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from hubcore.identifiers import Canonical, IdentifierInvalid, IdentifierType, normalise
from hubcore.identifiers.types import IDENTIFIER_STRENGTH, OBSERVED_OF, Strength
from hubcore.tokens import token_input

VECTORS_PATH = Path(__file__).resolve().parent.parent / "vectors" / "identifier_normalisers_issue19.json"
VECTORS = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))["types"]

# The types issue 19 added; each must have vectors.
NEW_TYPES = {
    "pickup_address",
    "courier_sender_account",
    "waybill",
    "wechat_id",
    "qq_number",
    "weibo_account",
    "douyin_account",
    "kuaishou_account",
    "live_room",
    "observed_national_id",
    "observed_phone",
    "observed_business_licence",
    "observed_bank_account",
}

VALID = [
    pytest.param(kind, row["raw"], row["country"], row["canonical"], id=f"{kind}-{index}")
    for kind, rows in VECTORS.items()
    for index, row in enumerate(rows["valid"])
]
INVALID = [
    pytest.param(kind, row["raw"], row["country"], id=f"{kind}-{index}")
    for kind, rows in VECTORS.items()
    for index, row in enumerate(rows["invalid"])
]


def test_every_new_type_has_valid_and_invalid_vectors() -> None:
    assert set(VECTORS) == NEW_TYPES
    assert NEW_TYPES <= set(IdentifierType.values)
    for kind in NEW_TYPES:
        assert len(VECTORS[kind]["valid"]) >= 3, kind
        assert len(VECTORS[kind]["invalid"]) >= 3, kind
        # Several spellings of one identifier reach one canonical value.
        canonicals = [row["canonical"] for row in VECTORS[kind]["valid"]]
        assert len(set(canonicals)) < len(canonicals), kind


@pytest.mark.parametrize(("kind", "raw", "country", "expected"), VALID)
def test_spellings_reach_their_canonical_value(
    kind: str, raw: object, country: str | None, expected: str
) -> None:
    canonical = normalise(kind, raw, default_country=country)  # type: ignore[arg-type]

    assert canonical == Canonical(type=IdentifierType(kind), value=expected, version=1)


@pytest.mark.parametrize(("kind", "raw", "country", "expected"), VALID)
def test_a_canonical_value_normalises_to_itself(
    kind: str, raw: object, country: str | None, expected: str
) -> None:
    if isinstance(raw, dict):
        pytest.skip("a composite's canonical value is not an input form (composites take an object)")
    assert normalise(kind, expected, default_country=country).value == expected
    if kind == "observed_phone" and expected.isdigit():
        # Bare digits mean no country was known; read in a country, they are that country's number.
        assert normalise(kind, expected, default_country="CN").value == "+86" + expected
        return
    assert normalise(kind, expected, default_country="CN").value == expected


def _assert_no_leak(message: str, raw: object) -> None:
    """The message repeats neither the value (nor any field of it) nor a run of four or more of its digits."""
    values = list(raw.values()) if isinstance(raw, dict) else [raw]
    for value in values:
        stripped = str(value).strip()
        if len(stripped) >= 3:
            assert stripped.casefold() not in message.casefold()
        for run in re.findall(r"\d{4,}", str(value)):
            assert run not in message


@pytest.mark.parametrize(("kind", "raw", "country"), INVALID)
def test_invalid_values_are_refused_without_repeating_them(
    kind: str, raw: object, country: str | None
) -> None:
    with pytest.raises(IdentifierInvalid) as caught:
        normalise(kind, raw, default_country=country)  # type: ignore[arg-type]

    assert caught.value.message
    _assert_no_leak(caught.value.message, raw)
    assert caught.value.__cause__ is None


# ---------------------------------------------------------------- observed values

WRONG_CHECK_DIGIT_ID = "110105194912310021"  # 11010519491231002X with its check digit changed


def test_a_wrong_check_digit_id_is_refused_as_national_id_but_kept_as_observed() -> None:
    assert not ric.is_valid(WRONG_CHECK_DIGIT_ID)
    with pytest.raises(IdentifierInvalid, match="check digit"):
        normalise("national_id", WRONG_CHECK_DIGIT_ID, default_country="CN")

    observed = normalise("observed_national_id", WRONG_CHECK_DIGIT_ID, default_country="CN")

    assert observed.value == "CN:110105194912310021"
    # The same fake value, spelled differently, is the same sighting: it links the senders reusing it.
    assert normalise("observed_national_id", "cn-110105 19491231 0021").value == observed.value


@pytest.mark.parametrize(
    ("observed_kind", "raw", "country"),
    [
        ("observed_national_id", "11010519491231002X", "CN"),
        ("observed_phone", "+86 138 0013 8000", None),
        ("observed_business_licence", "91350100M000100Y43", None),
        ("observed_bank_account", "4111 1111 1111 1111", None),
    ],
)
def test_a_valid_value_recorded_as_observed_never_gives_the_verified_token_input(
    observed_kind: str, raw: str, country: str | None
) -> None:
    verified_kind = OBSERVED_OF[IdentifierType(observed_kind)]
    verified = normalise(verified_kind, raw, default_country=country)
    observed = normalise(observed_kind, raw, default_country=country)

    assert verified.type != observed.type
    verified_input = token_input(identifier_type=verified.type, canonical=verified.value)
    observed_input = token_input(identifier_type=observed.type, canonical=observed.value)
    assert observed_input != verified_input
    # The canonical strings may agree (a valid ID as seen is that ID); the type, which leads the PRF
    # input before its 0x00 separator, alone keeps the tokens apart.
    assert observed_input.split(b"\x00", 1)[0] != verified_input.split(b"\x00", 1)[0]


def test_observed_types_are_medium_and_each_names_its_verified_type() -> None:
    assert {kind.value for kind in OBSERVED_OF} == {
        kind for kind in NEW_TYPES if kind.startswith("observed_")
    }
    for observed, verified in OBSERVED_OF.items():
        assert IDENTIFIER_STRENGTH[observed] == Strength.MEDIUM
        assert IDENTIFIER_STRENGTH[verified] != Strength.WEAK


def test_an_observed_phone_places_an_invalid_number_in_its_country() -> None:
    with pytest.raises(IdentifierInvalid):
        normalise("phone", "138 0013 800", default_country="CN")  # one digit short

    national = normalise("observed_phone", "138 0013 800", default_country="CN")
    international = normalise("observed_phone", "0086 138 0013 800", default_country="GB")
    with_trunk_prefix = normalise("observed_phone", "+86 0138 0013 800")

    assert national.value == international.value == with_trunk_prefix.value == "+861380013800"
    # With no country given, nothing says whose number it is: the digits are kept as written.
    assert normalise("observed_phone", "138 0013 800").value == "1380013800"


def test_one_invalid_national_number_in_two_countries_is_two_observed_phones() -> None:
    france = normalise("observed_phone", "06 12 34 56", default_country="FR")
    china = normalise("observed_phone", "0612 3456", default_country="CN")

    assert france.value != china.value
    assert france.value.startswith("+33") and china.value.startswith("+86")


def test_one_number_as_a_card_and_as_accounts_in_two_countries_is_three_observed_accounts() -> None:
    values = {
        normalise("observed_bank_account", raw).value
        for raw in ("CN:12345678", "DE:12345678", "CARD:12345678")
    }

    assert values == {"CN:12345678", "DE:12345678", "CARD:12345678"}
    # The country may come from the reporter's organisation instead of a prefix.
    assert normalise("observed_bank_account", "12345678", default_country="DE").value == "DE:12345678"


# Valid values with spellings the verified normalisers unify; each observed twin must unify them too.
VERIFIED_SPELLINGS = [
    ("phone", "+44 (0)20 7946 0000", None),
    ("phone", "020 7946 0000", "GB"),
    ("phone", "0044 20 7946 0000", "CN"),
    ("phone", "+86 138 0013 8000", None),
    ("phone", "13800138000", "CN"),
    ("national_id", "110105491231002", "CN"),
    ("national_id", "CN:11010519491231002x", "FR"),
    ("national_id", "CN 11010519491231002X", "FR"),
    ("business_licence", "DE136695976", None),
    ("business_licence", "VAT:DE 136 695 976", None),
    ("business_licence", "136695976", "DE"),
    ("business_licence", "91350100M000100Y43", "US"),
    ("bank_account", "DE89 3704 0044 0532 0130 00", None),
    ("bank_account", "IBAN:de89370400440532013000", "CN"),
    ("bank_account", "4111 1111 1111 1111", None),
    ("bank_account", "CN:4111111111111111", None),
    ("bank_account", "622202123456789012", "CN"),
]
_OBSERVED = {verified.value: observed.value for observed, verified in OBSERVED_OF.items()}


@pytest.mark.parametrize(("verified_kind", "raw", "country"), VERIFIED_SPELLINGS)
def test_a_value_the_verified_normaliser_accepts_has_its_canonical_form_as_observed(
    verified_kind: str, raw: str, country: str | None
) -> None:
    verified = normalise(verified_kind, raw, default_country=country).value
    observed = normalise(_OBSERVED[verified_kind], raw, default_country=country).value

    # The observed form of a business licence writes a VAT number "DE:<number>", not "VAT:DE<number>".
    expected = f"{verified[4:6]}:{verified[6:]}" if verified.startswith("VAT:") else verified
    assert observed == expected


def test_spellings_one_verified_canonical_unifies_reach_one_observed_canonical() -> None:
    by_kind: dict[str, set[str]] = {}
    for verified_kind, raw, country in VERIFIED_SPELLINGS:
        verified = normalise(verified_kind, raw, default_country=country).value
        observed = normalise(_OBSERVED[verified_kind], raw, default_country=country).value
        by_kind.setdefault(verified, set()).add(observed)
    assert all(len(observed) == 1 for observed in by_kind.values()), by_kind
    assert len(by_kind) < len(VERIFIED_SPELLINGS)  # the list does hold several spellings of one value


# ---------------------------------------------------------------- couriers


def _s10_check_digit(serial: str) -> int:
    """UPU S10: weights 8 6 4 2 3 5 9 7; 11 - sum mod 11, with 10 -> 0 and 11 -> 5 (written out here)."""
    total = sum(int(digit) * weight for digit, weight in zip(serial, [8, 6, 4, 2, 3, 5, 9, 7], strict=True))
    check = 11 - total % 11
    return 0 if check == 10 else 5 if check == 11 else check


def test_s10_check_digits_of_the_vectors() -> None:
    # 1*8 + 2*6 + 3*4 + 4*2 + 5*3 + 6*5 + 7*9 + 8*7 = 204; 204 mod 11 = 6; 11 - 6 = 5.
    assert _s10_check_digit("12345678") == 5
    # The UPU example AA473124829GB: 4*8 + 7*6 + 3*4 + 1*2 + 2*3 + 4*5 + 8*9 + 2*7 = 200; 11 - 2 = 9.
    assert _s10_check_digit("47312482") == 9
    valid = [
        row["canonical"]
        for row in VECTORS["waybill"]["valid"]
        if re.search(r":[A-Z]{2}\d{9}[A-Z]{2}$", row["canonical"])
    ]
    assert valid
    for canonical in valid:
        number = canonical.split(":", 1)[1]
        assert int(number[10]) == _s10_check_digit(number[2:10]), canonical


def test_an_s10_number_whose_check_digit_maps_to_5_is_accepted() -> None:
    # Serial 00000001: 1*7 = 7; 11 - 7 = 4. Serial 00000011: 9 + 7 = 16, 16 mod 11 = 5, 11 - 5 = 6.
    # Serial 00000000: sum 0, 11 - 0 = 11, which S10 writes as 5.
    assert _s10_check_digit("00000000") == 5
    assert normalise("waybill", "ems:EE000000005CN").value == "ems:EE000000005CN"
    with pytest.raises(IdentifierInvalid, match="check digit"):
        normalise("waybill", "ems:EE000000000CN")


def test_one_account_at_two_couriers_is_two_identifiers() -> None:
    assert normalise("courier_sender_account", "sf:abc123") != normalise(
        "courier_sender_account", "zto:abc123"
    )
    assert normalise("waybill", "dhl:1234567890").value != normalise("waybill", "ups:1234567890").value


def test_an_unknown_courier_lists_the_supported_ones() -> None:
    with pytest.raises(IdentifierInvalid, match=r"Unknown courier; give one of: sf, ems, chinapost, zto"):
        normalise("courier_sender_account", "pigeon:abc123")


# ---------------------------------------------------------------- social and live


def test_a_weibo_screen_name_asks_for_the_uid() -> None:
    with pytest.raises(IdentifierInvalid, match="numeric UID"):
        normalise("weibo_account", "https://weibo.com/n/someone")


def test_a_douyin_sec_uid_keeps_its_case_and_an_id_is_lower_cased() -> None:
    sec_uid = "MS4wLjABAAAAv7iSuuXDJGDvJkmH_vz1qkDZYo1apxgzaxdBSeIuPiM"
    assert normalise("douyin_account", f"https://www.douyin.com/user/{sec_uid}").value == f"sec_uid:{sec_uid}"
    assert normalise("douyin_account", "Zhang.San").value == "id:zhang.san"
    # One sec_uid differing only in case is another account.
    assert normalise("douyin_account", f"sec_uid:{sec_uid.lower()}").value != f"sec_uid:{sec_uid}"


def test_a_kuaishou_profile_and_its_live_room_are_different_types_of_one_id() -> None:
    account = normalise("kuaishou_account", "https://live.kuaishou.com/u/3xAbc")
    room = normalise("live_room", "https://live.kuaishou.com/u/3xAbc")

    assert (account.value, room.value) == ("3xabc", "kuaishou:3xabc")


@pytest.mark.parametrize("raw", ["https://www.huya.com/l", "https://www.huya.com/lpl", "huya:lpl"])
def test_a_huya_page_or_room_name_is_refused_with_a_request_for_the_room_number(raw: str) -> None:
    with pytest.raises(IdentifierInvalid, match="room number"):
        normalise("live_room", raw)
    assert normalise("live_room", "https://www.huya.com/660000").value == "huya:660000"


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("kuaishou_account", "https://www.kuaishou.com/profile/search"),
        ("kuaishou_account", "https://live.kuaishou.com/u/live"),
        ("live_room", "https://live.kuaishou.com/u/search"),
    ],
)
def test_a_kuaishou_site_page_in_the_id_slot_is_not_an_account(kind: str, raw: str) -> None:
    with pytest.raises(IdentifierInvalid):
        normalise(kind, raw)


_PREFIXES = [
    "",
    "+",
    "00",
    "000",
    "0",
    "+0",
    "+55 0",
    "+39 0",
    "+44 (0)",
    "010",
    "CN:",
    "DE ",
    "IBAN:",
    "CARD:",
    "VAT:",
    "GR",
    "EL",
]
_COUNTRIES = [None, "CN", "FR", "GB", "DE", "US", "BR", "IT", "JP", "KE"]


@settings(max_examples=400, deadline=None)
@given(
    kind=st.sampled_from(sorted(_OBSERVED.values())),
    prefix=st.sampled_from(_PREFIXES),
    digits=st.text(alphabet="0123456789", min_size=3, max_size=20),
    country=st.sampled_from(_COUNTRIES),
)
def test_an_observed_canonical_value_reads_as_itself(
    kind: str, prefix: str, digits: str, country: str | None
) -> None:
    """Whatever trunk, carrier or international prefix a spelling had, its canonical value has none left."""
    try:
        canonical = normalise(kind, prefix + digits, default_country=country).value
    except IdentifierInvalid:
        return
    assert normalise(kind, canonical, default_country=country).value == canonical
    if not canonical.isdigit():  # bare digits: an observed phone whose country nobody gave
        assert normalise(kind, canonical, default_country="CN").value == canonical

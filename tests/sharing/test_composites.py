"""Composite identifiers (person, registered_address): one canonical form per real-world value,
per-field errors, the same token on the raw and oblivious paths, flat CSV columns."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from hubcore import oprf
from hubcore.identifiers import (
    IDENTIFIER_STRENGTH,
    NORMALISER_VERSION,
    IdentifierInvalid,
    IdentifierType,
    Strength,
    normalise,
)
from hubcore.identifiers.composites import CompositeInvalid
from hubcore.tokens import token_input
from sharing.bulk.services.bulk_files import rows_parsed
from sharing.crypto.tokens import token_evaluate
from tests.factories import report_make_accepted

PERSON = {"full_name": "张伟", "date_of_birth": "1985-03-02"}
ADDRESS = {"street_address": "Room 1201, 88 Nanjing Road", "postcode": "200001", "country": "CN"}
FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


def _spelled(text: str, *, full_width: bool, upper: bool, padding: str) -> str:
    text = text.upper() if upper else text
    text = text.translate(FULL_WIDTH) if full_width else text
    return padding + text.replace(" ", padding + " ") + padding


names = st.sampled_from(
    ["张伟", "张 伟", "Zhang Wei", "José María O'Neil", "山田 太郎", "Ｍｕｌｌｅｒ  Anna"]
)
spellings = st.fixed_dictionaries(
    {
        "full_width": st.booleans(),
        "upper": st.booleans(),
        "padding": st.sampled_from(["", " ", "\u3000", "\t"]),
    }
)


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    name=names,
    name_spelling=spellings,
    date_spelling=spellings,
    date_format=st.sampled_from(["{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}.{m:02d}.{d}", "{y}年{m}月{d}日"]),
)
def test_every_spelling_of_one_person_has_one_canonical_value(
    name, name_spelling, date_spelling, date_format
):
    date = date_format.format(y=1985, m=3, d=2)
    plain = normalise("person", {"full_name": name, "date_of_birth": "1985-03-02"}).value

    variant = normalise(
        "person",
        {"date_of_birth": _spelled(date, **date_spelling), "full_name": _spelled(name, **name_spelling)},
    ).value

    assert variant == plain
    assert normalise("person", dict(zip(("full_name", "date_of_birth"), plain.split("\x1f")))).value == plain


@hypothesis_settings(max_examples=100, deadline=None)
@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    other=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
)
def test_a_different_date_of_birth_is_a_different_person(born, other):
    first = normalise("person", {"full_name": "张伟", "date_of_birth": born.isoformat()}).value
    second = normalise("person", {"full_name": "张伟", "date_of_birth": other.isoformat()}).value

    assert (first == second) == (born == other)
    assert first.endswith(born.isoformat())


def test_every_spelling_of_one_registered_address_has_one_canonical_value():
    spellings = [
        ADDRESS,
        {"country": "cn", "postcode": "２００ ００１", "street_address": "ROOM 1201 88, Nanjing  Road."},
    ]

    canonical = {normalise("registered_address", spelling).value for spelling in spellings}

    assert canonical == {"CN\x1f200001\x1froom 1201 88 nanjing road"}


def test_a_us_zip_plus_four_is_the_same_address_as_its_zip():
    five = normalise(
        "registered_address", {"street_address": "1209 Orange St", "postcode": "19801", "country": "US"}
    )
    nine = normalise(
        "registered_address", {"street_address": "1209 Orange St", "postcode": "19801-3619", "country": "us"}
    )

    assert five.value == nine.value


def test_composites_are_versioned_and_their_strength_is_set():
    assert (
        NORMALISER_VERSION[IdentifierType.PERSON]
        == NORMALISER_VERSION[IdentifierType.REGISTERED_ADDRESS]
        == 1
    )
    assert IDENTIFIER_STRENGTH[IdentifierType.PERSON] == Strength.MEDIUM
    assert IDENTIFIER_STRENGTH[IdentifierType.REGISTERED_ADDRESS] == Strength.WEAK
    assert set(IDENTIFIER_STRENGTH) == set(IdentifierType)


@pytest.mark.parametrize(
    ("value", "fields"),
    [
        ({"full_name": "张伟"}, {"date_of_birth"}),
        ({"full_name": "张伟", "date_of_birth": "02/03/1985"}, {"date_of_birth"}),  # day-first is ambiguous
        ({"full_name": "张伟", "date_of_birth": "1985-02-30"}, {"date_of_birth"}),
        ({"full_name": "张伟", "date_of_birth": "2999-01-01"}, {"date_of_birth"}),
        ({"full_name": "...", "date_of_birth": 19850302}, {"full_name", "date_of_birth"}),
        ({"full_name": "张伟", "date_of_birth": "1985-03-02", "张伟": "x"}, {"unknown_field"}),
    ],
)
def test_each_bad_field_of_a_person_is_named_without_its_value(value, fields):
    with pytest.raises(CompositeInvalid) as raised:
        normalise("person", value)

    assert set(raised.value.fields) == fields
    assert not any(
        part in message for message in raised.value.fields.values() for part in ("张伟", "1985", "02/03")
    )


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ({**ADDRESS, "country": "ZZ"}, "country"),
        ({**ADDRESS, "postcode": "20001"}, "postcode"),  # CN postcodes have six digits
        ({**ADDRESS, "country": "GB", "postcode": "200001"}, "postcode"),
        ({**ADDRESS, "street_address": "  "}, "street_address"),
    ],
)
def test_each_bad_field_of_a_registered_address_is_named(value, field):
    with pytest.raises(CompositeInvalid) as raised:
        normalise("registered_address", value)

    assert set(raised.value.fields) == {field}


@pytest.mark.parametrize(
    ("kind", "value"),
    [("person", "张伟;1985-03-02"), ("registered_address", ["x"]), ("name", {"full_name": "张伟"})],
)
def test_a_composite_takes_only_an_object_and_a_plain_type_only_text(kind, value):
    with pytest.raises(IdentifierInvalid) as raised:
        normalise(kind, value)

    assert "张伟" not in raised.value.message


@pytest.mark.django_db
def test_a_bad_composite_field_is_a_400_naming_the_field(api, platform_analyst):
    body = {
        "identifiers": [
            {"type": "phone", "value": "+86 138 0013 8000"},
            {"type": "person", "value": {"full_name": "张伟", "date_of_birth": "1985-13-01"}},
        ],
        "purpose": "seller_onboarding",
    }

    response = api(platform_analyst).post("/api/v1/checks", body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "identifiers": {"1": {"value": {"date_of_birth": ["The date of birth is not a calendar date."]}}}
    }
    assert "张伟" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("value", [[1, 2], {f"f{n}": "x" for n in range(9)}, 12])
def test_a_value_that_is_neither_text_nor_a_small_object_is_a_400(api, platform_analyst, value):
    body = {"identifiers": [{"type": "person", "value": value}]}

    response = api(platform_analyst).post("/api/v1/checks", body, format="json")

    assert response.status_code == 400 and "value" in response.json()["error"]["fields"]["identifiers"]["0"]


def _oblivious_token(client, identifier_type: str, value: dict) -> dict:
    canonical = normalise(identifier_type, value)
    message = token_input(identifier_type=canonical.type, canonical=canonical.value)
    blind, blinded = oprf.blind(message)
    answer = client.post(
        "/api/v1/tokens/evaluate", {"blinded_elements": [blinded.hex()]}, format="json"
    ).json()
    output = oprf.finalize(message, blind, bytes.fromhex(answer["evaluated_elements"][0]))
    return {"type": identifier_type, "token": output.hex(), "key_version": answer["key_version"]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "reported", "checked"),
    [
        ("person", PERSON, {"full_name": "张 伟", "date_of_birth": "１９８５年３月２日"}),
        (
            "registered_address",
            ADDRESS,
            {"street_address": "room 1201 88, NANJING  ROAD.", "postcode": "200-001", "country": "cn"},
        ),
    ],
)
def test_raw_and_oblivious_composites_give_the_same_token(
    api, brand_reporter, reviewer, platform_analyst, kind, reported, checked
):
    from sharing.subjects.services.tokens import RawIdentifier, identifiers_tokenise

    report_make_accepted(
        brand_reporter,
        reviewer,
        [{"type": kind, "value": reported}, {"type": "phone", "value": "+86 138 0013 8000"}],
    )
    client = api(platform_analyst)
    oblivious = _oblivious_token(client, kind, checked)
    [raw] = identifiers_tokenise(identifiers=[RawIdentifier(type=kind, value=checked)], default_country="CN")

    assert (
        oblivious["token"]
        == raw.token
        == token_evaluate(identifier_type=kind, canonical=normalise(kind, reported).value).value
    )
    by_token = client.post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": [oblivious]}, format="json"
    ).json()
    by_value = client.post(
        "/api/v1/checks",
        {"purpose": "seller_onboarding", "identifiers": [{"type": kind, "value": checked}]},
        format="json",
    ).json()
    assert by_token["matched_types"] == by_value["matched_types"]
    assert by_token["level"] == by_value["level"]


def test_csv_bulk_files_take_one_column_per_composite_field():
    upload = io.BytesIO(
        "ref,phone,person.full_name,person.date_of_birth\n"
        "a,,张伟,1985-03-02\nb,13800138000,,\nc,,张伟,\n".encode()
    )

    rows = [(row.ref, row.identifiers) for row in rows_parsed(upload)]

    assert rows == [
        ("a", [{"type": "person", "value": PERSON}]),
        ("b", [{"type": "phone", "value": "13800138000"}]),
        ("c", [{"type": "person", "value": {"full_name": "张伟"}}]),
    ]


@pytest.mark.parametrize("header", ["ref,person", "ref,person.nickname", "ref,phone.full_name"])
def test_a_csv_composite_column_must_name_a_field_of_it(header):
    from hub.errors import DomainError

    with pytest.raises(DomainError) as raised:
        list(rows_parsed(io.BytesIO(f"{header}\nx,y\n".encode())))

    assert "person.date_of_birth" in raised.value.fields["file"][0]


# Every API path that takes identifiers: (persona fixture or kind/role, path, body around the identifiers).
def _disclosure_body(identifiers: list[dict]) -> dict:
    from tests.factories import disclosure_body

    body = disclosure_body([])
    body["scope"] = {"identifiers": identifiers, "fields": ["identifiers"]}
    return body


IDENTIFIER_PATHS = [
    (
        "platform_analyst",
        "/api/v1/checks",
        lambda ids: {"purpose": "seller_onboarding", "identifiers": ids},
        200,
    ),
    (
        "brand_reporter",
        "/api/v1/reports",
        lambda ids: {
            "identifiers": ids,
            "ip_type": "trademark",
            "category": "counterfeit",
            "verification_level": "rights_owner_verified",
            "statement": "seen",
            "authenticity_guaranteed": True,
        },
        201,
    ),
    (
        "platform_analyst",
        "/api/v1/watchlist",
        lambda ids: {"purpose": "seller_onboarding", "identifiers": ids, "ref": "seller-9"},
        201,
    ),
    (
        "platform_analyst",
        "/api/v1/disputes",
        lambda ids: {"identifiers": ids, "grounds": "licensed reseller"},
        201,
    ),
    ("operator_admin", "/api/v1/canaries", lambda ids: {"identifiers": ids, "label": "trap"}, 201),
    ("court", "/api/v1/disclosure-requests", _disclosure_body, 201),
]


def _member(request, who: str):
    from accounts.roles import OrganisationKind, Role
    from tests.factories import court_key_pair, persona

    if who != "court":
        return request.getfixturevalue(who)
    clerk = persona(OrganisationKind.COURT, Role.ANALYST)
    court_key_pair(clerk.organisation)
    return clerk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "path", "body", "created"), IDENTIFIER_PATHS, ids=[p[1] for p in IDENTIFIER_PATHS]
)
def test_every_path_that_takes_identifiers_takes_a_composite_and_names_its_bad_field(
    request, api, brand_reporter, reviewer, who, path, body, created
):
    report_make_accepted(brand_reporter, reviewer, [{"type": "person", "value": PERSON}])
    client = api(_member(request, who))

    good = client.post(
        path,
        body([{"type": "person", "value": {"full_name": "张 伟", "date_of_birth": "1985/3/2"}}]),
        format="json",
    )
    bad = client.post(
        path,
        body([{"type": "person", "value": {"full_name": "张伟", "date_of_birth": "1985-02-30"}}]),
        format="json",
    )

    assert good.status_code == created, good.content
    assert bad.status_code == 400
    assert "date_of_birth" in json.dumps(bad.json()["error"]["fields"]) and "张伟" not in bad.content.decode()

"""A single check's body validated by plain code (the hot path) is what CheckRunInput validates.

`check_run_input` takes a plain path for the usual shapes and the serializer for everything else; the
rule held here is that whatever the plain path accepts, the serializer accepts with equal validated
data, and that the plain path is in fact taken for the usual shapes.
"""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from sharing.checks.serializers import CheckRunInput, _check_run_input_plain, check_run_input
from sharing.models.identifiers import IDENTIFIER_TYPE_CHOICES

pytestmark = pytest.mark.django_db

HEX = "0123456789abcdefABCDEF"
# Each field is mostly valid (its valid strategy repeated), so whole bodies often take the plain path and
# each kind of flaw is met alone in an otherwise plain body, where a plain check that misses it shows.
valid_tokens = st.text(HEX, min_size=128, max_size=128)
tokens = st.one_of(
    valid_tokens,
    valid_tokens,
    valid_tokens,
    st.text(HEX, min_size=126, max_size=130),
    valid_tokens.map(lambda t: f" {t}"),
    valid_tokens.map(lambda t: f"{t}\n"),
    st.text(max_size=130),
    st.integers(),
    st.none(),
)
versions = st.one_of(
    st.integers(1, 5),
    st.integers(1, 5),
    st.integers(1, 5),
    st.integers(-2, 0),
    st.just(2**63),
    st.just(10**5000),
    st.booleans(),
    st.sampled_from(["1", "x", 1.0, None]),
)
short_text = st.text(max_size=40)
values = st.one_of(
    short_text,
    short_text,
    short_text,
    # Long values built cheaply: hypothesis discards examples that need too many random bytes.
    st.tuples(st.characters(), st.integers(495, 505)).map(lambda pair: pair[0] * pair[1]),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
    st.integers(),
    st.none(),
)
countries = st.one_of(
    st.just("CN"),
    st.just("gb"),
    st.sampled_from(["G", "GBR", " GB", "GB\n", "", "1A"]),
    st.none(),
    st.integers(),
)
valid_types = st.sampled_from([code for code, _ in IDENTIFIER_TYPE_CHOICES])
types = st.one_of(valid_types, valid_types, valid_types, st.sampled_from(["", "PHONE", 3]))
identifiers = st.one_of(
    st.fixed_dictionaries({"type": types, "token": tokens, "key_version": versions}),
    st.fixed_dictionaries({"type": types, "value": values}),
    st.fixed_dictionaries({"type": types, "value": values, "country": countries}),
    st.fixed_dictionaries(
        {"type": types},
        optional={
            "value": values,
            "token": tokens,
            "key_version": versions,
            "country": countries,
            "extra": st.just(1),
        },
    ),
    st.text(max_size=3),
)
purposes = st.one_of(
    st.just("seller_onboarding"),
    st.just("seller_onboarding"),
    st.just("listing_review"),
    st.sampled_from(["parcel_screening", "oversight", "nope", ""]),
    st.none(),
)
bodies = st.one_of(
    st.fixed_dictionaries(
        {"identifiers": st.lists(identifiers, min_size=1, max_size=3), "purpose": purposes}
    ),
    st.fixed_dictionaries(
        {"identifiers": st.lists(identifiers, min_size=1, max_size=3), "purpose": purposes}
    ),
    st.fixed_dictionaries({"identifiers": st.lists(identifiers, max_size=3), "purpose": purposes}),
    st.fixed_dictionaries(
        {"identifiers": st.lists(identifiers, max_size=2)},
        optional={"purpose": purposes, "extra": st.just("x")},
    ),
    st.lists(st.integers(), max_size=2),
)


def _plain(data):
    return json.loads(json.dumps(data))


@hypothesis_settings(
    max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies)
def test_what_the_plain_path_accepts_the_serializer_accepts_the_same(platform_analyst, body):
    organisation = platform_analyst.organisation
    plain = _check_run_input_plain(copy.deepcopy(body), organisation=organisation)
    serializer = CheckRunInput(data=copy.deepcopy(body), context={"organisation": organisation})
    if plain is not None:
        assert serializer.is_valid(), serializer.errors
        assert _plain(plain) == _plain(serializer.validated_data)


def test_the_usual_shapes_take_the_plain_path(platform_analyst):
    organisation = platform_analyst.organisation
    token = {"type": "phone", "token": "ab" * 64, "key_version": 1}
    value = {"type": "email", "value": "seller@example.com"}
    with_country = {"type": "phone", "value": "138 0013 8000", "country": "CN"}
    body = {"identifiers": [token, value, with_country], "purpose": "seller_onboarding"}

    assert _check_run_input_plain(body, organisation=organisation) == body
    assert check_run_input(body, organisation=organisation) == body


def test_a_refused_body_gets_the_serializers_per_field_errors(platform_analyst):
    from rest_framework.exceptions import ValidationError

    organisation = platform_analyst.organisation
    body = {"identifiers": [{"type": "phone", "token": "zz", "key_version": 1}], "purpose": "oversight"}
    with pytest.raises(ValidationError) as refused:
        check_run_input(body, organisation=organisation)
    assert set(refused.value.detail) == {"identifiers", "purpose"}

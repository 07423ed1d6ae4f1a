"""identifiers_tokenise evaluates a request's raw identifiers in one OPRF batch: same tokens, same order."""

from __future__ import annotations

import pytest

from hub.errors import DomainError
from hubcore import oprf
from hubcore.tokens import token_input
from sharing.crypto.tokens import hub_oprf_key, token_evaluate, tokens_evaluate
from sharing.subjects.services.tokens import RawIdentifier, SuppliedToken, identifiers_tokenise


def test_tokens_evaluate_gives_each_identifier_its_own_token_in_order():
    identifiers = [("phone", "+8613800138000"), ("email", "seller@example.com"), ("phone", "+442079460958")]
    key = hub_oprf_key()

    tokens = tokens_evaluate(identifiers)

    assert tokens == [token_evaluate(identifier_type=kind, canonical=value) for kind, value in identifiers]
    assert [token.value for token in tokens] == [
        oprf.evaluate(key.secret, token_input(identifier_type=kind, canonical=value)).hex()
        for kind, value in identifiers
    ]
    assert {token.key_version for token in tokens} == {key.version}
    assert tokens_evaluate([]) == []


def test_raw_and_supplied_identifiers_keep_their_order_and_spellings_of_one_number_are_one():
    version = hub_oprf_key().version
    supplied = SuppliedToken(type="phone", token="AB" * 64, key_version=version)
    items: list[RawIdentifier | SuppliedToken] = [
        RawIdentifier(type="email", value="Seller@Example.com"),
        supplied,
        RawIdentifier(type="phone", value="+86 138 0013 8000"),
        RawIdentifier(type="phone", value="+8613800138000"),  # the fast path's spelling of the same number
        RawIdentifier(type="phone", value="020 7946 0958", country="GB"),
    ]

    tokenised = identifiers_tokenise(identifiers=items, default_country="CN")

    assert [(item.type, item.canonical) for item in tokenised] == [
        ("email", "seller@example.com"),
        ("phone", None),
        ("phone", "+8613800138000"),
        ("phone", "+442079460958"),
    ]
    assert tokenised[1].token == "ab" * 64
    for item in (tokenised[0], tokenised[2], tokenised[3]):
        assert item.canonical is not None
        assert item.token == token_evaluate(identifier_type=item.type, canonical=item.canonical).value
        assert item.key_version == version


def test_every_bad_identifier_is_named_by_its_index():
    version = hub_oprf_key().version
    items: list[RawIdentifier | SuppliedToken] = [
        RawIdentifier(type="phone", value="+8613800138000"),
        RawIdentifier(type="phone", value="+86 138 0013 800"),
        SuppliedToken(type="phone", token="ab" * 64, key_version=version + 1),
    ]

    with pytest.raises(DomainError) as caught:
        identifiers_tokenise(identifiers=items, default_country="CN")

    assert sorted(caught.value.fields["identifiers"]) == ["1", "2"]
    assert "value" in caught.value.fields["identifiers"]["1"]
    assert "token" in caught.value.fields["identifiers"]["2"]

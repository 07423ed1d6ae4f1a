"""RFC 9497 OPRF (ristretto255-SHA512, mode OPRF): the RFC's vectors, blind/direct agreement, rejections."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hubcore.oprf import (
    KeyPair,
    OprfError,
    blind,
    blind_evaluate,
    blind_evaluate_batch,
    derive_key_pair,
    evaluate,
    evaluate_batch,
    finalize,
)

SUITE = json.loads((Path(__file__).parent.parent / "vectors" / "rfc9497_ristretto255_oprf.json").read_text())
VECTORS = SUITE["vectors"]
SEED = bytes.fromhex(SUITE["Seed"])
KEY_INFO = bytes.fromhex(SUITE["KeyInfo"])
SK_SM = bytes.fromhex(SUITE["skSm"])
# The two RFC 9497 vectors share one secret key and one blind.
ELEMENT_OF_VECTOR_1 = bytes.fromhex(VECTORS[0]["BlindedElement"])


def _vector_ids(vector: dict) -> str:
    return vector["name"]


def _b(vector: dict, field: str) -> bytes:
    return bytes.fromhex(vector[field])


def test_the_suite_file_is_the_rfc_ristretto255_oprf_mode_suite():
    assert SUITE["identifier"] == "ristretto255-SHA512"
    assert SUITE["mode"] == 0
    assert len(VECTORS) == 2


def test_derive_key_pair_matches_the_rfc_secret_key():
    key_pair = derive_key_pair(SEED, KEY_INFO)

    assert key_pair.secret == SK_SM
    assert len(key_pair.public) == 32


@pytest.mark.parametrize("vector", VECTORS, ids=_vector_ids)
def test_blind_matches_the_rfc_blinded_element(vector):
    input_, blind_scalar = _b(vector, "Input"), _b(vector, "Blind")

    returned_blind, blinded_element = blind(input_, blind_scalar=blind_scalar)

    assert returned_blind == blind_scalar
    assert blinded_element == _b(vector, "BlindedElement")


@pytest.mark.parametrize("vector", VECTORS, ids=_vector_ids)
def test_blind_evaluate_matches_the_rfc_evaluation_element(vector):
    blinded_element = _b(vector, "BlindedElement")

    evaluated_element = blind_evaluate(SK_SM, blinded_element)

    assert evaluated_element == _b(vector, "EvaluationElement")


@pytest.mark.parametrize("vector", VECTORS, ids=_vector_ids)
def test_finalize_matches_the_rfc_output(vector):
    input_, blind_scalar = _b(vector, "Input"), _b(vector, "Blind")

    output = finalize(input_, blind_scalar, _b(vector, "EvaluationElement"))

    assert output == _b(vector, "Output")


@pytest.mark.parametrize("vector", VECTORS, ids=_vector_ids)
def test_direct_evaluate_matches_the_rfc_output(vector):
    input_ = _b(vector, "Input")

    output = evaluate(SK_SM, input_)

    assert output == _b(vector, "Output")


def test_batch_evaluation_matches_one_by_one_evaluation():
    blinded_elements = [_b(vector, "BlindedElement") for vector in VECTORS]

    evaluated_elements = blind_evaluate_batch(SK_SM, blinded_elements)

    assert evaluated_elements == [_b(vector, "EvaluationElement") for vector in VECTORS]
    assert blind_evaluate_batch(SK_SM, []) == []


def test_direct_batch_evaluation_matches_the_rfc_outputs_in_order():
    inputs = [_b(vector, "Input") for vector in VECTORS]

    outputs = evaluate_batch(SK_SM, inputs + inputs[::-1])

    expected = [_b(vector, "Output") for vector in VECTORS]
    assert outputs == expected + expected[::-1]
    assert evaluate_batch(SK_SM, []) == []


def test_direct_batch_evaluation_matches_one_by_one_evaluation_under_another_key():
    key_pair = derive_key_pair(SEED, b"another key")
    inputs = [b"", b"phone\x00+8613800138000", os.urandom(300)]

    assert evaluate_batch(key_pair.secret, inputs) == [evaluate(key_pair.secret, data) for data in inputs]


def test_a_direct_batch_with_one_invalid_input_or_a_bad_key_is_rejected_whole():
    with pytest.raises(OprfError):
        evaluate_batch(SK_SM, [b"seller", b"\x00" * 65536])
    with pytest.raises(OprfError):
        evaluate_batch(SK_SM, [b"seller", "seller"])  # type: ignore[list-item]
    for scalar in INVALID_SCALARS.values():
        with pytest.raises(OprfError):
            evaluate_batch(scalar, [b"seller"])
        with pytest.raises(OprfError):
            evaluate_batch(scalar, [])


@pytest.mark.parametrize("length", [0, 1, 17, 64, 300])
def test_random_blinds_give_the_same_output_as_direct_evaluation(length):
    input_ = os.urandom(length)
    key_pair = derive_key_pair(os.urandom(32), b"random key")

    first_blind, first_blinded = blind(input_)
    second_blind, second_blinded = blind(input_)
    first = finalize(input_, first_blind, blind_evaluate(key_pair.secret, first_blinded))
    second = finalize(input_, second_blind, blind_evaluate(key_pair.secret, second_blinded))

    assert first_blind != second_blind
    assert first_blinded != second_blinded
    assert first == second == evaluate(key_pair.secret, input_)
    assert len(first) == 64


def test_different_keys_give_different_outputs():
    first_key = derive_key_pair(SEED, b"key one")
    second_key = derive_key_pair(SEED, b"key two")

    first, second = evaluate(first_key.secret, b"seller"), evaluate(second_key.secret, b"seller")

    assert first_key.secret != second_key.secret
    assert first != second


def test_different_inputs_give_different_outputs():
    first, second = evaluate(SK_SM, b"seller-1"), evaluate(SK_SM, b"seller-2")

    assert first != second


NON_CANONICAL = bytes.fromhex("ed" + "ff" * 30 + "7f")  # field element p itself, not reduced
NEGATIVE = bytes.fromhex("01" + "00" * 31)  # a "negative" (odd) field element
INVALID_ELEMENTS = {
    "empty": b"",
    "31-bytes": ELEMENT_OF_VECTOR_1[:31],
    "33-bytes": ELEMENT_OF_VECTOR_1 + b"\x00",
    "all-0xff": b"\xff" * 32,
    "identity": bytes(32),
    "non-canonical": NON_CANONICAL,
    "negative": NEGATIVE,
    "not-bytes": bytearray(ELEMENT_OF_VECTOR_1),
}


@pytest.mark.parametrize("element", INVALID_ELEMENTS.values(), ids=INVALID_ELEMENTS.keys())
def test_blind_evaluate_rejects_invalid_elements(element):
    with pytest.raises(OprfError):
        blind_evaluate(SK_SM, element)


@pytest.mark.parametrize("element", INVALID_ELEMENTS.values(), ids=INVALID_ELEMENTS.keys())
def test_finalize_rejects_invalid_evaluated_elements(element):
    blind_scalar = _b(VECTORS[0], "Blind")

    with pytest.raises(OprfError):
        finalize(b"\x00", blind_scalar, element)


def test_a_batch_with_one_invalid_element_is_rejected_whole():
    blinded_elements = [ELEMENT_OF_VECTOR_1, bytes(32)]

    with pytest.raises(OprfError):
        blind_evaluate_batch(SK_SM, blinded_elements)


INVALID_SCALARS = {
    "short": SK_SM[:31],
    "long": SK_SM + b"\x00",
    "zero": bytes(32),
    "unreduced": b"\xff" * 32,
}


@pytest.mark.parametrize("scalar", INVALID_SCALARS.values(), ids=INVALID_SCALARS.keys())
def test_invalid_scalars_are_rejected_everywhere(scalar):
    evaluated_element = _b(VECTORS[0], "EvaluationElement")

    with pytest.raises(OprfError):
        evaluate(scalar, b"seller")
    with pytest.raises(OprfError):
        blind_evaluate(scalar, ELEMENT_OF_VECTOR_1)
    with pytest.raises(OprfError):
        blind(b"seller", blind_scalar=scalar)
    with pytest.raises(OprfError):
        finalize(b"seller", scalar, evaluated_element)


def test_over_long_inputs_and_bad_seeds_are_rejected():
    too_long = b"\x00" * 65536

    with pytest.raises(OprfError):
        evaluate(SK_SM, too_long)
    with pytest.raises(OprfError):
        blind(too_long)
    with pytest.raises(OprfError):
        derive_key_pair(SEED[:31], KEY_INFO)
    with pytest.raises(OprfError):
        derive_key_pair(SEED, too_long)


def test_error_messages_do_not_echo_the_input():
    secret_input = b"seller:" + b"\xab" * 65536

    with pytest.raises(OprfError) as too_long:
        evaluate(SK_SM, secret_input)
    with pytest.raises(OprfError) as bad_element:
        blind_evaluate(SK_SM, NON_CANONICAL)

    for message in (str(too_long.value), str(bad_element.value)):
        assert "seller" not in message and "abab" not in message and "\\x" not in message
        assert NON_CANONICAL.hex()[:8] not in message


def test_key_pair_repr_hides_the_secret():
    key_pair = derive_key_pair(SEED, KEY_INFO)

    shown = repr(key_pair)

    assert isinstance(key_pair, KeyPair)
    assert SK_SM.hex() not in shown
    assert key_pair.public.hex() in shown

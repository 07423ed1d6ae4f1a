"""Envelope encryption of the restricted tier: round trip, bindings, tampering, rotation."""

from __future__ import annotations

import pytest

from hub.envelope import EnvelopeError, Sealed, associated_data, open_sealed, rewrap, seal
from hub.keys import parse_key_ring

KEYS_V1 = parse_key_ring("test", "1:" + "11" * 32)
KEYS_V1_V2 = parse_key_ring("test", "1:" + "11" * 32 + ",2:" + "22" * 32)
KEYS_V2_ONLY = parse_key_ring("test", "2:" + "22" * 32)
AAD = associated_data(record_id="report:abc", field="statement", data_class="restricted")


def test_round_trip_and_ciphertext_hides_the_plaintext():
    sealed = seal(b"secret statement", aad=AAD, keys=KEYS_V1)

    assert open_sealed(sealed, aad=AAD, keys=KEYS_V1) == b"secret statement"
    assert b"secret statement" not in sealed.ciphertext + sealed.wrapped_key
    assert sealed.kek_version == 1


def test_each_record_gets_a_fresh_data_key_and_nonce():
    first, second = seal(b"same", aad=AAD, keys=KEYS_V1), seal(b"same", aad=AAD, keys=KEYS_V1)

    assert first.ciphertext != second.ciphertext
    assert first.wrapped_key != second.wrapped_key


@pytest.mark.parametrize(
    "moved_to",
    [
        associated_data(record_id="report:other", field="statement", data_class="restricted"),
        associated_data(record_id="report:abc", field="identifiers", data_class="restricted"),
        associated_data(record_id="report:abc", field="statement", data_class="shareable"),
    ],
    ids=["other-record", "other-field", "other-data-class"],
)
def test_a_ciphertext_moved_to_another_binding_does_not_open(moved_to):
    sealed = seal(b"secret", aad=AAD, keys=KEYS_V1)

    with pytest.raises(EnvelopeError):
        open_sealed(sealed, aad=moved_to, keys=KEYS_V1)


@pytest.mark.parametrize("part", ["ciphertext", "wrapped_key"])
def test_a_flipped_bit_is_rejected(part):
    sealed = seal(b"secret", aad=AAD, keys=KEYS_V1)
    blob = bytearray(getattr(sealed, part))
    blob[-1] ^= 0x01
    tampered = Sealed(**{**sealed.__dict__, part: bytes(blob)})

    with pytest.raises(EnvelopeError):
        open_sealed(tampered, aad=AAD, keys=KEYS_V1)


def test_the_wrong_key_is_rejected():
    sealed = seal(b"secret", aad=AAD, keys=KEYS_V1)
    wrong = parse_key_ring("test", "1:" + "33" * 32)

    with pytest.raises(EnvelopeError):
        open_sealed(sealed, aad=AAD, keys=wrong)


def test_rewrap_changes_only_the_wrapped_key_and_survives_destroying_the_old_kek():
    sealed = seal(b"secret", aad=AAD, keys=KEYS_V1)

    rotated = rewrap(sealed, aad=AAD, keys=KEYS_V1_V2)

    assert rotated.kek_version == 2
    assert rotated.ciphertext == sealed.ciphertext
    assert open_sealed(rotated, aad=AAD, keys=KEYS_V2_ONLY) == b"secret"
    with pytest.raises(EnvelopeError):
        open_sealed(sealed, aad=AAD, keys=KEYS_V2_ONLY)

"""RFC 9497 OPRF, mode OPRF (0x00), suite ristretto255-SHA512.

Group operations come from libsodium (via rbcl); this module only holds the RFC's protocol glue:
expand_message_xmd (RFC 9380 §5.3.1), HashToGroup, HashToScalar, DeriveKeyPair, Blind,
BlindEvaluate, Finalize and the server-side direct Evaluate. Scalars are 32-byte little-endian,
elements 32-byte canonical ristretto255 encodings, outputs 64 bytes. Error messages never echo
caller-supplied bytes.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import rbcl

MODE_OPRF = 0x00
SUITE_IDENTIFIER = b"ristretto255-SHA512"
CONTEXT_STRING = b"OPRFV1-" + MODE_OPRF.to_bytes(1, "big") + b"-" + SUITE_IDENTIFIER
HASH_TO_GROUP_DST = b"HashToGroup-" + CONTEXT_STRING
HASH_TO_SCALAR_DST = b"HashToScalar-" + CONTEXT_STRING
DERIVE_KEY_PAIR_DST = b"DeriveKeyPair" + CONTEXT_STRING

ELEMENT_BYTES = 32  # Noe
SCALAR_BYTES = 32  # Nsk
SEED_BYTES = 32  # Ns
OUTPUT_BYTES = 64  # Nh
_UNIFORM_BYTES = 64  # bytes fed to the ristretto255 map and to scalar reduction
_SHA512_BLOCK_BYTES = 128  # s_in_bytes
_SHA512_DIGEST_BYTES = 64  # b_in_bytes
_MAX_LENGTH_PREFIXED = 0xFFFF  # anything framed with I2OSP(len, 2)
_IDENTITY = bytes(ELEMENT_BYTES)
_ZERO_SCALAR = bytes(SCALAR_BYTES)


class OprfError(ValueError):
    """An OPRF input was invalid (bad element, bad scalar, over-long input) or a derivation failed."""


@dataclass(frozen=True)
class KeyPair:
    """A server key pair: secret is a 32-byte little-endian scalar, public its 32-byte element."""

    secret: bytes
    public: bytes

    def __repr__(self) -> str:
        """Show the public key only, never the secret."""
        return f"KeyPair(public={self.public.hex()})"


def _i2osp(value: int, length: int) -> bytes:
    """Encode a non-negative integer as a big-endian byte string of the given length."""
    return value.to_bytes(length, "big")


def _length_prefixed(data: bytes, what: str) -> bytes:
    """Return I2OSP(len(data), 2) ‖ data, rejecting data too long for a 2-byte length."""
    if len(data) > _MAX_LENGTH_PREFIXED:
        raise OprfError(f"{what} is longer than {_MAX_LENGTH_PREFIXED} bytes")
    return _i2osp(len(data), 2) + data


def expand_message_xmd(msg: bytes, dst: bytes, len_in_bytes: int) -> bytes:
    """RFC 9380 §5.3.1 expand_message_xmd with SHA-512."""
    ell = -(-len_in_bytes // _SHA512_DIGEST_BYTES)
    if ell > 255 or len_in_bytes > _MAX_LENGTH_PREFIXED or len(dst) > 255:
        raise OprfError("expand_message_xmd parameters out of range")
    dst_prime = dst + _i2osp(len(dst), 1)
    msg_prime = bytes(_SHA512_BLOCK_BYTES) + msg + _i2osp(len_in_bytes, 2) + b"\x00" + dst_prime
    b_0 = hashlib.sha512(msg_prime).digest()
    b_i = hashlib.sha512(b_0 + b"\x01" + dst_prime).digest()
    uniform = [b_i]
    for i in range(2, ell + 1):
        mixed = bytes(x ^ y for x, y in zip(b_0, b_i))
        b_i = hashlib.sha512(mixed + _i2osp(i, 1) + dst_prime).digest()
        uniform.append(b_i)
    return b"".join(uniform)[:len_in_bytes]


def hash_to_group(msg: bytes) -> bytes:
    """HashToGroup: hash_to_ristretto255 (RFC 9380) with the suite's HashToGroup DST."""
    uniform = expand_message_xmd(msg, HASH_TO_GROUP_DST, _UNIFORM_BYTES)
    return rbcl.crypto_core_ristretto255_from_hash(uniform)


def hash_to_scalar(msg: bytes, dst: bytes = HASH_TO_SCALAR_DST) -> bytes:
    """HashToScalar: expand to 64 bytes, read little-endian, reduce modulo the group order."""
    uniform = expand_message_xmd(msg, dst, _UNIFORM_BYTES)
    return rbcl.crypto_core_ristretto255_scalar_reduce(uniform)


def _check_element(element: bytes, what: str) -> bytes:
    """Return element if it is a canonical, non-identity ristretto255 encoding, else raise."""
    if not isinstance(element, bytes) or len(element) != ELEMENT_BYTES:
        raise OprfError(f"{what} must be {ELEMENT_BYTES} bytes")
    if element == _IDENTITY:
        raise OprfError(f"{what} is the identity element")
    if not rbcl.crypto_core_ristretto255_is_valid_point(element):
        raise OprfError(f"{what} is not a valid ristretto255 encoding")
    return element


def element_is_valid(element: bytes) -> bool:
    """Whether a blinded or evaluated element may be used (canonical, not the identity)."""
    try:
        _check_element(element, "element")
    except OprfError:
        return False
    return True


def _check_scalar(scalar: bytes, what: str) -> bytes:
    """Return scalar if it is a canonical (reduced), non-zero 32-byte scalar, else raise."""
    if not isinstance(scalar, bytes) or len(scalar) != SCALAR_BYTES:
        raise OprfError(f"{what} must be {SCALAR_BYTES} bytes")
    if hmac.compare_digest(scalar, _ZERO_SCALAR):  # constant time: scalars are often secret
        raise OprfError(f"{what} must not be zero")
    reduced = rbcl.crypto_core_ristretto255_scalar_reduce(scalar + bytes(SCALAR_BYTES))
    if not hmac.compare_digest(reduced, scalar):
        raise OprfError(f"{what} is not reduced modulo the group order")
    return scalar


def _scalar_mult(scalar: bytes, element: bytes) -> bytes:
    """Multiply a checked element by a checked scalar; raise if the result is the identity."""
    try:
        return rbcl.crypto_scalarmult_ristretto255(scalar, element)
    except RuntimeError:
        raise OprfError("scalar multiplication gave the identity element") from None


def _check_input(input: bytes) -> bytes:
    """Return input if it is bytes short enough for its 2-byte length prefix, else raise."""
    if not isinstance(input, bytes):
        raise OprfError("input must be bytes")
    if len(input) > _MAX_LENGTH_PREFIXED:
        raise OprfError(f"input is longer than {_MAX_LENGTH_PREFIXED} bytes")
    return input


def _input_element(input: bytes) -> bytes:
    """HashToGroup(input), rejecting the identity as RFC 9497 requires."""
    element = hash_to_group(input)
    if element == _IDENTITY:
        raise OprfError("input hashed to the identity element")
    return element


def _finalize_hash(input: bytes, unblinded_element: bytes) -> bytes:
    """SHA-512(I2OSP(len(input),2) ‖ input ‖ I2OSP(len(element),2) ‖ element ‖ "Finalize")."""
    hash_input = (
        _length_prefixed(input, "input")
        + _length_prefixed(unblinded_element, "unblinded element")
        + b"Finalize"
    )
    return hashlib.sha512(hash_input).digest()


def derive_key_pair(seed: bytes, info: bytes) -> KeyPair:
    """RFC 9497 §3.2.1 DeriveKeyPair: a deterministic key pair from a 32-byte seed and info."""
    if not isinstance(seed, bytes) or len(seed) != SEED_BYTES:
        raise OprfError(f"seed must be {SEED_BYTES} bytes")
    if not isinstance(info, bytes):
        raise OprfError("info must be bytes")
    derive_input = seed + _length_prefixed(info, "info")
    for counter in range(256):
        secret = hash_to_scalar(derive_input + _i2osp(counter, 1), DERIVE_KEY_PAIR_DST)
        if not hmac.compare_digest(secret, _ZERO_SCALAR):
            return KeyPair(secret=secret, public=rbcl.crypto_scalarmult_ristretto255_base(secret))
    raise OprfError("DeriveKeyPair found no non-zero scalar")


def blind(input: bytes, *, blind_scalar: bytes | None = None) -> tuple[bytes, bytes]:
    """Client Blind: return (blind, blinded_element); the blind is random unless given."""
    if blind_scalar is None:
        blind_scalar = rbcl.crypto_core_ristretto255_scalar_random()
    _check_scalar(blind_scalar, "blind")
    _check_input(input)
    blinded_element = _scalar_mult(blind_scalar, _input_element(input))
    return blind_scalar, blinded_element


def blind_evaluate(secret: bytes, blinded_element: bytes) -> bytes:
    """Server BlindEvaluate: multiply a validated blinded element by the secret scalar."""
    _check_scalar(secret, "secret key")
    _check_element(blinded_element, "blinded element")
    return _scalar_mult(secret, blinded_element)


def blind_evaluate_batch(secret: bytes, blinded_elements: list[bytes]) -> list[bytes]:
    """BlindEvaluate each blinded element under one secret; any invalid element fails the batch."""
    _check_scalar(secret, "secret key")
    for element in blinded_elements:
        _check_element(element, "blinded element")
    return [_scalar_mult(secret, element) for element in blinded_elements]


def finalize(input: bytes, blind: bytes, evaluated_element: bytes) -> bytes:
    """Client Finalize: unblind the evaluated element and hash it with the input (64 bytes)."""
    _check_input(input)
    _check_scalar(blind, "blind")
    _check_element(evaluated_element, "evaluated element")
    inverse = rbcl.crypto_core_ristretto255_scalar_invert(blind)
    return _finalize_hash(input, _scalar_mult(inverse, evaluated_element))


def evaluate(secret: bytes, input: bytes) -> bytes:
    """Server-side direct Evaluate (RFC 9497 §3.3.1); equals the blinded protocol's output."""
    _check_scalar(secret, "secret key")
    _check_input(input)
    return _finalize_hash(input, _scalar_mult(secret, _input_element(input)))


def evaluate_batch(secret: bytes, inputs: list[bytes]) -> list[bytes]:
    """Evaluate each input under one secret, checked once; any invalid input fails the batch."""
    _check_scalar(secret, "secret key")
    for input in inputs:
        _check_input(input)
    return [_finalize_hash(input, _scalar_mult(secret, _input_element(input))) for input in inputs]

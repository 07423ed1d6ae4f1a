"""Sales totals under Paillier (phe, with gmpy2 when importable): what the hub and hubctl must agree on.

The requester's key pair is made and kept by hubctl; the hub sees only the modulus n. A member
encrypts three non-negative integers (gross sales in minor currency units, orders, units) under n;
ciphertexts travel as decimal strings. The hub checks each is well formed for n, adds them
homomorphically, re-randomises the sums and releases them with a signed statement naming the
SHA-256 of the aggregate (docs/formats.md, "Sales totals statement").
"""

from __future__ import annotations

import hashlib
import json
import math

from phe import paillier

from hubcore.canonical import canonical_json
from hubcore.packages import sshsig_verify

MIN_KEY_BITS = 3072
FIGURES = ("gross_minor", "orders", "units")
STATEMENT_FORMAT = "iih-sales-totals-statement/1"
STATEMENT_NAMESPACE = "iih-sales-totals"
PRIVATE_KEY_FORMAT = "iih-paillier-private-key/1"


class PaillierInputError(ValueError):
    """A key, a figure or a ciphertext that cannot be used; `code` says which rule it broke."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def modulus_parse(text: str | int) -> int:
    """A Paillier modulus given as decimal digits: an odd integer of at least MIN_KEY_BITS bits."""
    if isinstance(text, int):
        n = text
    else:
        digits = str(text).strip()
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 2000:
            raise PaillierInputError("not_decimal", "The public key n must be given in decimal digits.")
        n = int(digits)
    if n.bit_length() < MIN_KEY_BITS:
        raise PaillierInputError("too_short", f"The public key must be at least {MIN_KEY_BITS} bits.")
    if n % 2 == 0:
        raise PaillierInputError("even", "A Paillier modulus is odd.")
    return n


def ciphertext_parse(text: str, n: int) -> int:
    """A ciphertext for modulus n: decimal digits, 0 < c < n², gcd(c, n) = 1."""
    digits = str(text).strip()
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 4000:
        raise PaillierInputError("not_decimal", "A ciphertext must be given in decimal digits.")
    c = int(digits)
    if not 0 < c < n * n or math.gcd(c, n) != 1:
        raise PaillierInputError("not_for_key", "The ciphertext is not well formed for this key.")
    return c


def keypair_generate(
    bits: int = MIN_KEY_BITS,
) -> tuple[paillier.PaillierPublicKey, paillier.PaillierPrivateKey]:
    """A new key pair of `bits` bits (never fewer than MIN_KEY_BITS)."""
    if bits < MIN_KEY_BITS:
        raise PaillierInputError("too_short", f"The key must be at least {MIN_KEY_BITS} bits.")
    return paillier.generate_paillier_keypair(n_length=bits)


def private_key_dump(private_key: paillier.PaillierPrivateKey) -> bytes:
    """The private key file hubctl writes (JSON: format, n, p, q)."""
    body = {
        "format": PRIVATE_KEY_FORMAT,
        "n": str(private_key.public_key.n),
        "p": str(private_key.p),
        "q": str(private_key.q),
    }
    return (json.dumps(body, indent=2) + "\n").encode()


def private_key_load(data: bytes) -> paillier.PaillierPrivateKey:
    """Read a private key file written by private_key_dump; PaillierInputError if it is not one."""
    try:
        body = json.loads(data)
        n, p, q = int(body["n"]), int(body["p"]), int(body["q"])
    except (ValueError, KeyError, TypeError):
        raise PaillierInputError("bad_key_file", "Not a hubctl Paillier private key file.") from None
    if body.get("format") != PRIVATE_KEY_FORMAT or p * q != n:
        raise PaillierInputError("bad_key_file", "Not a hubctl Paillier private key file.")
    return paillier.PaillierPrivateKey(paillier.PaillierPublicKey(n), p, q)


def figures_encrypt(n: int, figures: dict[str, int]) -> dict[str, str]:
    """Encrypt each figure (a non-negative integer) under n; decimal ciphertexts by figure name."""
    public_key = paillier.PaillierPublicKey(n)
    out = {}
    for name in FIGURES:
        value = figures[name]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > public_key.max_int:
            raise PaillierInputError("bad_figure", f"{name} must be a non-negative integer.")
        out[name] = str(public_key.encrypt(value).ciphertext(be_secure=True))
    return out


def ciphertexts_sum(n: int, submissions: list[dict[str, int]]) -> dict[str, str]:
    """Add each figure's ciphertexts homomorphically and re-randomise each sum (phe's obfuscate)."""
    public_key = paillier.PaillierPublicKey(n)
    out = {}
    for name in FIGURES:
        total = paillier.EncryptedNumber(public_key, submissions[0][name], 0)
        for submission in submissions[1:]:
            total = total + paillier.EncryptedNumber(public_key, submission[name], 0)
        total.obfuscate()
        out[name] = str(total.ciphertext(be_secure=False))
    return out


def aggregate_decrypt(private_key: paillier.PaillierPrivateKey, aggregate: dict[str, str]) -> dict[str, int]:
    """Decrypt the released sums with the requester's private key."""
    public_key = private_key.public_key
    return {
        name: private_key.decrypt(
            paillier.EncryptedNumber(public_key, ciphertext_parse(aggregate[name], public_key.n), 0)
        )
        for name in FIGURES
    }


def aggregate_sha256(aggregate: dict[str, str]) -> str:
    """SHA-256 (hex) of the aggregate's canonical JSON ({figure: decimal ciphertext})."""
    return hashlib.sha256(canonical_json({name: aggregate[name] for name in FIGURES})).hexdigest()


def modulus_sha256(n: int) -> str:
    """SHA-256 (hex) of the modulus's decimal digits: names the requester's key in the statement."""
    return hashlib.sha256(str(n).encode()).hexdigest()


def statement_verify(
    statement: str, signature: str, hub_public_key: bytes, aggregate: dict[str, str]
) -> dict:
    """Check the hub's signature on the statement and that it names this aggregate; the statement.

    Raises hubcore.packages.PackageError when the signature does not verify, PaillierInputError when
    the statement is not one or names another aggregate."""
    sshsig_verify(statement.encode("utf-8"), signature.encode("ascii"), hub_public_key, STATEMENT_NAMESPACE)
    try:
        body = json.loads(statement)
    except ValueError:
        raise PaillierInputError("bad_statement", "The statement is not JSON.") from None
    if not isinstance(body, dict) or body.get("format") != STATEMENT_FORMAT:
        raise PaillierInputError("bad_statement", "Not a sales totals statement.")
    if body.get("aggregate_sha256") != aggregate_sha256(aggregate):
        raise PaillierInputError(
            "other_aggregate", "The statement names another aggregate than the one served."
        )
    return body

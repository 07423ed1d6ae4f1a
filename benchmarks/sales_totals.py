"""Paillier sales totals (hubcore/paillier.py, phe with gmpy2) against their floor.

    python benchmarks/sales_totals.py [--bits 3072] [--platforms 10] [--accounts 50] [--repeat 20]

Hub figures: one encryption (hubcore.paillier.figures_encrypt, per figure), one homomorphic addition
(EncryptedNumber +), one re-randomisation (obfuscate), one decryption (PaillierPrivateKey.decrypt),
and a realistic request: P platforms each with A matched accounts total their figures locally and
encrypt the three totals (gross, orders, units); the hub checks every ciphertext for the key, adds
them and re-randomises the sums; the requester decrypts the three. The same request with every
account encrypted separately (P x A x 3 encryptions) shows what totalling first saves.

Floors: the one modular exponentiation each step cannot avoid, bare gmpy2: r^n mod n^2 for an
encryption and a re-randomisation, a product mod n^2 for an addition, and c^(p-1) mod p^2 plus
c^(q-1) mod q^2 (CRT) for a decryption. Target: hub >= 80% of the floor's rate for each.
No database is needed; nothing is written.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def timed(repeat: int, fn) -> float:
    """Seconds per call, best of three runs of `repeat` calls."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(repeat):
            fn()
        best = min(best, (time.perf_counter() - started) / repeat)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bits", type=int, default=3072)
    parser.add_argument("--platforms", type=int, default=10)
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    import gmpy2
    from phe import paillier as phe

    from hubcore import paillier

    started = time.perf_counter()
    public_key, private_key = paillier.keypair_generate(args.bits)
    keygen = time.perf_counter() - started
    n, nsquare = public_key.n, public_key.nsquare
    p, q = private_key.p, private_key.q
    figures = {"gross_minor": 123_456_789, "orders": 4_321, "units": 9_876}
    one = {name: int(c) for name, c in paillier.figures_encrypt(n, figures).items()}
    a = phe.EncryptedNumber(public_key, one["gross_minor"], 0)
    b = phe.EncryptedNumber(public_key, one["orders"], 0)
    r = gmpy2.mpz(secrets.randbelow(n - 1) + 1)
    c, c2 = gmpy2.mpz(one["gross_minor"]), gmpy2.mpz(one["orders"])
    psquare, qsquare = gmpy2.mpz(p) ** 2, gmpy2.mpz(q) ** 2
    ns = gmpy2.mpz(nsquare)

    def obfuscated():
        x = phe.EncryptedNumber(public_key, one["units"], 0)
        x.obfuscate()

    rows = [
        (
            "encryption (one figure)",
            lambda: public_key.encrypt(123_456_789).ciphertext(be_secure=True),
            lambda: gmpy2.powmod(r, n, ns),
        ),
        ("addition", lambda: a + b, lambda: gmpy2.t_mod(c * c2, ns)),
        ("re-randomisation", obfuscated, lambda: gmpy2.powmod(r, n, ns)),
        (
            "decryption",
            lambda: private_key.decrypt(a),
            lambda: (gmpy2.powmod(c, p - 1, psquare), gmpy2.powmod(c, q - 1, qsquare)),
        ),
    ]
    print(
        f"Paillier with phe + gmpy2 {gmpy2.version()}; n = {n.bit_length()} bits (keygen {keygen:.2f} s); "
        f"best of 3 x {args.repeat}, one process, one core"
    )
    for name, hub, floor in rows:
        hub_s, floor_s = timed(args.repeat, hub), timed(args.repeat, floor)
        print(
            f"  {name:<24} hub {hub_s * 1e3:8.2f} ms   floor {floor_s * 1e3:8.2f} ms   "
            f"ratio {floor_s / hub_s:.2f} (target >= 0.80)"
        )

    # A realistic request: P platforms x A accounts; each platform totals its accounts and encrypts 3 figures.
    accounts = [
        [
            {"gross_minor": 10_000 + i * 7 + k, "orders": 3 + k % 5, "units": 4 + k % 7}
            for k in range(args.accounts)
        ]
        for i in range(args.platforms)
    ]
    truth = {name: sum(acc[name] for platform in accounts for acc in platform) for name in paillier.FIGURES}
    started = time.perf_counter()
    submitted = []
    for platform in accounts:
        totals = {name: sum(acc[name] for acc in platform) for name in paillier.FIGURES}
        submitted.append(paillier.figures_encrypt(n, totals))
    members = time.perf_counter() - started
    started = time.perf_counter()
    parsed = [{name: paillier.ciphertext_parse(s[name], n) for name in paillier.FIGURES} for s in submitted]
    aggregate = paillier.ciphertexts_sum(n, parsed)
    hub = time.perf_counter() - started
    started = time.perf_counter()
    decrypted = paillier.aggregate_decrypt(private_key, aggregate)
    requester = time.perf_counter() - started
    assert decrypted == truth, (decrypted, truth)
    print(f"realistic request: {args.platforms} platforms x {args.accounts} accounts, totalled per platform")
    print(
        f"  members encrypt {args.platforms} x 3 figures: {members:.3f} s in all "
        f"({members / args.platforms * 1e3:.1f} ms per platform)"
    )
    print(f"  hub checks {3 * args.platforms} ciphertexts, adds and re-randomises: {hub * 1e3:.1f} ms")
    print(f"  requester decrypts 3 sums: {requester * 1e3:.1f} ms   (sum correct: {decrypted == truth})")
    started = time.perf_counter()
    for platform in accounts[:1]:
        for account in platform:
            paillier.figures_encrypt(n, account)
    per_account = (time.perf_counter() - started) * args.platforms
    print(
        f"  the same with every account encrypted separately: about {per_account:.2f} s of member time "
        f"({args.platforms * args.accounts * 3} encryptions), {per_account / members:.0f}x more"
    )


if __name__ == "__main__":
    main()

"""Server-side tokenisation rate against its floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_bench python benchmarks/tokenise.py [N]

Hub figure: sharing.subjects.services.tokens.identifiers_tokenise over N raw phone numbers (normalise +
OPRF Evaluate each), in batches of 10 as a check request sends them. Floors: bare
oprf.evaluate on the same canonical inputs, and bare rbcl.crypto_scalarmult_ristretto255 (the one
group operation Evaluate cannot avoid). Target: hub rate >= 80% of the bare evaluate rate.
No database access is needed (settings are loaded for the OPRF key).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import django_setup  # noqa: E402


def rate(n: int, fn) -> float:
    started = time.perf_counter()
    fn()
    return n / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("n", type=int, nargs="?", default=20_000, help="raw phone numbers (default 20000)")
    args = parser.parse_args()
    n = args.n
    django_setup()
    import rbcl

    from hubcore import oprf
    from hubcore.tokens import token_input
    from sharing.crypto.tokens import hub_oprf_key
    from sharing.subjects.services.tokens import RawIdentifier, identifiers_tokenise

    phones = [f"+86 138 {i // 10000 % 10000:04d} {i % 10000:04d}" for i in range(n)]
    raw = [RawIdentifier(type="phone", value=p) for p in phones]
    key = hub_oprf_key()
    canonical = [t.canonical for t in identifiers_tokenise(identifiers=raw[:10], default_country="CN")]
    inputs = [token_input(identifier_type="phone", canonical=f"+86138{i:08d}") for i in range(n)]
    element = oprf.hash_to_group(inputs[0])
    identifiers_tokenise(
        identifiers=raw[:100], default_country="CN"
    )  # warm caches (key derivation, phonenumbers)

    def hub() -> None:
        for start in range(0, n, 10):
            identifiers_tokenise(identifiers=raw[start : start + 10], default_country="CN")

    def bare() -> None:
        for data in inputs:
            oprf.evaluate(key.secret, data)

    def scalarmult() -> None:
        for _ in range(n):
            rbcl.crypto_scalarmult_ristretto255(key.secret, element)

    results = {
        name: max(rate(n, fn) for _ in range(2))
        for name, fn in (
            ("hub identifiers_tokenise", hub),
            ("bare oprf.evaluate", bare),
            ("bare rbcl scalarmult", scalarmult),
        )
    }
    print(f"N = {n} raw phones (canonical form e.g. {canonical[0]!r}); best of 2 runs, one process, one core")
    for name, value in results.items():
        print(f"  {name:<26} {value:>10.0f} /s   {1e6 / value:>7.1f} µs each")
    hub_rate, floor = results["hub identifiers_tokenise"], results["bare oprf.evaluate"]
    print(
        f"floor (bare evaluate): {floor:.0f}/s   hub: {hub_rate:.0f}/s   ratio: {hub_rate / floor:.2f} (target >= 0.80)"
    )
    print(f"hub vs bare scalarmult: {hub_rate / results['bare rbcl scalarmult']:.2f}")


if __name__ == "__main__":
    main()

"""Server-side tokenisation rate against its floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_bench python benchmarks/tokenise.py [N] [--rounds R]

Hub figures: sharing.subjects.services.tokens.identifiers_tokenise over N raw phone numbers (normalise +
OPRF Evaluate each), in batches of 10 as a check request sends them, for three spellings of the same
numbers: canonical E.164 ("+8613800000001", what members mostly send, and what the normaliser's fast
path takes without a parse), spaced international ("+86 138 0000 0001") and national ("138 0000 0001",
read in the default country CN); the last two are parsed by libphonenumber. Floors: bare oprf.evaluate
on the same canonical inputs, and bare rbcl.crypto_scalarmult_ristretto255 (the one group operation
Evaluate cannot avoid). Target: hub rate on canonical E.164 input >= 80% of the bare evaluate rate.

Each loop is timed in CPU time of this process (time.process_time), and the loops take turns for
R rounds (default 3), best round kept: on a shared machine wall time mostly measures the other
processes, and turns spread their load over every loop alike. No database access is needed (settings
are loaded for the OPRF key).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import django_setup  # noqa: E402

TARGET = 0.80


def cpu_seconds(fn: Callable[[], object]) -> float:
    started = time.process_time()
    fn()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("n", type=int, nargs="?", default=20_000, help="raw phone numbers (default 20000)")
    parser.add_argument("--rounds", type=int, default=3, help="turns of every loop; best kept (default 3)")
    args = parser.parse_args()
    n = args.n
    django_setup()
    import rbcl

    from hubcore import oprf
    from hubcore.tokens import token_input
    from sharing.crypto.tokens import hub_oprf_key
    from sharing.subjects.services.tokens import RawIdentifier, SuppliedToken, identifiers_tokenise

    spellings = {
        "E.164": [f"+86138{i // 10000 % 10000:04d}{i % 10000:04d}" for i in range(n)],
        "spaced international": [f"+86 138 {i // 10000 % 10000:04d} {i % 10000:04d}" for i in range(n)],
        "national": [f"138 {i // 10000 % 10000:04d} {i % 10000:04d}" for i in range(n)],
    }
    raw: dict[str, list[RawIdentifier | SuppliedToken]] = {
        name: [RawIdentifier(type="phone", value=v) for v in values] for name, values in spellings.items()
    }
    key = hub_oprf_key()
    canonical = spellings["E.164"]
    for name, items in raw.items():  # every spelling reaches the same canonical value, hence the same token
        tokenised = identifiers_tokenise(identifiers=items[:10], default_country="CN")
        assert [t.canonical for t in tokenised] == canonical[:10], name
    inputs = [token_input(identifier_type="phone", canonical=c) for c in canonical]
    element = oprf.hash_to_group(inputs[0])

    def hub(items: list[RawIdentifier | SuppliedToken]) -> Callable[[], None]:
        def run() -> None:
            for start in range(0, n, 10):
                identifiers_tokenise(identifiers=items[start : start + 10], default_country="CN")

        return run

    def bare() -> None:
        for data in inputs:
            oprf.evaluate(key.secret, data)

    def scalarmult() -> None:
        for _ in range(n):
            rbcl.crypto_scalarmult_ristretto255(key.secret, element)

    loops: dict[str, Callable[[], None]] = {f"hub, {name}": hub(items) for name, items in raw.items()}
    loops["bare oprf.evaluate"] = bare
    loops["bare rbcl scalarmult"] = scalarmult
    for fn in loops.values():  # warm caches (key derivation, phonenumbers metadata)
        fn()
    best = {name: float("inf") for name in loops}
    for _ in range(args.rounds):
        for name, fn in loops.items():
            best[name] = min(best[name], cpu_seconds(fn))
    rates = {name: n / seconds for name, seconds in best.items()}

    print(
        f"N = {n} raw phones (canonical form e.g. {canonical[1]!r}); best of {args.rounds} rounds taken "
        "in turns, CPU time of one process"
    )
    for name, value in rates.items():
        print(f"  {name:<36} {value:>10.0f} /s   {1e6 / value:>7.1f} µs each")
    floor = rates["bare oprf.evaluate"]
    for name in (f"hub, {spelling}" for spelling in spellings):
        print(f"{name:<36} ratio to bare evaluate: {rates[name] / floor:.2f}")
    hub_rate = rates["hub, E.164"]
    print(
        f"floor (bare evaluate): {floor:.0f}/s   hub (E.164 input): {hub_rate:.0f}/s   "
        f"ratio: {hub_rate / floor:.2f} (target >= {TARGET:.2f})"
    )
    print(f"hub (E.164 input) vs bare scalarmult: {hub_rate / rates['bare rbcl scalarmult']:.2f}")


if __name__ == "__main__":
    main()

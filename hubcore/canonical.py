"""The one byte form of JSON the hub hashes and signs: sorted keys, no spaces, UTF-8 (not ASCII-escaped).

Audit leaves (accounts/audit/log.py), sales totals statements and aggregates (hubcore/paillier.py) and
transparency reports (hubcore/transparency.py) all hash these bytes, so a verifier rebuilds them with
any JSON library: json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).
"""

from __future__ import annotations

import json


def canonical_json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

"""The hub's signed statement of a released sales total (docs/formats.md, "Sales totals statement").

The statement is canonical JSON (sorted keys, no spaces, UTF-8) signed with the hub's Ed25519 key as
an OpenSSH signature (PROTOCOL.sshsig, namespace "iih-sales-totals"), the same signature the
disclosure packages carry: anyone verifies it with the key published at GET /api/v1/keys, with
hubctl or with `ssh-keygen -Y check-novalidate`.
"""

from __future__ import annotations

from datetime import datetime

from hub.keys import signing_key
from hubcore import paillier
from hubcore.canonical import canonical_json
from hubcore.packages import raw_public, sshsig_sign
from sharing.models import SalesTotalsRequest


def statement_of(
    *, request: SalesTotalsRequest, aggregate: dict[str, str], contributors: list[dict], released_at: datetime
) -> dict:
    """What the hub states about a release: who contributed how many accounts, period, k, the hash."""
    return {
        "format": paillier.STATEMENT_FORMAT,
        "request": str(request.public_id),
        "requester": {"organisation": str(request.requester.public_id), "name": request.requester.name},
        "case_reference": request.case_reference,
        "subject": str(request.subject_ref),
        "period": {"start": request.period_start.isoformat(), "end": request.period_end.isoformat()},
        "currency": request.currency,
        "figures": list(paillier.FIGURES),
        "k": request.k,
        "public_key_sha256": paillier.modulus_sha256(int(request.public_key_n)),
        "contributors": sorted(contributors, key=lambda c: c["organisation"]),
        "aggregate_sha256": paillier.aggregate_sha256(aggregate),
        "released_at": released_at.isoformat(),
        "hub_signing_public_key": raw_public(signing_key().public_key()).hex(),
    }


def statement_signed(**parts) -> tuple[str, str]:
    """The statement's canonical JSON and its armored OpenSSH signature by the hub."""
    body = canonical_json(statement_of(**parts))
    return body.decode("utf-8"), sshsig_sign(body, signing_key(), paillier.STATEMENT_NAMESPACE).decode(
        "ascii"
    )

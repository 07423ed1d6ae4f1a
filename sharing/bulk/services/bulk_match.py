"""A bulk chunk's answers: every row's single-check result, computed for the whole chunk at once.

One join finds the tokens all rows match (bulk_sql.chunk_lookup), one read gathers the evidence
of all their subjects (checks.matched_evidence), and each row's answer is the single check's own
`check_result_from` over its share of them: a bulk row and a single check never disagree, and
the database sees a handful of statements per chunk, whatever its size.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from functools import cache

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy

from accounts.actors import Actor
from hub.keys import KeyRing, token_storage_keys
from hub.replica_reads import replica_read
from sharing.bulk.services.bulk_sql import LookupForms, chunk_lookup
from sharing.checks.services.checks import (
    CheckResult,
    MatchedToken,
    check_result_from,
    evidence_keys,
    matched_evidence,
    matched_tokens,
    with_parcel_action,
)
from sharing.checks.services.enumeration import canaries_watch
from sharing.checks.services.matches import matched_by_subject, subject_matches_record
from sharing.checks.services.policies import policy_of
from sharing.checks.services.suppression import SuppressedCount
from sharing.crypto.tokens import token_lookup_forms, token_unseal
from sharing.models.bulk import BulkJob
from sharing.models.feedback import MatchSource
from sharing.subjects.services.tokens import TokenisedIdentifier

# The single-check fields every result row carries, in this order in CSV downloads.
RESULT_FIELDS = [
    "level",
    "risk",
    "matched_types",
    "corroborated_types",
    "match",
    "reports_matched",
    "subjects_matched",
    "reporting_organisations",
    "reporter_kinds",
    "strongest_verification",
    "ip_types",
    "categories",
    "first_seen",
    "last_seen",
    "disputed",
    "linked_store_accounts",
    "linked_platforms",
    "members_acted",
    "members_false_positive",
    "recommended_action",
    "explanation",
    "parcel_events",
    "parcel_action",
]

# A chunk's rows as read: (index, ref, tokens [{type, token}] in storage form, error).
ChunkRow = tuple[int, str, list[dict], str]
# A row's result as written: (index, ref, result as JSON text, error).
ResultRow = tuple[int, str, str, str]


# `rotate_token_storage` re-seals live jobs' rows; a row still under a dropped key cannot be read back.
# Lazy: written into the result in the job's language (bulk_chunk_process overrides it).
KEY_GONE_ERROR = gettext_lazy(
    "The row was sealed under a storage key that is no longer loaded; resubmit the job."
)


def chunk_results(job: BulkJob, rows: list[ChunkRow], *, now: datetime) -> list[ResultRow]:
    """The single-check answer of every row, from one token join and one evidence read for the chunk."""
    keys = token_storage_keys()
    rows = rows_readable(rows, keys=keys)
    # The join and the evidence may read the replica (hub/replica_reads.py); the canary alert,
    # the matches and the results are written on the primary.
    forms = lookup_forms(rows, keys=keys)
    matches, canaries = replica_read(job.organisation_id, lambda: chunk_lookup(forms))
    _canaries_alert(job, canaries, keys=keys)
    matched: dict[int, list[MatchedToken]] = defaultdict(list)
    for match in matches:
        matched[match.row_index] += matched_tokens(
            [(match.token_id, match.identifier_type, match.subject_id)]
        )
    keys_of_evidence = evidence_keys(token for tokens in matched.values() for token in tokens)
    evidence = replica_read(job.organisation_id, lambda: matched_evidence(*keys_of_evidence, now=now))
    policy = cache(lambda: policy_of(job.organisation_id))  # read once, and only if a row has a live report
    kind = job.organisation.kind  # a courier's rows carry the parcel action (checks.with_parcel_action)
    miss = ""  # every row that matches nothing has the same answer: computed once
    results = []
    shown: list[
        tuple[int | None, int]
    ] = []  # (subject, token) of rows answered with a hit: the job may give feedback on them
    for index, ref, _, error in rows:
        if error:
            results.append((index, ref, "{}", error))
        elif index in matched:
            result = with_parcel_action(
                check_result_from(matched[index], evidence, policy=policy, now=now), organisation_kind=kind
            )
            if result.level != "none":
                shown += [(token.subject_id, token.token_id) for token in matched[index]]
            results.append((index, ref, shareable_json(result), ""))
        else:
            miss = miss or shareable_json(
                with_parcel_action(
                    check_result_from([], evidence, policy=policy, now=now), organisation_kind=kind
                )
            )
            results.append((index, ref, miss, ""))
    subject_matches_record(
        organisation_id=job.organisation_id,
        matched=matched_by_subject(shown),
        source=MatchSource.BULK,
        reference=str(job.public_id),
        purpose=job.purpose,
        now=now,
    )
    return results


def rows_readable(rows: list[ChunkRow], *, keys: KeyRing) -> list[ChunkRow]:
    """The rows, with those whose tokens are under a key no longer loaded turned into error rows."""
    # An error row, not a KeyError: a failing chunk would be retried by the sweeper until the job expired.
    loaded = {str(version) for version in keys.keys}
    readable = []
    for index, ref, tokens, error in rows:
        if not error and any(item["token"].partition(":")[0] not in loaded for item in tokens):
            tokens, error = [], str(KEY_GONE_ERROR)
        readable.append((index, ref, tokens, error))
    return readable


def lookup_forms(rows: list[ChunkRow], *, keys: KeyRing) -> LookupForms:
    """Every storage form each row's tokens may be stored under, paired with the row's index."""
    # Sealing is deterministic, so under a single storage key the stored form is the only
    # lookup form. While a rotation runs (several keys), a stored token may be under any of them.
    single = f"{keys.active_version}:" if len(keys.keys) == 1 else None
    forms = []
    for index, _, tokens, error in rows:
        for item in [] if error else tokens:
            stored = item["token"]
            # With the type the row names the token as: it matches only that type's row (stored_tokens_of).
            if single and stored.startswith(single):
                forms.append((index, stored, item["type"]))
            else:
                forms += [
                    (index, form, item["type"])
                    for form in token_lookup_forms(token_unseal(stored, keys=keys), keys=keys)
                ]
    return forms


def _canaries_alert(job: BulkJob, canary_forms: list[str], *, keys: KeyRing) -> None:
    """A planted canary in a bulk file raises the alert a single check of it does (deduplicated on reruns)."""
    if canary_forms:
        tokenised = [
            TokenisedIdentifier(type="", token=token_unseal(form, keys=keys), key_version=0)
            for form in canary_forms
        ]
        canaries_watch(Actor(member=job.member), tokenised)


_MISS_PREFIX = '{"level":"none"'


def result_is_miss(result_json: str) -> bool:
    """Whether a row's result (as shareable_json wrote it: level first, compact) matched no live report."""
    return result_json.startswith(_MISS_PREFIX)


def shareable_json(result: CheckResult) -> str:
    """The single-check fields of a result as JSON (check_id left out: the job names the run);
    members' counts in the one suppressed shape (suppression.py)."""
    return json.dumps(
        {name: _plain(getattr(result, name)) for name in RESULT_FIELDS},
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
    )


def _plain(value):
    if isinstance(value, dict):  # counts per kind (parcel_events)
        return {key: _plain(item) for key, item in value.items()}
    return value.as_json() if isinstance(value, SuppressedCount) else value


def shareable(result: CheckResult) -> dict:
    """The single-check fields of a result as the JSON values a result row holds."""
    return json.loads(shareable_json(result))

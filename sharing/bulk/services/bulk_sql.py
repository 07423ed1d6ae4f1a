"""The set-based database work of bulk jobs: COPY and one statement per step on PostgreSQL; on
SQLite (the embedded default) plain ORM calls that give the same answers.

A chunk is matched in one join however many rows it has: the lookup forms of its tokens are
COPYed into a temporary table, joined once to the stored tokens and once to the canaries.
Rows are COPYed in at upload; results go through a temporary table into an
INSERT ... ON CONFLICT DO NOTHING, so a rerun of a chunk writes nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from hub.replica_reads import read_alias
from sharing.models import Canary, IdentifierToken
from sharing.models.bulk import BulkResult, BulkRow
from sharing.subjects.services.token_partitioning import token_table_partitions

# (row index, storage form, type): every form a row's token may be stored under, with the type the row
# names it as; a token matches only its row of that type (stored_tokens_of says why).
LookupForms = list[tuple[int, str, str]]


@dataclass(frozen=True)
class TokenMatch:
    """A stored token that one row's identifiers matched: a subject's, or a weak one (no subject) that may corroborate."""

    row_index: int
    token_id: int
    identifier_type: str
    subject_id: int | None


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


# --- matching a chunk --------------------------------------------------------------------


def chunk_lookup(forms: LookupForms) -> tuple[list[TokenMatch], list[str]]:
    """The stored tokens the rows match (with their subject, if any), and the planted canaries among the forms."""
    if not forms:
        return [], []
    replica = read_alias()
    if replica not in (None, DEFAULT_DB_ALIAS):
        return _lookup_replica(forms, replica)
    return _lookup_postgresql(forms) if on_postgresql() else _lookup_orm(forms)


_LOOKUP_TABLE = """CREATE TEMPORARY TABLE IF NOT EXISTS bulk_lookup_typed (row_index integer NOT NULL,
token varchar(200) NOT NULL, identifier_type varchar(40) NOT NULL) ON COMMIT DELETE ROWS"""
# The plain join, for a plain token table: the planner probes the token index per row or hashes, as
# the chunk's size warrants (benchmarks/partitioning.py at 1M: 1.1-1.5x faster than _MATCHES_BY_PROBE there).
_MATCHES = """SELECT l.row_index, t.id, t.identifier_type, t.subject_id FROM bulk_lookup_typed l
JOIN sharing_identifiertoken t ON t.token = l.token AND t.identifier_type = l.identifier_type"""
# For a hash-partitioned token table (manage.py token_table_partition): one probe per row, a LATERAL
# subquery the planner cannot flatten (LIMIT 1: token_once_per_type allows one row per type and token).
# There the plain join costs each probe as one per partition (pruning happens only at run time), so the
# planner picks a hash join reading all the table for every chunk, ten times slower at 1M tokens; each
# probe here is pruned to its token's one partition.
_MATCHES_BY_PROBE = """SELECT l.row_index, t.id, t.identifier_type, t.subject_id FROM bulk_lookup_typed l
CROSS JOIN LATERAL (SELECT id, identifier_type, subject_id FROM sharing_identifiertoken
  WHERE token = l.token AND identifier_type = l.identifier_type LIMIT 1) t"""
_CANARIES = "SELECT DISTINCT c.token FROM bulk_lookup_typed l JOIN sharing_canary c ON c.token = l.token"


def _lookup_postgresql(forms: LookupForms) -> tuple[list[TokenMatch], list[str]]:
    with transaction.atomic(), connection.cursor() as cursor, connection.wrap_database_errors:
        # Kept for the session and emptied at commit: no catalog churn per chunk. The DELETE
        # only matters when a caller's outer transaction (tests) spans several chunks.
        cursor.execute(_LOOKUP_TABLE)
        cursor.execute("DELETE FROM bulk_lookup_typed")
        with cursor.copy("COPY bulk_lookup_typed (row_index, token, identifier_type) FROM STDIN") as copy:
            # In token order, so the join probes the token index in key order and neighbouring
            # probes share index pages (it matters once the index outgrows memory). Storage
            # forms are "<version>:<hex>": nothing in them needs escaping for COPY.
            # Types are known identifier type names: nothing to escape either.
            copy.write(
                "".join(
                    f"{index}\t{form}\t{kind}\n" for index, form, kind in sorted(forms, key=itemgetter(1))
                )
            )
        # No ANALYZE: from the table's size alone the planner already probes the token index
        # for a chunk (a hash join only pays for whole files), and ANALYZE would write the
        # catalog, making this read-only transaction wait for a WAL flush at commit.
        # The table's form is read per chunk (one catalog query): an operator may change it while workers run.
        cursor.execute(_MATCHES_BY_PROBE if token_table_partitions(cursor) else _MATCHES)
        matches = [TokenMatch(*row) for row in cursor.fetchall()]
        cursor.execute(_CANARIES)
        canaries = [token for (token,) in cursor.fetchall()]
    return matches, canaries


# A hot standby takes no temporary table (nothing may be written there): the forms go as arrays.
_MATCHES_ARRAYS = """SELECT l.row_index, t.id, t.identifier_type, t.subject_id
FROM unnest(%s::integer[], %s::text[], %s::text[]) AS l(row_index, token, identifier_type)
JOIN sharing_identifiertoken t ON t.token = l.token AND t.identifier_type = l.identifier_type"""
_CANARIES_ARRAY = "SELECT DISTINCT c.token FROM sharing_canary c WHERE c.token = ANY(%s::text[])"


def _lookup_replica(forms: LookupForms, alias: str) -> tuple[list[TokenMatch], list[str]]:
    """The same join as _lookup_postgresql, its token join on the streaming replica (hub/replica_reads.py)."""
    ordered = sorted(forms, key=itemgetter(1))  # token order, as the COPY above, for the index probes
    tokens = [form for _, form, _ in ordered]
    with connections[alias].cursor() as cursor:
        cursor.execute(
            _MATCHES_ARRAYS, [[index for index, _, _ in ordered], tokens, [k for _, _, k in ordered]]
        )
        matches = [TokenMatch(*row) for row in cursor.fetchall()]
    # Canaries on the primary: a tripwire planted within the replica's lag must still catch this file.
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(_CANARIES_ARRAY, [sorted(set(tokens))])
        canaries = [token for (token,) in cursor.fetchall()]
    return matches, canaries


def _lookup_orm(forms: LookupForms) -> tuple[list[TokenMatch], list[str]]:
    rows_of: dict[tuple[str, str], list[int]] = {}
    for index, form, kind in forms:
        rows_of.setdefault((form, kind), []).append(index)
    found: list[tuple[str, int, str, int | None]] = []
    canaries: list[str] = []
    for batch in _batches(list({form for form, _ in rows_of})):
        found += IdentifierToken.objects.filter(token__in=batch).values_list(
            "token", "pk", "identifier_type", "subject_id"
        )
        canaries += Canary.objects.filter(token__in=batch).values_list("token", flat=True)
    matches = [
        TokenMatch(index, pk, kind, subject)
        for form, pk, kind, subject in found
        for index in rows_of.get((form, kind), [])
    ]
    return matches, canaries


def _batches(values: list[str]) -> Iterable[list[str]]:
    """Stay under SQLite's limit on query parameters."""
    size = connection.features.max_query_params or 999
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- writing rows and results --------------------------------------------------------------


def rows_write(job_id: int, rows: list[tuple[int, str, list[dict], str]]) -> None:
    """Store a new job's (index, ref, tokens, error) rows; the job is new, so nothing can conflict."""
    if not on_postgresql():
        BulkRow.objects.bulk_create(
            [
                BulkRow(job_id=job_id, index=index, ref=ref, tokens=tokens, error=error)
                for index, ref, tokens, error in rows
            ]
        )
        return
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.copy("COPY sharing_bulkrow (job_id, index, ref, tokens, error) FROM STDIN") as copy:
            for index, ref, tokens, error in rows:
                copy.write_row((job_id, index, ref, json.dumps(tokens), error))


_RESULT_TABLE = """CREATE TEMPORARY TABLE IF NOT EXISTS bulk_result_in (index integer NOT NULL, ref varchar(200) NOT NULL,
result jsonb NOT NULL, error varchar(500) NOT NULL) ON COMMIT DELETE ROWS"""
_RESULTS_INSERT = """INSERT INTO sharing_bulkresult (job_id, index, ref, result, error)
SELECT %s, index, ref, result, error FROM bulk_result_in ON CONFLICT DO NOTHING"""


def results_write(job_id: int, results: list[tuple[int, str, str, str]]) -> None:
    """Store (index, ref, result JSON, error) results, skipping rows that already have one (a rerun)."""
    if not on_postgresql():
        BulkResult.objects.bulk_create(
            [
                BulkResult(job_id=job_id, index=index, ref=ref, result=json.loads(result), error=error)
                for index, ref, result, error in results
            ],
            ignore_conflicts=True,
        )
        return
    with transaction.atomic(), connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.execute(_RESULT_TABLE)
        cursor.execute("DELETE FROM bulk_result_in")
        with cursor.copy("COPY bulk_result_in (index, ref, result, error) FROM STDIN") as copy:
            for row in results:
                copy.write_row(row)
        cursor.execute(_RESULTS_INSERT, [job_id])

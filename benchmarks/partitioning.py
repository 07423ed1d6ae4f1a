"""The hash-partitioned token table (manage.py token_table_partition) against an unpartitioned copy, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_bench python benchmarks/partitioning.py [--rounds 5] [--undo]

Needs seeded listed tokens (seed_listed.py). If sharing_identifiertoken is a plain table, runs
`manage.py token_table_partition` on the benchmark database first (and, with --undo, returns it to a plain
table at the end). Builds bench_identifiertoken_unpartitioned once (the same rows, the plain table's
indexes: primary key id, unique (identifier_type, token), token) and reads both into the page cache
(pg_prewarm), then times, on each table, rounds interleaved so machine noise falls on both alike:

- lookup: a check's token lookup, one query for a seller's two tokens (single_check.py's floor, as Django sends it);
  prunes to the partitions of the two tokens;
- evidence by token: that lookup joined to the report links naming the tokens (sharing_reportidentifier);
- evidence by report: a report's links joined to their tokens by id, which no partition key prunes: every
  partition's (id, token) index is probed, the price partitioning on token pays;
- bulk chunk join: a 10,000-row chunk's (token, type) pairs COPYed into a temp table and joined on both
  one LATERAL probe per row (half the rows listed), as sharing/bulk/services/bulk_sql.py does on a
  partitioned table;
- plain chunk join: the same with the plain join bulk_sql.py uses on a plain table, for which the
  planner picks a hash join over the whole partitioned table.

The hub's own plan per form is therefore "bulk chunk join" on the partitioned table and "plain chunk
join" on the unpartitioned one.

Prints p50 and mean per query (per chunk for the bulk join) on each table and the ratio partitioned /
unpartitioned: the floor here is the unpartitioned table, the figure the partitioned one.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, database_url, percentile  # noqa: E402

PARTITIONED = "sharing_identifiertoken"
UNPARTITIONED = "bench_identifiertoken_unpartitioned"
CHUNK = 10_000

QUERIES = {
    "lookup": "SELECT id, subject_id, identifier_type FROM {table} WHERE token = ANY(%s)",
    "evidence by token": "SELECT t.id, l.report_id FROM {table} t "
    "JOIN sharing_reportidentifier l ON l.token_id = t.id WHERE t.token = ANY(%s)",
    "evidence by report": "SELECT t.identifier_type, t.token FROM sharing_reportidentifier l "
    "JOIN {table} t ON t.id = l.token_id WHERE l.report_id = %s",
}
CHUNK_TABLE = """CREATE TEMPORARY TABLE IF NOT EXISTS bench_lookup (row_index integer NOT NULL,
token varchar(200) NOT NULL, identifier_type varchar(40) NOT NULL) ON COMMIT DELETE ROWS"""
# The hub's chunk joins (sharing/bulk/services/bulk_sql.py): _MATCHES_BY_PROBE on a partitioned table,
# _MATCHES on a plain one.
CHUNK_JOINS = {
    "bulk chunk join": """SELECT l.row_index, t.id, t.identifier_type, t.subject_id FROM bench_lookup l
CROSS JOIN LATERAL (SELECT id, identifier_type, subject_id FROM {table}
  WHERE token = l.token AND identifier_type = l.identifier_type LIMIT 1) t""",
    "plain chunk join": """SELECT l.row_index, t.id, t.identifier_type, t.subject_id FROM bench_lookup l
JOIN {table} t ON t.token = l.token AND t.identifier_type = l.identifier_type""",
}


def is_partitioned(conn) -> bool:
    (partitioned,) = conn.execute(
        "SELECT count(*) FROM pg_partitioned_table WHERE partrelid = %s::regclass", (PARTITIONED,)
    ).fetchone()
    return bool(partitioned)


def token_table_partition(*args: str) -> None:
    """The operator's command, on the benchmark database, timed (wall, Django start-up included)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "token_table_partition", *args],
        check=True,
        env={**os.environ, "DATABASE_URL": database_url()},
    )
    print(f"{' '.join(('token_table_partition', *args))}: {time.perf_counter() - started:.1f} s")


def unpartitioned_copy(conn) -> None:
    """The same rows in an ordinary table with the plain table's indexes, built when missing or stale."""
    (rows,) = conn.execute(f"SELECT count(*) FROM {PARTITIONED}").fetchone()
    exists = conn.execute("SELECT to_regclass(%s)", (UNPARTITIONED,)).fetchone()[0]
    if exists and conn.execute(f"SELECT count(*) FROM {UNPARTITIONED}").fetchone()[0] == rows:
        return
    started = time.perf_counter()
    conn.execute(f"DROP TABLE IF EXISTS {UNPARTITIONED}")
    conn.execute(f"CREATE TABLE {UNPARTITIONED} AS SELECT * FROM {PARTITIONED}")
    conn.execute(f"ALTER TABLE {UNPARTITIONED} ADD PRIMARY KEY (id)")
    conn.execute(f"ALTER TABLE {UNPARTITIONED} ADD UNIQUE (identifier_type, token)")
    conn.execute(f"CREATE INDEX ON {UNPARTITIONED} (token)")
    conn.execute(f"ANALYZE {UNPARTITIONED}")
    print(f"built {UNPARTITIONED} ({rows} rows) in {time.perf_counter() - started:.1f} s")


def prewarm(conn) -> None:
    conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
    relations = conn.execute(
        """SELECT c.oid::regclass::text FROM pg_class c WHERE c.relkind IN ('r', 'i')
           AND (c.relname LIKE %s OR c.relname LIKE %s OR c.relname LIKE 'sharing_reportidentifier%%')""",
        (f"{PARTITIONED}%", f"{UNPARTITIONED}%"),
    ).fetchall()
    for (relation,) in relations:
        conn.execute("SELECT pg_prewarm(%s::regclass, 'read')", (relation,))


def samples(conn, rng: random.Random, count: int) -> tuple[list[list[str]], list[int], list[tuple[str, str]]]:
    """Sellers' token pairs (both listed), reports with links, and the (token, type) rows of one chunk."""
    (max_subject,) = conn.execute("SELECT max(subject_id) FROM sharing_identifiertoken").fetchone()
    pairs: list[list[str]] = []
    while len(pairs) < count:
        wanted = [rng.randrange(1, max_subject + 1) for _ in range(count)]
        pairs += [
            row[0]
            for row in conn.execute(
                "SELECT array_agg(token) FROM sharing_identifiertoken WHERE subject_id = ANY(%s) GROUP BY subject_id",
                (wanted,),
            )
        ]
    (max_report,) = conn.execute("SELECT max(report_id) FROM sharing_reportidentifier").fetchone()
    reports = [
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT report_id FROM sharing_reportidentifier WHERE report_id = ANY(%s)",
            ([rng.randrange(1, max_report + 1) for _ in range(count * 2)],),
        )
    ][:count]
    listed = [
        (row[0], row[1])
        for row in conn.execute(
            "SELECT token, identifier_type FROM sharing_identifiertoken TABLESAMPLE SYSTEM (2) LIMIT %s",
            (CHUNK // 2,),
        )
    ]
    unlisted = [(f"1:{rng.getrandbits(512):0128x}", "phone") for _ in range(CHUNK - len(listed))]
    return pairs[:count], reports, sorted(listed + unlisted)


def time_queries(conn, table: str, name: str, params: list) -> list[float]:
    """As the hub sends them: Django binds parameters client-side, so each query is planned with its
    values (and pruned to its partitions at planning)."""
    query = QUERIES[name].format(table=table)
    latencies = []
    for value in params:
        started = time.perf_counter()
        conn.execute(query, (value,)).fetchall()
        latencies.append(time.perf_counter() - started)
    return latencies


def time_chunk(conn, table: str, join: str, chunk: list[tuple[str, str]]) -> tuple[float, int]:
    started = time.perf_counter()
    with conn.transaction():
        # As the hub's chunk does: the temporary table emptied at each commit, so no dead rows pile up.
        conn.execute(CHUNK_TABLE)
        with conn.cursor().copy("COPY bench_lookup (row_index, token, identifier_type) FROM STDIN") as copy:
            for index, (token, kind) in enumerate(chunk):
                copy.write_row((index, token, kind))
        matched = len(conn.execute(CHUNK_JOINS[join].format(table=table)).fetchall())
    return time.perf_counter() - started, matched


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per table (default 5)")
    parser.add_argument(
        "--queries", type=int, default=1000, help="queries of each kind per round (default 1000)"
    )
    parser.add_argument(
        "--undo", action="store_true", help="return the token table to a plain table when done"
    )
    args = parser.parse_args()

    import psycopg

    rng = random.Random(20)
    with psycopg.connect(database_url(), autocommit=True) as conn:
        plain = not is_partitioned(conn)
    if plain:
        token_table_partition()
    with psycopg.connect(database_url(), autocommit=True, cursor_factory=psycopg.ClientCursor) as conn:
        (rows,) = conn.execute(f"SELECT count(*) FROM {PARTITIONED}").fetchone()
        unpartitioned_copy(conn)
        prewarm(conn)
        conn.execute(f"ANALYZE {PARTITIONED}")
        pairs, reports, chunk = samples(conn, rng, args.queries)
        params = {"lookup": pairs, "evidence by token": pairs, "evidence by report": reports}
        results: dict[tuple[str, str], list[float]] = {}
        matched: dict[str, int] = {}
        for round_ in range(args.rounds + 1):  # round 0 warms plans and caches and is not counted
            for table in (PARTITIONED, UNPARTITIONED) if round_ % 2 else (UNPARTITIONED, PARTITIONED):
                for name, values in params.items():
                    latencies = time_queries(conn, table, name, values)
                    if round_:
                        results.setdefault((name, table), []).extend(latencies)
                for join in CHUNK_JOINS:
                    seconds, matched[f"{table} {join}"] = time_chunk(conn, table, join, chunk)
                    if round_:
                        results.setdefault((join, table), []).append(seconds)
    assert len(set(matched.values())) == 1, matched

    print(f"{rows} tokens; {args.rounds} rounds of {args.queries} queries of each kind per table")
    print(f"bulk chunk: {CHUNK} rows, {next(iter(matched.values()))} matched, one chunk per round per table")
    print(f"{'':<20} {'partitioned (16)':>24} {'unpartitioned':>24} {'ratio':>14}")
    print(f"{'':<20} {'p50 ms':>11} {'mean ms':>12} {'p50 ms':>11} {'mean ms':>12} {'p50':>6} {'mean':>7}")
    for name in (*QUERIES, *CHUNK_JOINS):
        figures = []
        for table in (PARTITIONED, UNPARTITIONED):
            values = sorted(results[(name, table)])
            figures.append((percentile(values, 50) * 1000, statistics.fmean(values) * 1000))
        (p_p50, p_mean), (u_p50, u_mean) = figures
        print(
            f"{name:<20} {p_p50:>11.3f} {p_mean:>12.3f} {u_p50:>11.3f} {u_mean:>12.3f} "
            f"{p_p50 / u_p50:>6.2f} {p_mean / u_mean:>7.2f}"
        )

    if args.undo:
        token_table_partition("--undo")


if __name__ == "__main__":
    main()

"""Seed N listed tokens fast: subjects, identifier tokens, accepted reports and their links by COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_bench python benchmarks/seed_listed.py 1000000

Token i is sha512("iih-bench-token:i") sealed with the hub's own token_seal (no OPRF evaluation:
lookups only need the stored forms). Tokens 2k (phone) and 2k+1 (email) belong to subject k,
named by one accepted report of a demo rights owner that expires in a year, so reports_counting
finds it. Only sharing tables are written (plus the demo organisations via seed_demo); no
audit or disclosure row is touched. Rerunning appends after the tokens already present.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import TYPES, bench_token, database_url, django_setup  # noqa: E402

BATCH = 100_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="listed tokens to add (even; 1000000, later 10000000)")
    args = parser.parse_args()
    n = args.n - args.n % 2

    django_setup()
    import psycopg
    from django.core.management import call_command

    from accounts.models import Member
    from hub.keys import token_storage_keys
    from sharing.crypto.tokens import token_seal

    call_command("seed_demo", "--json", stdout=io.StringIO())
    reporter = Member.objects.select_related("organisation").get(user__username="brand-a-reporter")
    reviewer = Member.objects.get(user__username="operator-reviewer")
    keys = token_storage_keys()

    with psycopg.connect(database_url()) as conn:
        def next_id(table: str) -> int:
            return conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]

        existing = conn.execute("SELECT count(*) FROM sharing_identifiertoken").fetchone()[0]
        first = existing - existing % 2
        subject0, token0, report0, link0 = (next_id(t) for t in
                                            ("sharing_subject", "sharing_identifiertoken", "sharing_report", "sharing_reportidentifier"))
        now = datetime.now(timezone.utc)
        ts, expires = now.isoformat(), (now + timedelta(days=365)).isoformat()
        started = time.perf_counter()
        seal_seconds = 0.0
        rows = 0
        for start in range(0, n, BATCH):
            count = min(BATCH, n - start)
            subjects, tokens, reports, links = io.StringIO(), io.StringIO(), io.StringIO(), io.StringIO()
            t0 = time.perf_counter()
            for j in range(start, start + count):
                i = first + j
                token_id, subject_id, report_id = token0 + j, subject0 + j // 2, report0 + j // 2
                sealed = token_seal(bench_token(i), keys=keys)
                tokens.write(f"{token_id}\t{sealed}\t{TYPES[i % 2]}\t1\t{ts}\t{subject_id}\n")
                links.write(f"{link0 + j}\t{report_id}\t{token_id}\n")
                if j % 2 == 0:
                    subjects.write(f"{subject_id}\t{uuid.uuid4()}\t{ts}\n")
                    reports.write(f"{report_id}\t{uuid.uuid4()}\ttrademark\tcounterfeit\trights_owner_verified\taccepted\tf\t0\t"
                                  f"{ts}\t{ts}\tbenchmark seed\t\\N\t{expires}\t{reporter.organisation_id}\t{reviewer.pk}\t"
                                  f"{reporter.pk}\tf\tf\t\\N\t\\N\n")
            seal_seconds += time.perf_counter() - t0
            with conn.transaction():
                for table, columns, buffer in (
                    ("sharing_subject", "id, public_id, created_at", subjects),
                    ("sharing_identifiertoken", "id, token, identifier_type, key_version, first_seen_at, subject_id", tokens),
                    ("sharing_report", "id, public_id, ip_type, category, verification_level, status, disputed, evidence_count, "
                     "submitted_at, reviewed_at, review_reason, closed_at, expires_at, reporter_organisation_id, "
                     "reviewed_by_id, submitted_by_id, decision_verified, fast_tracked, payload_destroyed_at, renewed_at", reports),
                    ("sharing_reportidentifier", "id, report_id, token_id", links),
                ):
                    with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        copy.write(buffer.getvalue())
            rows += count * 2 + count  # tokens + links, subjects + reports (count/2 each)
            elapsed = time.perf_counter() - started
            print(f"  {start + count:>10} tokens  {(start + count) / elapsed:>9.0f} tokens/s  {rows / elapsed:>9.0f} rows/s",
                  flush=True)
        for table in ("sharing_subject", "sharing_identifiertoken", "sharing_report", "sharing_reportidentifier"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
        conn.autocommit = True
        t0 = time.perf_counter()
        for table in ("sharing_subject", "sharing_identifiertoken", "sharing_report", "sharing_reportidentifier"):
            conn.execute(f"ANALYZE {table}")
        analyse = time.perf_counter() - t0
        elapsed = time.perf_counter() - started
        total = conn.execute("SELECT count(*) FROM sharing_identifiertoken").fetchone()[0]
    print(f"seeded {n} tokens, {n // 2} subjects, {n // 2} accepted reports, {n} report links in {elapsed:.1f} s "
          f"(sealing {seal_seconds:.1f} s, analyse {analyse:.1f} s)")
    print(f"rows/s: {rows / elapsed:.0f}   tokens/s: {n / elapsed:.0f}   listed tokens now: {total}")


if __name__ == "__main__":
    main()

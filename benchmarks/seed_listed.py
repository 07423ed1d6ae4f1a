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
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import TYPES, bench_token, database_url, django_setup, listed_count  # noqa: E402

BATCH = 100_000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("n", type=int, help="listed tokens to add (even; 1000000, later 10000000)")
    args = parser.parse_args()
    n = args.n - args.n % 2

    django_setup()
    import psycopg

    with psycopg.connect(database_url()) as conn:
        first = listed_count()
        first -= first % 2
        started = time.perf_counter()
        seal_seconds = 0.0
        rows = 0
        seeder = ListedSeeder(conn)
        for start in range(0, n, BATCH):
            count = min(BATCH, n - start)
            batch = [(bench_token(first + j), TYPES[(first + j) % 2]) for j in range(start, start + count)]
            rows += seeder.add(batch)
            seal_seconds += seeder.last_seal_seconds
            elapsed = time.perf_counter() - started
            print(
                f"  {start + count:>10} tokens  {(start + count) / elapsed:>9.0f} tokens/s  {rows / elapsed:>9.0f} rows/s",
                flush=True,
            )
        analyse = seeder.finish()
        elapsed = time.perf_counter() - started
    print(
        f"seeded {n} tokens, {n // 2} subjects, {n // 2} accepted reports, {n} report links in {elapsed:.1f} s "
        f"(sealing {seal_seconds:.1f} s, analyse {analyse:.1f} s)"
    )
    print(f"rows/s: {rows / elapsed:.0f}   tokens/s: {n / elapsed:.0f}   listed tokens now: {listed_count()}")


class ListedSeeder:
    """COPYs listed subjects into the hub's tables: pairs of tokens, each pair one subject named by one
    accepted report of the demo rights owner (also used by bulk.py for its raw-identifier subjects)."""

    def __init__(self, conn, *, first_seen: datetime | None = None):
        from django.core.management import call_command

        from accounts.models import Member
        from hub.keys import token_storage_keys

        call_command("seed_demo", "--json", stdout=io.StringIO())
        self.conn = conn
        self.reporter = Member.objects.select_related("organisation").get(user__username="brand-a-reporter")
        self.reviewer = Member.objects.get(user__username="operator-reviewer")
        self.keys = token_storage_keys()
        now = datetime.now(UTC)
        self.ts, self.expires = now.isoformat(), (now + timedelta(days=365)).isoformat()
        self.first_seen = (first_seen or now).isoformat()
        self.last_seal_seconds = 0.0

    def _next_id(self, table: str) -> int:
        return self.conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]

    def add(self, batch: list[tuple[str, str]]) -> int:
        """Append one batch of (token hex, type) pairs, consecutive pairs forming a subject; rows written."""
        from sharing.crypto.tokens import token_seal

        subject0, token0, report0, link0 = (
            self._next_id(t)
            for t in (
                "sharing_subject",
                "sharing_identifiertoken",
                "sharing_report",
                "sharing_reportidentifier",
            )
        )
        subjects, tokens, reports, links = io.StringIO(), io.StringIO(), io.StringIO(), io.StringIO()
        ts, org, reviewer, reporter = (
            self.ts,
            self.reporter.organisation_id,
            self.reviewer.pk,
            self.reporter.pk,
        )
        t0 = time.perf_counter()
        for j, (token, identifier_type) in enumerate(batch):
            token_id, subject_id, report_id = token0 + j, subject0 + j // 2, report0 + j // 2
            sealed = token_seal(token, keys=self.keys)
            tokens.write(f"{token_id}\t{sealed}\t{identifier_type}\t1\t{self.first_seen}\t{subject_id}\n")
            links.write(f"{link0 + j}\t{report_id}\t{token_id}\n")
            if j % 2 == 0:
                subjects.write(f"{subject_id}\t{uuid.uuid4()}\t{ts}\n")
                reports.write(
                    f"{report_id}\t{uuid.uuid4()}\ttrademark\tcounterfeit\trights_owner_verified\taccepted\tf\t0\t"
                    f"{ts}\t{ts}\tbenchmark seed\t\\N\t{self.expires}\t{org}\t{reviewer}\t"
                    f"{reporter}\tf\tf\t\\N\t\\N\t\t\t\tCN\tf\t\n"
                )
        self.last_seal_seconds = time.perf_counter() - t0
        with self.conn.transaction():
            for table, columns, buffer in (
                ("sharing_subject", "id, public_id, created_at", subjects),
                (
                    "sharing_identifiertoken",
                    "id, token, identifier_type, key_version, first_seen_at, subject_id",
                    tokens,
                ),
                (
                    "sharing_report",
                    "id, public_id, ip_type, category, verification_level, status, disputed, evidence_count, "
                    "submitted_at, reviewed_at, review_reason, closed_at, expires_at, reporter_organisation_id, "
                    "reviewed_by_id, submitted_by_id, decision_verified, fast_tracked, payload_destroyed_at, renewed_at, "
                    # Columns Django fills and the database has no default for (the right, the jurisdiction,
                    # urgency): every NOT NULL column is named.
                    "right_registration_number, right_territory, right_holder, jurisdiction, live_urgent, urgency_reason",
                    reports,
                ),
                ("sharing_reportidentifier", "id, report_id, token_id", links),
            ):
                with self.conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write(buffer.getvalue())
        return len(batch) * 2 + len(batch)  # tokens + links, subjects + reports (half each)

    def finish(self) -> float:
        """Move the id sequences past the copied rows, commit, ANALYZE; the seconds ANALYZE took."""
        for table in (
            "sharing_subject",
            "sharing_identifiertoken",
            "sharing_report",
            "sharing_reportidentifier",
        ):
            self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        self.conn.commit()
        self.conn.autocommit = True
        t0 = time.perf_counter()
        for table in (
            "sharing_subject",
            "sharing_identifiertoken",
            "sharing_report",
            "sharing_reportidentifier",
        ):
            self.conn.execute(f"ANALYZE {table}")
        return time.perf_counter() - t0


if __name__ == "__main__":
    main()

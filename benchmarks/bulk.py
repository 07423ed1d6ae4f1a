"""Bulk screening with tokens supplied, against its floor (COPY into a temp table + one join).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_bench python benchmarks/bulk.py [M] [--hit-ratio 0.5]

Seed first (benchmarks/seed_listed.py N). Generates a JSONL file of M rows (default 100000), each with
two obliviously derived tokens (phone + email of one subject); a share of rows (default half) are
listed subjects, the rest unknown. Hub figure: sharing.services.bulk.bulk_submit in-process as the
platform analyst (no broker: Celery runs eagerly, so submission = tokens sealed and stored, then every
chunk checked and its results written), as identifiers/s. Floor: the same tokens in storage form
COPYed into a temp table and joined to sharing_identifiertoken in one query through psycopg.
Target: hub >= 50% of the floor.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import TYPES, bench_token, database_url, django_setup, listed_count  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("m", type=int, nargs="?", default=100_000, help="rows in the bulk file (default 100000)")
    parser.add_argument("--hit-ratio", type=float, default=0.5)
    args = parser.parse_args()
    m = args.m
    os.environ.setdefault("HUB_BULK_MAX_ROWS", str(max(m, 100_000)))
    os.environ.setdefault("HUB_BULK_JOBS_PER_DAY", "100000")
    os.environ.setdefault("HUB_BULK_CONCURRENT_JOBS", "100000")
    django_setup()
    import psycopg
    from django.core.management import call_command

    from accounts.actors import Actor
    from accounts.models import Member
    from hub.keys import token_storage_keys
    from sharing.crypto.tokens import token_seal
    from sharing.models.bulk import BulkResult
    from sharing.services.bulk import bulk_submit

    n_listed = listed_count()
    if n_listed < 2:
        sys.exit("Seed listed tokens first: python benchmarks/seed_listed.py N")
    call_command("seed_demo", "--json", stdout=io.StringIO())
    actor = Actor(member=Member.objects.select_related("organisation", "user").get(user__username="platform-analyst"))

    rng = random.Random(7)
    lines, plain = [], []
    for r in range(m):
        if rng.random() < args.hit_ratio:
            k = rng.randrange(n_listed // 2)
            ids = [bench_token(2 * k), bench_token(2 * k + 1)]
        else:
            ids = [bench_token(10**12 + 2 * r), bench_token(10**12 + 2 * r + 1)]
        plain.extend(ids)
        lines.append(json.dumps({"ref": f"row-{r}", "identifiers": [
            {"type": TYPES[j], "token": t, "key_version": 1} for j, t in enumerate(ids)]}))
    upload = ("\n".join(lines) + "\n").encode()
    identifiers = len(plain)

    # Hub: submit and process in-process.
    started = time.perf_counter()
    job = bulk_submit(upload=io.BytesIO(upload), actor=actor)
    hub_seconds = time.perf_counter() - started
    job.refresh_from_db()
    hits = BulkResult.objects.filter(job=job).exclude(result__level="none").count()
    hub_rate = identifiers / hub_seconds

    # Floor: storage forms COPYed into a temp table, one join.
    keys = token_storage_keys()
    t0 = time.perf_counter()
    sealed = [token_seal(t, keys=keys) for t in plain]
    seal_seconds = time.perf_counter() - t0
    with psycopg.connect(database_url()) as conn:
        t0 = time.perf_counter()
        conn.execute("CREATE TEMP TABLE bench_upload (row_index int, token varchar(200)) ON COMMIT DROP")
        with conn.cursor().copy("COPY bench_upload (row_index, token) FROM STDIN") as copy:
            copy.write("".join(f"{i // 2}\t{s}\n" for i, s in enumerate(sealed)))
        conn.execute("ANALYZE bench_upload")  # let the planner choose index probes or a hash join
        joined = conn.execute("SELECT u.row_index, t.id, t.subject_id FROM bench_upload u "
                              "JOIN sharing_identifiertoken t ON t.token = u.token").fetchall()
        floor_seconds = time.perf_counter() - t0
    floor_rate = identifiers / floor_seconds
    floor_with_seal = identifiers / (floor_seconds + seal_seconds)

    print(f"listed tokens: {n_listed}   bulk file: {m} rows, {identifiers} identifiers (tokens supplied), "
          f"{len(upload) / 1e6:.1f} MB, hit ratio {args.hit_ratio}")
    print(f"hub   bulk_submit + chunks (in-process): {hub_seconds:8.1f} s  {hub_rate:>10.0f} identifiers/s  "
          f"{m / hub_seconds:>8.0f} rows/s   job {job.status}, {job.done}/{job.total} rows, {hits} rows matched")
    print(f"floor COPY + one join:                   {floor_seconds:8.2f} s  {floor_rate:>10.0f} identifiers/s   "
          f"({len(joined)} tokens joined)")
    print(f"floor incl. sealing the tokens in Python: {floor_seconds + seal_seconds:7.2f} s  {floor_with_seal:>10.0f} identifiers/s")
    print(f"ratio hub/floor: {hub_rate / floor_rate:.4f}   (hub/floor incl. sealing: {hub_rate / floor_with_seal:.4f}; target >= 0.50)")


if __name__ == "__main__":
    main()

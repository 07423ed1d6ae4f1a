"""Bulk screening, with tokens supplied and with raw identifiers, against its floors.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_bench python benchmarks/bulk.py [M] [--mode both|tokens|raw]

Seed first (benchmarks/seed_listed.py N). For each mode it builds a JSONL file of M rows (default
1,000,000), two identifiers per row (phone + email of one seller), a share of them (default half)
listed subjects, and times sharing.bulk.services.bulk.bulk_submit as the platform analyst until the job is
done: the upload (validate, tokenise or seal, store every row) and every chunk (match, evidence, rules,
store results). By default there is no broker, so the chunks run in-process, one after another;
--workers N runs them on a Celery worker on the bulk queue with N processes.

- tokens: rows carry obliviously derived tokens (bench tokens, see seed_listed.py). Floor: the same
  tokens in storage form COPYed into a temporary table and joined to sharing_identifiertoken in one
  query through psycopg. Target: hub >= 50% of the floor.
- raw: rows carry raw phone numbers and email addresses, tokenised by the hub (normalise + OPRF
  Evaluate). Their listed subjects are RAW_SUBJECTS sellers whose tokens are the real OPRF outputs,
  seeded once by this script. Floor: bare oprf.evaluate of the same identifiers (the rate measured on a
  sample of 20,000) plus the COPY + join floor of the same number of tokens.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    RAW_SUBJECTS_FIRST_SEEN,
    bulk_jsonl,
    celery_worker_start,
    celery_worker_stop,
    database_url,
    django_setup,
    listed_count,
)

RAW_SUBJECTS = 10_000


def raw_values(k: int, *, listed: bool) -> tuple[str, str]:
    """Seller k's phone and email as a member would upload them; listed sellers come from RAW_SUBJECTS."""
    prefix, who = ("139", "seller") if listed else ("137", "buyer")
    return f"+86 {prefix} {k // 10000 % 10000:04d} {k % 10000:04d}", f"{who}{k}@bench.example"


def raw_subjects_seed() -> None:
    """Seed RAW_SUBJECTS listed sellers under their real tokens, once."""
    import psycopg
    from seed_listed import ListedSeeder

    from hubcore.identifiers import normalise
    from sharing.crypto.tokens import token_evaluate
    from sharing.subjects.services.tokens import stored_token_rows

    def token_of(kind: str, value: str) -> str:
        canonical = normalise(kind, value, default_country="CN")
        return token_evaluate(identifier_type=canonical.type, canonical=canonical.value).value

    if stored_token_rows([token_of("phone", raw_values(0, listed=True)[0])]):
        return
    batch = []
    for k in range(RAW_SUBJECTS):
        phone, email = raw_values(k, listed=True)
        batch += [(token_of("phone", phone), "phone"), (token_of("email", email), "email")]
    with psycopg.connect(database_url()) as conn:
        seeder = ListedSeeder(conn, first_seen=datetime.fromisoformat(RAW_SUBJECTS_FIRST_SEEN))
        seeder.add(batch)
        seeder.finish()


def raw_jsonl(rows: int, hit_ratio: float, seed: int = 11) -> str:
    rng = random.Random(seed)
    lines = []
    for r in range(rows):
        listed = rng.random() < hit_ratio
        phone, email = raw_values(rng.randrange(RAW_SUBJECTS) if listed else r, listed=listed)
        lines.append(
            json.dumps(
                {
                    "ref": f"row-{r}",
                    "identifiers": [{"type": "phone", "value": phone}, {"type": "email", "value": email}],
                }
            )
        )
    return "\n".join(lines) + "\n"


def hub_run(upload: bytes, actor, workers: int) -> dict:
    """Submit the file and wait for the job: in-process (workers=0) or on a bulk worker with that many processes."""
    from sharing.bulk.services.bulk import bulk_submit
    from sharing.models.bulk import BulkJob, BulkResult

    worker = None
    if workers:
        worker = celery_worker_start(
            queue="bulk",
            concurrency=workers,
            name="bench-bulk",
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(5)  # let the worker connect before the clock starts
    try:
        started = time.perf_counter()
        job = bulk_submit(purpose="seller_onboarding", upload=io.BytesIO(upload), actor=actor)
        while workers and BulkJob.objects.filter(pk=job.pk, finished_at__isnull=True).exists():
            time.sleep(0.2)
        seconds = time.perf_counter() - started
    finally:
        if worker:
            celery_worker_stop(worker)
    job.refresh_from_db()
    hits = BulkResult.objects.filter(job=job).exclude(result__level="none").count()
    return {"seconds": seconds, "status": job.status, "done": job.done, "total": job.total, "hits": hits}


def join_floor(plain: list[str]) -> dict:
    """The storage forms of these tokens COPYed into a temp table and joined in one query."""
    import psycopg

    from hub.keys import token_storage_keys
    from sharing.crypto.tokens import token_seal

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
        joined = conn.execute(
            "SELECT u.row_index, t.id, t.subject_id FROM bench_upload u "
            "JOIN sharing_identifiertoken t ON t.token = u.token"
        ).fetchall()
        seconds = time.perf_counter() - t0
    return {"seconds": seconds, "seal_seconds": seal_seconds, "joined": len(joined)}


def evaluate_rate(sample: int = 20_000) -> float:
    """Bare OPRF evaluations per second on canonical inputs, one core."""
    from hubcore import oprf
    from hubcore.tokens import token_input
    from sharing.crypto.tokens import hub_oprf_key

    key = hub_oprf_key()
    inputs = [token_input(identifier_type="phone", canonical=f"+86139{i:08d}") for i in range(sample)]
    t0 = time.perf_counter()
    for data in inputs:
        oprf.evaluate(key.secret, data)
    return sample / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "m", type=int, nargs="?", default=1_000_000, help="rows in each bulk file (default 1000000)"
    )
    parser.add_argument("--mode", choices=["both", "tokens", "raw"], default="both")
    parser.add_argument("--hit-ratio", type=float, default=0.5)
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="process the chunks on a Celery bulk worker with this many processes (real broker: "
        "CELERY_BROKER_URL, default redis://127.0.0.1:6379/9) instead of in-process",
    )
    args = parser.parse_args()
    if args.workers:
        os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/9")
        os.environ.setdefault(
            "HUB_BULK_DUTY_PERCENT", "100"
        )  # the rate itself: workers do not rest between chunks
    m = args.m
    os.environ.setdefault("HUB_BULK_MAX_ROWS", str(max(m, 100_000)))
    os.environ.setdefault("HUB_BULK_JOBS_PER_DAY", "100000")
    os.environ.setdefault("HUB_BULK_CONCURRENT_JOBS", "100000")
    django_setup()
    from django.conf import settings
    from django.core.management import call_command

    from accounts.actors import Actor
    from accounts.models import Member

    n_listed = listed_count()
    if n_listed < 2:
        sys.exit("Seed listed tokens first: python benchmarks/seed_listed.py N")
    call_command("seed_demo", "--json", stdout=io.StringIO())
    actor = Actor(
        member=Member.objects.select_related("organisation", "user").get(user__username="platform-analyst")
    )
    identifiers = 2 * m
    print(
        f"listed tokens: {n_listed}   bulk files: {m} rows, {identifiers} identifiers each, hit ratio {args.hit_ratio}, "
        f""
        f"{f'Celery bulk worker, {args.workers} processes, duty {settings.HUB_BULK_DUTY_PERCENT}%' if args.workers else 'in-process (Celery eager)'}, "
        f"chunk {settings.HUB_BULK_CHUNK_ROWS} rows"
    )

    text, plain = bulk_jsonl(n_listed, m, hit_ratio=args.hit_ratio)
    if args.mode in ("both", "tokens"):
        upload = text.encode()
        hub = hub_run(upload, actor, args.workers)
        rate = identifiers / hub["seconds"]
        print(f"tokens supplied ({len(upload) / 1e6:.0f} MB):")
        print(
            f"  hub   bulk_submit + chunks:   {hub['seconds']:8.1f} s  {rate:>9.0f} identifiers/s  {m / hub['seconds']:>8.0f} rows/s"
            f"   job {hub['status']}, {hub['done']}/{hub['total']} rows, {hub['hits']} rows matched"
        )
    floor = join_floor(plain)
    floor_rate = identifiers / floor["seconds"]
    print(
        f"  floor COPY + one join:        {floor['seconds']:8.2f} s  {floor_rate:>9.0f} identifiers/s   ({floor['joined']} tokens joined;"
        f" sealing them in Python first: {floor['seal_seconds']:.2f} s more)"
    )
    if args.mode in ("both", "tokens"):
        with_seal = identifiers / (floor["seconds"] + floor["seal_seconds"])
        print(
            f"  ratio hub/floor: {rate / floor_rate:.3f}   (vs floor incl. sealing: {rate / with_seal:.3f}; target >= 0.50)"
        )

    if args.mode in ("both", "raw"):
        raw_subjects_seed()
        upload = raw_jsonl(m, args.hit_ratio).encode()
        hub = hub_run(upload, actor, args.workers)
        rate = identifiers / hub["seconds"]
        evaluations = evaluate_rate()
        raw_floor_seconds = identifiers / evaluations + floor["seconds"]
        print(f"raw identifiers ({len(upload) / 1e6:.0f} MB; {RAW_SUBJECTS} listed raw sellers):")
        print(
            f"  hub   bulk_submit + chunks:   {hub['seconds']:8.1f} s  {rate:>9.0f} identifiers/s  {m / hub['seconds']:>8.0f} rows/s"
            f"   job {hub['status']}, {hub['done']}/{hub['total']} rows, {hub['hits']} rows matched"
        )
        print(
            f"  floor bare evaluations ({evaluations:.0f}/s) + COPY + join: {raw_floor_seconds:8.1f} s  "
            f"{identifiers / raw_floor_seconds:>9.0f} identifiers/s"
        )
        print(f"  ratio hub/floor: {rate * raw_floor_seconds / identifiers:.3f}")


if __name__ == "__main__":
    main()

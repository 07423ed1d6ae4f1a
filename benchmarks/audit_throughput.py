"""Audited actions per second on PostgreSQL with K concurrent connections, beside their floor.

    createdb -h 127.0.0.1 -U postgres seqbench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/seqbench python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/seqbench python benchmarks/audit_throughput.py [--seconds 5] [--connections 1,2,4,8]

Each of K processes (one connection each) runs transactions for --seconds, each a realistic tiny
audited action: `audit_record` of an API-key actor's check (the row and its details as a check
writes them) and COMMIT. Three runs per K, in the same run of the script:

- floor: the same transaction inserting an equivalent row (same columns, a 64-hex leaf hash,
  seq from a PostgreSQL sequence, so no lock is shared) into a plain table with the log's indexes
  and no head: what the database costs without the serialisation.
- inline (HUB_AUDIT_SEQUENCING="inline", before): the head row's upsert in every action, held
  until its commit.
- batched (after): the action stages its event; one more process runs the sequencer in a loop
  (as the Celery worker would, nudged and on beat) and places staged events in batches. The
  actions/s counts committed actions; the script also prints what the sequencer placed per second
  and what was left staged at the end, and checks the log is gapless and verifies.

Then the sequencer's own ceiling: --ceiling-events events staged up front, placed by one
sequencer as fast as it goes (events/s): the most batched sequencing can log on this primary.

Prints actions/s per K and the ratio to the floor. Noisy on a shared machine: compare the runs of
the same script run, not figures across runs.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing as mp
import os
import sys
import time
from multiprocessing.synchronize import Event
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import database_url, django_setup  # noqa: E402

FLOOR_TABLE = "bench_audit_floor"


def _setup(mode: str) -> None:
    os.environ["HUB_AUDIT_SEQUENCING"] = mode
    # Checkpoints are out of the measurement (signing a root over the whole log every 1,000 events
    # would run in-process here, with no broker); _drain_and_verify makes one at the end.
    os.environ["HUB_CHECKPOINT_EVERY_EVENTS"] = str(10**12)
    # The sequencer process below stands for the worker; no broker here, so no nudges are sent.
    os.environ.pop("CELERY_BROKER_URL", None)
    django_setup()


def _actor():
    from accounts.actors import Actor
    from accounts.models import ApiKey

    api_key = ApiKey.objects.select_related("member__organisation").order_by("id").first()
    return Actor(member=api_key.member, api_key=api_key, request_id="bench") if api_key else None


def _check_details(n: int) -> dict:
    return {
        "identifiers": 2,
        "hits": 1,
        "types": ["phone", "email"],
        "token_prefixes": ["ab12", "cd34"],
        "n": n,
    }


def _actions(mode: str, seconds: float, start: Event, counts: mp.Queue) -> None:
    _setup(mode)
    from django.db import connection, transaction

    from accounts.audit import sequencer
    from accounts.audit.models import DataClass
    from accounts.audit.services import audit_record
    from accounts.audit.tags import AuditTag

    # No nudges: the separate sequencer process polls (in production the nudge only wakes it).
    sequencer.sequencer_nudge_after_commit = lambda: None
    import accounts.audit.services as services

    services.sequencer_nudge_after_commit = lambda: None
    actor = _actor()
    connection.ensure_connection()
    start.wait()
    done, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        with transaction.atomic():
            audit_record(
                actor=actor,
                tag=AuditTag.CHECK_RUN,
                data_class=DataClass.SHAREABLE,
                target_type="check",
                details=_check_details(done),
            )
        done += 1
    counts.put(done)
    connection.close()


def _floor(seconds: float, start: Event, counts: mp.Queue) -> None:
    _setup("inline")
    import json
    import uuid

    from django.db import connection, transaction
    from django.utils import timezone

    actor = _actor()
    member_id = actor.member.pk if actor else None
    key_id = actor.api_key.pk if actor and actor.api_key else None
    org_id = actor.member.organisation_id if actor else None
    connection.ensure_connection()
    start.wait()
    done, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {FLOOR_TABLE} (seq, leaf_hash, public_id, occurred_at, actor_member_id, "
                "actor_api_key_id, organisation_id, role, action, object_type, object_id, data_class, "
                "legal_basis, outcome, request_id, details) VALUES (nextval('bench_audit_floor_seq'), %s, %s, %s, "
                "%s, %s, %s, 'analyst', 'sharing:check:run', 'check', '', 'shareable', 'membership_terms', "
                "'allowed', 'bench', %s)",
                [
                    "0" * 64,
                    uuid.uuid4(),
                    timezone.now(),
                    member_id,
                    key_id,
                    org_id,
                    json.dumps(_check_details(done)),
                ],
            )
        done += 1
    counts.put(done)
    connection.close()


def _sequencer_loop(stop: Event, placed: mp.Queue) -> None:
    _setup("batched")
    from django.db import connection

    from accounts.audit.sequencer import sequence_staged

    total, started = 0, time.monotonic()
    while not stop.is_set():
        batch = sequence_staged()
        total += batch
        if batch == 0:
            time.sleep(0.01)
    placed.put((total, time.monotonic() - started))
    connection.close()


def _run(kind: str, k: int, seconds: float) -> tuple[float, str]:
    ctx = mp.get_context("spawn")
    start, counts = ctx.Event(), ctx.Queue()
    target, args = (
        (_floor, (seconds, start, counts)) if kind == "floor" else (_actions, (kind, seconds, start, counts))
    )
    workers = [ctx.Process(target=target, args=args) for _ in range(k)]
    stop, placed = ctx.Event(), ctx.Queue()
    seq_proc = ctx.Process(target=_sequencer_loop, args=(stop, placed)) if kind == "batched" else None
    for process in workers + ([seq_proc] if seq_proc else []):
        process.start()
    time.sleep(3)  # the processes import Django and connect before the clock starts
    start.set()
    total = sum(counts.get() for _ in workers)
    for process in workers:
        process.join()
    note = ""
    if seq_proc is not None:
        time.sleep(0.5)
        stop.set()
        n, elapsed = placed.get()
        seq_proc.join()
        note = f"sequencer placed {n} ({n / elapsed:,.0f}/s over its {elapsed:.1f} s), {_staged_left()} left staged"
    return total / seconds, note


def _staged_left() -> int:
    import psycopg

    with psycopg.connect(database_url()) as conn:
        row = conn.execute("SELECT count(*) FROM accounts_auditstagedevent").fetchone()
        return row[0] if row else 0


def _prepare() -> None:
    import tempfile

    import psycopg

    os.environ["HUB_CHECKPOINT_DIR"] = tempfile.mkdtemp(prefix="audit-throughput-checkpoints-")
    _setup("inline")
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())  # an API key for the actor

    with psycopg.connect(database_url(), autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
        conn.execute("DROP SEQUENCE IF EXISTS bench_audit_floor_seq")
        # The log's columns, defaults and indexes (LIKE … INCLUDING ALL), without its triggers or head.
        conn.execute(f"CREATE TABLE {FLOOR_TABLE} (LIKE accounts_auditevent INCLUDING ALL)")
        conn.execute("CREATE SEQUENCE bench_audit_floor_seq")


def _sequencer_ceiling(events: int) -> str:
    """What one sequencer places per second when it never waits for work: the ceiling of batched
    sequencing on this primary, whatever number of web processes stage events."""
    from django.conf import settings
    from django.db import transaction

    import accounts.audit.services as services
    from accounts.audit.models import DataClass
    from accounts.audit.sequencer import sequence_all_staged
    from accounts.audit.tags import AuditTag

    settings.HUB_AUDIT_SEQUENCING = "batched"
    services.sequencer_nudge_after_commit = lambda: None
    actor = _actor()
    with transaction.atomic():
        for n in range(events):
            services.audit_record(
                actor=actor,
                tag=AuditTag.CHECK_RUN,
                data_class=DataClass.SHAREABLE,
                target_type="check",
                details=_check_details(n),
            )
    started = time.monotonic()
    placed = sequence_all_staged(within_seconds=600)
    elapsed = time.monotonic() - started
    return (
        f"sequencer ceiling: {placed:,} staged events placed in {elapsed:.2f} s = {placed / elapsed:,.0f} events/s "
        f"(batches of {settings.HUB_AUDIT_SEQUENCER_BATCH})"
    )


def _drain_and_verify() -> str:
    from accounts.audit.checkpoints import checkpoint_create
    from accounts.audit.sequencer import sequence_all_staged
    from accounts.audit.verify import audit_verify

    sequence_all_staged(within_seconds=600)
    checkpoint_create()
    problems = audit_verify()
    return (
        "the log verifies (gapless, every leaf recomputed)" if not problems else f"PROBLEMS: {problems[:3]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", default="1,2,4,8")
    parser.add_argument("--ceiling-events", type=int, default=20000)
    options = parser.parse_args()
    ks = [int(k) for k in options.connections.split(",")]
    _prepare()
    print(
        f"audited actions/s on {database_url().rsplit('/', 1)[-1]}, {options.seconds:g} s per run, {os.cpu_count()} cores"
    )
    print(
        f"{'K':>3} {'floor/s':>10} {'inline/s':>10} {'inline÷floor':>13} {'batched/s':>10} {'batched÷floor':>14} {'batched÷inline':>15}"
    )
    notes = []
    for k in ks:
        floor, _ = _run("floor", k, options.seconds)
        inline, _ = _run("inline", k, options.seconds)
        batched, note = _run("batched", k, options.seconds)
        print(
            f"{k:>3} {floor:>10,.0f} {inline:>10,.0f} {inline / floor:>13.2f} {batched:>10,.0f} "
            f"{batched / floor:>14.2f} {batched / inline:>15.2f}",
            flush=True,
        )
        notes.append(f"K={k}: {note}")
    print("\n".join(notes))
    print(_sequencer_ceiling(options.ceiling_events))
    print(_drain_and_verify())


if __name__ == "__main__":
    main()

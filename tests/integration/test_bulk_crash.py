"""Bulk workers killed again and again mid-job lose no row and duplicate none.

Real worker processes on the real broker's "bulk" queue, against the test database; one is
SIGKILLed at least five times while the job runs and restarted each time. Messages a
killed worker held are not redelivered soon (the broker's visibility timeout is long), so
the sweeper, which reads the database, is what gets the job finished.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from accounts.actors import Actor
from sharing.bulk.services.bulk import bulk_submit, bulk_sweep
from sharing.models import BulkChunk, BulkChunkStatus, BulkJob, BulkJobStatus, BulkResult, BulkRow
from tests.factories import persona, report_make_accepted, seller_identifiers

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROWS = 20000
KILLS = 5
TIMEOUT_SECONDS = 300


@pytest.fixture
def bulk_workers(real_broker, tmp_path):
    """start() runs a fresh worker process on the "bulk" queue against the test database."""
    from hub.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("bulk")  # chunks left over from an earlier run
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    # Full duty: a kill should land inside a chunk, not in the rest a worker takes between chunks.
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        # The test's rows are written a moment before the worker reads them: read the primary.
        "DATABASE_REPLICA_URL": "",
        "CELERY_BROKER_URL": real_broker,
        "HUB_BULK_DUTY_PERCENT": "100",
    }
    processes: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        log = open(tmp_path / f"worker-{len(processes)}.log", "wb")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "hub",
                "worker",
                "--pool=solo",
                "-Q",
                "bulk",
                "--loglevel=WARNING",
                "-n",
                f"bulk-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def _csv(rows: int) -> bytes:
    lines = ["ref,phone,email"] + [
        f"seller-{n},+86 137 {n // 10000:04d} {n % 10000:04d},seller{n}@example.com" for n in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def _done(job: BulkJob) -> int:
    return BulkJob.objects.values_list("done", flat=True).get(pk=job.pk)


def _wait(predicate, seconds: float, sweep: bool = False) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        if sweep:
            bulk_sweep()
        time.sleep(0.3)
    return False


def _kill_during_progress(start, job: BulkJob) -> int:
    """Start a worker, let it make some progress, SIGKILL it mid-run; repeat KILLS times."""
    kills = 0
    while kills < KILLS:
        before = _done(job)
        worker = start()
        assert _wait(lambda before=before: _done(job) > before, 60, sweep=True), "the worker made no progress"
        time.sleep(0.05 * kills)  # vary where in a chunk the kill lands
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        kills += 1
        assert _done(job) < job.total, "the job finished before the worker could be killed enough times"
    return kills


def test_killed_bulk_workers_lose_and_duplicate_no_row(bulk_workers, settings):
    # Many chunks make a long job; each big enough that a worker spends nearly all its time inside
    # one (set-based chunks are fast: at 10 rows a kill mostly landed between two). A short lease
    # lets the sweeper recover fast.
    settings.HUB_BULK_CHUNK_ROWS, settings.HUB_BULK_LEASE_SECONDS = 100, 2
    reviewer = persona("operator", "reviewer")
    report_make_accepted(persona("rights_owner", "reporter"), reviewer, seller_identifiers(0))
    analyst = persona("platform", "analyst")
    job = bulk_submit(purpose="seller_onboarding", upload=io.BytesIO(_csv(ROWS)), actor=Actor(member=analyst))

    kills = _kill_during_progress(bulk_workers, job)
    bulk_workers()
    finished = _wait(
        lambda: BulkJob.objects.get(pk=job.pk).status == BulkJobStatus.DONE, TIMEOUT_SECONDS, sweep=True
    )

    job.refresh_from_db()
    indexes = list(BulkResult.objects.filter(job=job).values_list("index", flat=True))
    assert kills >= KILLS and finished, (job.status, job.done, job.total)
    assert (job.total, job.done, BulkRow.objects.filter(job=job).count()) == (ROWS, ROWS, ROWS)
    assert len(indexes) == ROWS and set(indexes) == set(range(ROWS))
    assert not BulkChunk.objects.filter(job=job, status=BulkChunkStatus.PENDING).exists()
    assert BulkChunk.objects.filter(job=job, attempts__gt=1).exists(), "no chunk was ever retried"

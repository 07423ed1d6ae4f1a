"""Shared helpers for the benchmarks (not part of the test suite)."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hub_bench"
TYPES = ("phone", "email")  # token i has type TYPES[i % 2]; tokens 2k and 2k+1 form subject k


def django_setup() -> None:
    """Load the hub's settings (token_seal, storage keys) against the benchmark database."""
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def database_url() -> str:
    return os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)


def bench_token(i: int) -> str:
    """The i-th listed token: an OPRF-like 64-byte value, reproducible so other scripts can look it up."""
    return hashlib.sha512(b"iih-bench-token:%d" % i).hexdigest()


def bulk_jsonl(n_listed: int, rows: int, *, hit_ratio: float = 0.5, seed: int = 7) -> tuple[str, list[str]]:
    """A bulk upload of `rows` sellers with two supplied tokens each (a share of them listed subjects),
    and the tokens in file order."""
    import json
    import random

    rng = random.Random(seed)
    lines, tokens = [], []
    for r in range(rows):
        if rng.random() < hit_ratio:
            k = rng.randrange(n_listed // 2)
            ids = [bench_token(2 * k), bench_token(2 * k + 1)]
        else:
            ids = [bench_token(10**12 + 2 * r), bench_token(10**12 + 2 * r + 1)]
        tokens.extend(ids)
        lines.append(
            json.dumps(
                {
                    "ref": f"row-{r}",
                    "identifiers": [
                        {"type": TYPES[j], "token": t, "key_version": 1} for j, t in enumerate(ids)
                    ],
                }
            )
        )
    return "\n".join(lines) + "\n", tokens


# bulk.py's raw-identifier subjects carry this first_seen_at, so they are not counted as bench tokens.
RAW_SUBJECTS_FIRST_SEEN = "2000-01-01T00:00:00+00:00"


def listed_count() -> int:
    """How many bench tokens (bench_token(0) … bench_token(n-1)) are seeded."""
    import psycopg

    with psycopg.connect(database_url()) as conn:
        return conn.execute(
            "SELECT count(*) FROM sharing_identifiertoken WHERE first_seen_at <> %s",
            (RAW_SUBJECTS_FIRST_SEEN,),
        ).fetchone()[0]


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def celery_worker_start(
    *, queue: str, concurrency: int, name: str, env: dict, solo: bool = False, beat: bool = False, **popen
):
    """A real Celery worker of the hub on one queue, in its own process group (celery_worker_stop ends it);
    with beat, it also runs the hub's schedule (hub/celery.py) as production's beat does."""
    import subprocess
    import tempfile

    command = [str(Path(sys.executable).parent / "celery"), "-A", "hub", "--quiet", "worker", "-Q", queue]
    command += ["-c", str(concurrency), "--loglevel", "warning", "-n", f"{name}-{os.getpid()}@%h"]
    if solo:
        command += ["--pool", "solo"]
    if beat:  # its schedule file outside the checkout
        command += ["--beat", "--schedule", str(Path(tempfile.mkdtemp(prefix="iih-beat-")) / "schedule")]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, **popen)


def celery_worker_stop(worker, *, timeout: float = 120) -> None:
    """Warm shutdown (the task in hand finishes: acks_late, no lost-worker noise), killed if it outlasts timeout."""
    import signal
    import subprocess

    worker.terminate()
    try:
        worker.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)

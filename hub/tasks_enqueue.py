"""The one way the hub sends a task: after the commit that wrote its work, never failing the request.

The database is the record of every piece of queued work (bulk chunks, webhook outbox rows,
approved disclosure orders, audit checkpoints); the broker only wakes a worker sooner. So a
send that fails after commit (a broker outage, a crash) is logged and left to the sweepers in
the beat schedule (hub/celery.py), and the request that committed the work still succeeds.
Task arguments are database ids only, never raw values; the log names the task and the
error's type, nothing else (a broker error's text may carry the broker's address).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from celery import Task
from django.db import transaction

from hub.celery import app

logger = logging.getLogger(__name__)

# A transient broker error is retried briefly; a longer outage is the sweepers' job, not the request's.
RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def task_named(name: str) -> Task:
    """The registered task of that name (Celery imports the tasks modules only when asked).

    Services send their tasks by name, as Celery's send_task does, because each tasks module
    imports the services it runs: a service importing its tasks module back would be an import
    cycle (tests/test_import_contracts.py forbids both the cycle and services importing tasks).
    """
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def enqueue_after_commit(task: Task, ids: Sequence[int] | None = None) -> None:
    """Once the current transaction commits, send `task(id)` for each id (`ids=None`: one `task()`)."""
    ids = None if ids is None else list(ids)

    def send_after_commit() -> None:
        enqueue_now(task, ids)

    # robust: even an error escaping enqueue_now must not turn the committed request into a 500.
    transaction.on_commit(send_after_commit, robust=True)


def enqueue_now(task: Task, ids: Sequence[int] | None = None) -> int:
    """Send `task(id)` for each id now (`ids=None`: one `task()`); stop at the first failure, which the
    sweepers make good. Returns how many were sent."""
    calls = [()] if ids is None else [(task_id,) for task_id in ids]
    for sent, args in enumerate(calls):
        try:
            task.apply_async(args=args, retry=True, retry_policy=RETRY_POLICY)
        except Exception as exc:  # noqa: BLE001 - a broker error, or an eager task's own failure
            what = "ran and failed in-process" if task.app.conf.task_always_eager else "could not be sent"
            logger.warning(
                "%s %s (%s); %d of %d sends left to the sweeper",
                task.name,
                what,
                type(exc).__name__,
                len(calls) - sent,
                len(calls),
            )
            return sent
    return len(calls)

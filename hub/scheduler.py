"""The beat schedule of hub/celery.py run in-process, for the embedded default.

The embedded default has no broker, so there is no `celery beat` and no worker: without this,
reports, disputes, approvals and retention would never expire there, and no sweeper would run.
`manage.py run_embedded` starts InProcessBeat in a daemon thread beside the web server; it reads
the same schedule entries and the same Celery schedule objects beat uses, and runs each task in
this process when it falls due. Deadlines do not depend on it: every action checks its own
(sharing/reports/services/deadlines.py); the schedule tidies up and runs the sweepers.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery.schedules import BaseSchedule, maybe_schedule
from django.db import close_old_connections
from django.utils import timezone

from hub.celery import app

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# The longest the thread sleeps between looks at the schedule, so a stop request is seen soon.
MAX_SLEEP_SECONDS = 30.0


@dataclass
class _Entry:
    task: str
    schedule: BaseSchedule
    last_run_at: datetime


class InProcessBeat:
    """Runs each beat entry's task when it falls due, as celery beat would send it."""

    def __init__(self, beat_schedule: dict, *, run: Callable[[str], None], now: Clock = timezone.now):
        self._run, self._now = run, now
        # Everything is due at the first tick: what fell due while the hub was stopped is caught up at once.
        long_ago = now() - timedelta(days=366)
        self.entries = {
            name: _Entry(spec["task"], self._on_our_clock(spec["schedule"]), long_ago)
            for name, spec in beat_schedule.items()
        }

    def _on_our_clock(self, spec) -> BaseSchedule:
        schedule = copy.copy(maybe_schedule(spec, app=app))
        schedule.nowfun = self._now
        return schedule

    def tick(self) -> float:
        """Run every entry due now; returns the seconds until the next one falls due."""
        waits = []
        for entry in self.entries.values():
            due, wait = entry.schedule.is_due(entry.last_run_at)
            if due:
                entry.last_run_at = self._now()
                self._run(entry.task)
            waits.append(wait)
        return min(waits, default=MAX_SLEEP_SECONDS)


def registered_task(name: str):
    """The task of that name; Celery imports the apps' tasks modules only when asked (a worker does at start)."""
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def task_run_in_process(name: str) -> None:
    """Run one registered task here and now; a failure is logged (by type: no values) and the schedule goes on."""
    try:
        registered_task(name).apply(throw=True)
    except Exception as exc:  # noqa: BLE001 - one failing task must not stop the others
        logger.error("scheduled task %s failed (%s)", name, type(exc).__name__)


def beat_thread_start(stop: threading.Event | None = None) -> tuple[threading.Thread, threading.Event]:
    """Start the in-process beat in a daemon thread; set the returned event to stop it."""
    stop = stop or threading.Event()
    beat = InProcessBeat(app.conf.beat_schedule, run=task_run_in_process)

    def loop() -> None:
        while not stop.is_set():
            close_old_connections()  # this thread's own connection: drop it if broken or past its age
            wait = beat.tick()
            close_old_connections()
            stop.wait(min(wait, MAX_SLEEP_SECONDS))

    thread = threading.Thread(target=loop, name="hub-in-process-beat", daemon=True)
    thread.start()
    return thread, stop

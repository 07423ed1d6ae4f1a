"""The embedded default runs the beat schedule in-process (hub/scheduler.py, manage.py run_embedded)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone as dj_timezone

from hub.celery import app
from hub.scheduler import InProcessBeat, registered_task, task_run_in_process

START = datetime(2026, 3, 2, 0, 0, 30, tzinfo=UTC)  # a Monday, half a minute past midnight


class FakeClock:
    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta) -> None:
        self.at += timedelta(**delta)


def _beat(clock: FakeClock) -> tuple[InProcessBeat, list[str]]:
    ran: list[str] = []
    return InProcessBeat(app.conf.beat_schedule, run=ran.append, now=clock), ran


def _tasks_of(*entries: str) -> list[str]:
    return sorted(app.conf.beat_schedule[name]["task"] for name in entries)


def test_every_beat_entry_is_a_registered_task_and_runs_at_the_first_tick():
    beat, ran = _beat(FakeClock(START))

    beat.tick()

    scheduled = sorted(entry["task"] for entry in app.conf.beat_schedule.values())
    assert sorted(ran) == scheduled and len(beat.entries) == len(app.conf.beat_schedule)
    assert all(registered_task(name).name == name for name in scheduled)


def test_entries_run_again_at_their_intervals_and_not_before():
    clock = FakeClock(START)
    beat, ran = _beat(clock)
    beat.tick()
    ran.clear()
    every_minute = _tasks_of(
        "audit-checkpoint-every-minute",
        "sweep-webhooks-every-minute",
        "sweep-bulk-chunks-every-minute",
        "sweep-disclosure-builds-every-minute",
        "sweep-mail-every-minute",
    )

    # Batched audit sequencing runs every second: at every tick below, and the next tick is a second away.
    every_second = _tasks_of("audit-sequence-every-second")

    clock.advance(seconds=30)
    early = beat.tick()
    clock.advance(seconds=31)
    beat.tick()
    after_a_minute = sorted(ran)
    ran.clear()
    clock.advance(minutes=6)  # 00:07:31: the hourly report expiry (minute 7) is due
    beat.tick()

    assert 0 < early <= 1
    assert after_a_minute == sorted(every_minute + every_second * 2)
    assert sorted(ran) == sorted(
        every_minute
        + every_second
        + _tasks_of(
            "expire-reports-hourly",
            "lapse-disputes-daily",
            "close-sales-totals-every-five-minutes",
            "alert-overdue-urgent-reviews-every-five-minutes",
        )
    )


def test_a_daily_entry_runs_once_a_day():
    clock = FakeClock(START)
    beat, ran = _beat(clock)
    beat.tick()
    ran.clear()

    for _ in range(24 * 60):
        clock.advance(minutes=1)
        beat.tick()

    assert ran.count("sharing.tasks.restricted_payloads_destroy_task") == 1
    assert ran.count("sharing.tasks.reports_expire_task") == 24
    assert ran.count("accounts.tasks.audit_checkpoint_task") == 24 * 60


@pytest.mark.django_db
def test_a_scheduled_task_runs_in_this_process_against_the_database():
    from accounts.roles import OrganisationKind as K
    from accounts.roles import Role as R
    from sharing.models import Report, ReportStatus
    from tests.factories import persona, report_make_accepted

    report = report_make_accepted(persona(K.RIGHTS_OWNER, R.REPORTER), persona(K.OPERATOR, R.REVIEWER))
    Report.objects.filter(pk=report.pk).update(expires_at=dj_timezone.now() - timedelta(minutes=1))

    task_run_in_process("sharing.tasks.reports_expire_task")

    assert Report.objects.get(pk=report.pk).status == ReportStatus.EXPIRED


def test_a_failing_task_is_logged_by_type_and_the_schedule_goes_on(monkeypatch, caplog):
    task = registered_task("sharing.tasks.reputations_refresh_task")

    def fail(*args, **kwargs):
        raise RuntimeError("value that must not be logged")

    monkeypatch.setattr(task, "run", fail)

    task_run_in_process("sharing.tasks.reputations_refresh_task")

    assert [r.getMessage() for r in caplog.records if r.name == "hub.scheduler"] == [
        "scheduled task sharing.tasks.reputations_refresh_task failed (RuntimeError)"
    ]


def test_run_embedded_starts_the_scheduler_beside_the_server_only_without_a_broker(monkeypatch, settings):
    from django.core.management import call_command

    from sharing.management.commands import run_embedded

    started, served = [], []
    monkeypatch.setattr(run_embedded, "beat_thread_start", lambda: started.append(True))
    monkeypatch.setattr(run_embedded, "call_command", lambda *args, **kwargs: served.append((args, kwargs)))

    settings.CELERY_BROKER_URL = ""
    call_command("run_embedded", "127.0.0.1:8123")
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/9"
    call_command("run_embedded")

    assert started == [True]
    assert served == [
        (("runserver", "127.0.0.1:8123"), {"use_reloader": False}),
        (("runserver", "127.0.0.1:8000"), {"use_reloader": False}),
    ]


def test_the_scheduler_thread_stops_when_asked(monkeypatch):
    from hub import scheduler

    monkeypatch.setattr(scheduler, "task_run_in_process", lambda name: None)
    monkeypatch.setattr(scheduler.InProcessBeat, "tick", lambda self: 0.01)
    thread, stop = scheduler.beat_thread_start(threading.Event())

    stop.set()
    thread.join(timeout=5)

    assert not thread.is_alive() and thread.daemon

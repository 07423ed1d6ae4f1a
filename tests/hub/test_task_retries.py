"""Transient failures retry with backoff: a send on broker errors, a task body on database errors.

The send side (hub/tasks_enqueue.py) is driven against a broker URL that refuses connections;
the task side (hub/task_base.py) against a real database error.
"""

from __future__ import annotations

import logging

import pytest
from celery import shared_task
from django.db import InterfaceError, OperationalError, connection, transaction
from kombu.exceptions import OperationalError as BrokerOperationalError

from hub import tasks_enqueue
from hub.celery import app
from hub.task_base import HubTask
from hub.tasks_enqueue import SEND_ATTEMPTS, enqueue_now

CALLS: list[str] = []


@shared_task(name="tests.hub.flaky_database_task")
def flaky_database_task(failures: int) -> int:
    """Fail with a real database error on the first `failures` runs, then answer how many runs it took."""
    CALLS.append("run")
    if len(CALLS) <= failures:
        _database_error()
    return len(CALLS)


def _database_error() -> None:
    """A real OperationalError from the database: a query cancelled by its timeout (PostgreSQL), a
    missing table (SQLite). In a savepoint, so the test's transaction stays usable."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL statement_timeout = 1")
            cursor.execute("SELECT pg_sleep(1)")
        else:
            cursor.execute("SELECT * FROM table_that_is_not_there")


@shared_task(name="tests.hub.refusing_task")
def refusing_task() -> None:
    CALLS.append("run")
    raise ValueError("a refusal, not a transient error")


@pytest.fixture(autouse=True)
def calls_cleared():
    CALLS.clear()


def _counting_sends(monkeypatch, task) -> list[tuple]:
    """Spy on the task's sends; each one still goes to the (refusing) broker."""
    sends: list[tuple] = []
    real = task.apply_async

    def apply_async(*args, **kwargs):
        sends.append(kwargs.get("args", ()))
        return real(*args, **kwargs)

    monkeypatch.setattr(task, "apply_async", apply_async)
    return sends


def test_a_send_to_a_refusing_broker_is_tried_again_with_backoff_then_left_to_the_sweeper(
    broker_down, monkeypatch, caplog
):
    caplog.set_level(logging.WARNING)
    sends = _counting_sends(monkeypatch, flaky_database_task)

    sent = enqueue_now(flaky_database_task, [41, 42])

    assert sent == 0
    assert sends == [(41,)] * SEND_ATTEMPTS  # the first id retried, the second left to the sweeper
    warnings = [r.getMessage() for r in caplog.records if r.name == "hub.tasks_enqueue"]
    assert len(warnings) == 1 and "OperationalError" in warnings[0] and broker_down not in warnings[0]


def test_a_broker_blip_is_ridden_out(broker_down, monkeypatch):
    sends: list[tuple] = []
    real = flaky_database_task.apply_async

    def apply_async(*args, **kwargs):
        sends.append(kwargs["args"])
        if len(sends) == 1:
            return real(*args, **kwargs)  # the real refusal, once
        return None  # then the broker is back

    monkeypatch.setattr(flaky_database_task, "apply_async", apply_async)

    sent = enqueue_now(flaky_database_task, [7])

    assert sent == 1 and sends == [(7,), (7,)]


def test_the_send_backoff_grows():
    waits = [tasks_enqueue.SEND_WAIT(_retry_state(n)) for n in (1, 2, 3)]

    assert waits[0] > 0 and waits[1] == 2 * waits[0] and waits[2] == 2 * waits[1]


def _retry_state(attempt: int):
    from tenacity import RetryCallState

    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})
    state.attempt_number = attempt
    return state


def test_the_transient_broker_errors_are_the_ones_a_refused_connection_raises(broker_down):
    with pytest.raises(tasks_enqueue.TRANSIENT_BROKER_ERRORS) as raised:
        flaky_database_task.apply_async(args=(1,), retry=False)

    assert isinstance(raised.value, BrokerOperationalError)


@pytest.fixture
def worker_like():
    """Run tasks with apply() as a worker would: a retry is a new run, an error a failed result."""
    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before


@pytest.mark.django_db
def test_a_task_body_retries_a_database_error_then_succeeds(worker_like):
    result = flaky_database_task.apply(args=(2,))

    assert result.successful() and result.get() == 3
    assert CALLS == ["run"] * 3


@pytest.mark.django_db
def test_a_task_body_gives_up_after_its_retries(worker_like):
    result = flaky_database_task.apply(args=(100,))

    assert result.failed() and isinstance(result.result, OperationalError)
    assert len(CALLS) == 1 + HubTask.max_retries


def test_a_task_body_does_not_retry_a_refusal(worker_like):
    result = refusing_task.apply()

    assert result.failed() and isinstance(result.result, ValueError) and CALLS == ["run"]


def test_a_task_called_directly_raises_at_once():
    with pytest.raises(ValueError):
        refusing_task()

    assert CALLS == ["run"]


def test_every_hub_task_retries_transient_database_errors_with_backoff():
    app.loader.import_default_modules()
    hub_tasks = [task for name, task in app.tasks.items() if name.split(".")[0] in ("accounts", "sharing")]

    assert hub_tasks
    for task in hub_tasks:
        assert isinstance(task, HubTask), task.name
        assert {OperationalError, InterfaceError} <= set(task.autoretry_for), task.name
        assert task.retry_backoff and task.retry_jitter and task.max_retries, task.name

"""Batched sequencing: staged in the action's transaction, placed gapless and verifiable by the sequencer,
and nothing lost or doubled when the sequencer dies halfway (accounts/audit/sequencer.py)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.audit import sequencer
from accounts.audit.checkpoints import checkpoint_create
from accounts.audit.log import log_size
from accounts.audit.models import Alert, AuditCheckpoint, AuditEvent, AuditStagedEvent, DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.audit.verify import audit_verify
from tests import audit_triggers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def batched(settings):
    settings.HUB_AUDIT_SEQUENCING = "batched"


def _act(n: int = 0) -> AuditEvent:
    """A tiny audited action, in its own transaction."""
    with transaction.atomic():
        return audit_record(
            actor=None,
            tag=AuditTag.REPORT_EXPIRED,
            data_class=DataClass.ADMINISTRATIVE,
            target_type="x",
            details={"n": n},
        )


def _log_is_whole(staged_ids: list[str]) -> None:
    """Every staged event is in the log exactly once, at gapless positions, and the log verifies."""
    rows = list(AuditEvent.objects.order_by("seq").values_list("seq", "public_id"))
    assert [seq for seq, _ in rows] == list(range(len(rows))) and log_size() == len(rows)
    assert sorted(str(public_id) for _, public_id in rows) == sorted(staged_ids)
    assert not AuditStagedEvent.objects.exists()
    checkpoint_create()
    assert audit_verify() == []


def test_an_action_stages_its_event_without_a_place_and_the_sequencer_places_it():
    event = _act()

    assert event.seq is None and event.pk is None and not event.leaf_hash
    staged = AuditStagedEvent.objects.get()
    assert staged.public_id == event.public_id and staged.details == {"n": 0}
    assert not AuditEvent.objects.exists() and log_size() == 0

    assert sequencer.sequence_staged() == 1

    placed = AuditEvent.objects.get()
    assert (placed.seq, placed.public_id, placed.occurred_at) == (0, event.public_id, staged.occurred_at)
    _log_is_whole([str(event.public_id)])


def test_an_action_that_rolls_back_stages_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, tag=AuditTag.REPORT_EXPIRED, data_class=DataClass.ADMINISTRATIVE)
        raise RuntimeError("the action failed")

    assert not AuditStagedEvent.objects.exists()
    assert sequencer.sequence_staged() == 0 and log_size() == 0


def test_batches_continue_the_log_where_inline_sequencing_left_it(settings):
    settings.HUB_AUDIT_SEQUENCING = "inline"
    inline = [str(_act(n).public_id) for n in range(3)]
    settings.HUB_AUDIT_SEQUENCING = "batched"
    staged = [str(_act(n).public_id) for n in range(7)]

    placed = [sequencer.sequence_staged(batch_size=3) for _ in range(4)]

    assert placed == [3, 3, 1, 0]
    assert list(AuditEvent.objects.filter(seq__gte=3).values_list("details__n", flat=True)) == list(range(7))
    _log_is_whole(inline + staged)


# Dies while computing the batch's second leaf, or after its rows were inserted into the log and
# deleted from staging, just before the head moves: the latest point inside its transaction.
@pytest.mark.parametrize(("dies_after", "nth_call"), [("_placed", 2), ("_head_moved_to", 1)])
def test_a_sequencer_that_dies_halfway_leaves_nothing_half_done_and_the_next_run_does_the_batch(
    monkeypatch, dies_after, nth_call
):
    staged = [str(_act(n).public_id) for n in range(5)]
    sequencer.sequence_staged(batch_size=2)  # a batch placed before the crash stays placed
    real = getattr(sequencer, dies_after)
    calls = []

    def dies(*args, **kwargs):
        calls.append(real(*args, **kwargs))
        if len(calls) == nth_call:
            raise SystemExit("the sequencer's worker was killed")
        return calls[-1]

    monkeypatch.setattr(sequencer, dies_after, dies)
    with pytest.raises(SystemExit):
        sequencer.sequence_staged(batch_size=3)

    assert AuditEvent.objects.count() == 2 and log_size() == 2 and AuditStagedEvent.objects.count() == 3
    monkeypatch.setattr(sequencer, dies_after, real)
    assert sequencer.sequence_all_staged() == 3
    _log_is_whole(staged)


def test_verification_names_events_left_staged_longer_than_the_checkpoint_interval(settings):
    _act()
    assert audit_verify() == []  # just staged: the sequencer has a checkpoint interval to place it

    AuditStagedEvent.objects.update(occurred_at=timezone.now() - timedelta(seconds=301))
    settings.HUB_CHECKPOINT_INTERVAL_SECONDS = 300

    assert audit_verify() == [
        "1 staged audit events have waited more than 300 s for the sequencer: "
        "is accounts.tasks.audit_sequence_task running (worker and beat)?"
    ]
    sequencer.sequence_staged()
    assert audit_verify() == []


def test_a_batch_past_a_checkpoint_boundary_asks_for_a_checkpoint(
    settings, django_capture_on_commit_callbacks, eager_celery
):
    settings.HUB_CHECKPOINT_EVERY_EVENTS = 4
    for n in range(5):
        _act(n)

    with django_capture_on_commit_callbacks(execute=True):
        sequencer.sequence_staged()

    assert list(AuditCheckpoint.objects.values_list("size", flat=True)) == [5]


def test_the_sequencer_runs_after_the_action_commits_when_tasks_run_in_process(
    django_capture_on_commit_callbacks, eager_celery
):
    with django_capture_on_commit_callbacks(execute=True):
        event = _act()

    assert AuditEvent.objects.get().public_id == event.public_id and not AuditStagedEvent.objects.exists()


def test_an_idle_sequencer_takes_no_lock_and_writes_nothing(django_assert_num_queries):
    with django_assert_num_queries(1):  # the one "anything staged?" read
        assert sequencer.sequence_staged() == 0


def test_a_restricted_access_without_an_order_raises_its_alert_at_once_naming_the_staged_event():
    event = audit_record(
        actor=None,
        tag=AuditTag.RESTRICTED_DECRYPTED,
        data_class=DataClass.RESTRICTED,
        legal_basis="membership_terms",
    )

    alert = Alert.objects.get(kind="restricted_without_order")
    assert alert.details["event"] == str(event.public_id) and "seq" not in alert.details


@pytest.mark.django_db(transaction=True)
def test_concurrent_actions_and_sequencers_place_every_event_once_without_a_gap():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent sequencers are exercised on PostgreSQL, where CI runs")
    errors: list[BaseException] = []
    staged: list[str] = []

    def actor() -> None:
        try:
            for n in range(30):
                staged.append(str(_act(n).public_id))  # in-process tasks: each commit runs the sequencer
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    def extra_sequencer() -> None:
        try:
            for _ in range(20):
                sequencer.sequence_staged(batch_size=7)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=actor) for _ in range(8)] + [
        threading.Thread(target=extra_sequencer) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sequencer.sequence_all_staged()

    assert errors == [] and len(staged) == 240
    _log_is_whole(staged)


# The sequencer as its own process against the test database, placing small batches until none is left.
SEQUENCER_PROCESS = """
import django
django.setup()
from accounts.audit.sequencer import sequence_staged
while sequence_staged(batch_size=50):
    pass
"""


@pytest.mark.django_db(transaction=True)
def test_a_sequencer_process_killed_again_and_again_loses_no_event_and_doubles_none(monkeypatch, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the sequencer process is killed on PostgreSQL, where CI runs")
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from accounts.audit import services

    monkeypatch.setattr(services, "sequencer_nudge_after_commit", lambda: None)  # staged, not yet placed
    with transaction.atomic():
        staged = [
            str(
                audit_record(
                    actor=None, tag=AuditTag.REPORT_EXPIRED, data_class=DataClass.ADMINISTRATIVE
                ).public_id
            )
            for _ in range(4000)
        ]
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "HUB_AUDIT_SEQUENCING": "batched",
        "HUB_CHECKPOINT_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "hub.settings",
    }
    root = Path(__file__).resolve().parents[2]
    kills = 0
    while kills < 5 and AuditStagedEvent.objects.exists():
        process = subprocess.Popen([sys.executable, "-c", SEQUENCER_PROCESS], cwd=root, env=env)
        before, deadline = log_size(), time.monotonic() + 120
        # Killed once it has placed a batch: by then it is inside the next one, most of its time.
        while log_size() == before and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        kills += 1

    left = AuditStagedEvent.objects.count()
    # Each kill left whole batches only: what is in the log and what is still staged add up.
    assert kills == 5 and left > 0 and log_size() + left == len(staged)
    assert sequencer.sequence_all_staged(within_seconds=120) == left
    _log_is_whole(staged)


@pytest.mark.parametrize("mode", ["inline", "batched"])
def test_events_recorded_together_take_consecutive_places_in_either_mode(settings, mode):
    # A batch check's sellers (audit_record_many): one event each, as audit_record would write them.
    from accounts.audit.services import audit_record_many

    settings.HUB_AUDIT_SEQUENCING = mode
    first = _act(0)
    with transaction.atomic():
        events = audit_record_many(
            actor=None,
            tag=AuditTag.CHECK_RUN,
            data_class=DataClass.SHAREABLE,
            targets=[("check", f"c{n}", {"n": n}) for n in range(5)],
        )
    sequencer.sequence_staged()

    placed = list(AuditEvent.objects.order_by("seq").values_list("public_id", "object_id", "details"))
    assert [public_id for public_id, _, _ in placed] == [first.public_id] + [e.public_id for e in events]
    assert [(object_id, details) for _, object_id, details in placed[1:]] == [
        (f"c{n}", {"n": n}) for n in range(5)
    ]
    _log_is_whole([str(first.public_id)] + [str(e.public_id) for e in events])


def _staged_delete_raw(public_id) -> None:
    table = connection.ops.quote_name(AuditStagedEvent._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE public_id = %s",
            [public_id.hex if connection.vendor == "sqlite" else public_id],
        )


def test_a_staged_event_cannot_be_deleted_before_it_is_sequenced_only_by_being_sequenced():
    event = _act()

    with pytest.raises(DatabaseError, match="only by being sequenced"):
        _staged_delete_raw(event.public_id)

    assert AuditStagedEvent.objects.filter(public_id=event.public_id).exists()
    assert sequencer.sequence_staged() == 1
    _log_is_whole([str(event.public_id)])


def test_a_staged_row_is_not_let_go_by_a_logged_event_of_other_content():
    logged = _act(1)
    sequencer.sequence_staged()
    # The same event id staged again with other details: the log does not hold *this* event.
    forged = AuditStagedEvent.objects.create(
        **{name: getattr(AuditEvent.objects.get(), name) for name in sequencer.CONTENT_FIELDS}
        | {"details": {"n": 2}}
    )
    assert forged.public_id == logged.public_id

    with pytest.raises(DatabaseError, match="only by being sequenced"):
        _staged_delete_raw(forged.public_id)


def _vanishing(real, *, before: bool):
    """_logged with one staged row of its batch deleted by someone else, before or after the copy into the log."""

    def logged(placed):
        if not before:
            real(placed)
        with audit_triggers.disabled():  # only a tamperer with the owner's rights could, before
            AuditStagedEvent.objects.filter(id=placed[-1][0]).delete()
        if before:
            real(placed)

    return logged


@pytest.mark.parametrize("before", [True, False], ids=["before-the-copy", "after-the-copy"])
def test_a_batch_whose_staged_rows_changed_under_the_sequencer_is_rolled_back(monkeypatch, before):
    staged = [str(_act(n).public_id) for n in range(3)]
    monkeypatch.setattr(sequencer, "_logged", _vanishing(sequencer._logged, before=before))

    with pytest.raises(sequencer.StagingChanged):
        sequencer.sequence_staged()

    assert not AuditEvent.objects.exists() and log_size() == 0 and AuditStagedEvent.objects.count() == 3
    monkeypatch.undo()
    assert sequencer.sequence_staged() == 3
    _log_is_whole(staged)


def test_the_sqlite_staged_guard_compares_every_column_of_a_staged_event_but_its_row_id():
    import importlib

    guard = importlib.import_module("accounts.migrations.0015_audit_staged_leave_sequenced")

    assert {field.column for field in AuditStagedEvent._meta.concrete_fields} - {"id"} == set(
        guard.STAGED_COLUMNS
    )

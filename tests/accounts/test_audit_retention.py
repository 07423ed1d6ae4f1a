"""Audit details retention: after the period a row's details are emptied, its columns and leaf hash
kept; the triggers let exactly that update through; checkpoints and proofs still verify."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.audit.checkpoints import checkpoint_create
from accounts.audit.models import AuditEvent
from accounts.audit.retention import audit_details_purge
from accounts.tasks import audit_details_purge_task
from hubcore import merkle
from tests import audit_triggers
from tests.factories import report_make, seller_identifiers

pytestmark = pytest.mark.django_db

_migration = importlib.import_module("accounts.migrations.0012_audit_retention")


@pytest.fixture
def old_log(settings, brand_reporter):
    """A checkpointed log of a few dozen events, every one older than the retention period."""
    for n in range(6):
        report_make(brand_reporter, seller_identifiers(n))
    checkpoint = checkpoint_create()
    return checkpoint, timezone.now() + timedelta(days=settings.HUB_AUDIT_DETAILS_RETENTION_DAYS + 1)


def _sql(statement: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_purge_empties_details_past_the_period_and_keeps_every_column_and_leaf_hash(old_log):
    checkpoint, later = old_log
    before = {e.pk: e for e in AuditEvent.objects.filter(seq__lt=checkpoint.size)}
    with_details = [pk for pk, e in before.items() if e.details]

    purged = audit_details_purge(now=later)
    again = audit_details_purge(now=later)

    # The second run finds only the first run's own audit row, older than `later` less the period too.
    assert purged == len(with_details) > 0 and again == 1
    for event in AuditEvent.objects.filter(pk__in=with_details):
        old = before[event.pk]
        assert event.details == {} and event.details_purged_at == later
        assert (event.leaf_hash, event.action, event.outcome, event.legal_basis, event.object_id) == (
            old.leaf_hash,
            old.action,
            old.outcome,
            old.legal_basis,
            old.object_id,
        )
    first_run, second_run = AuditEvent.objects.filter(action="accounts:audit:details_purged").order_by("seq")
    assert first_run.details == {} and second_run.details["rows"] == again
    assert (second_run.data_class, second_run.legal_basis) == ("administrative", "operator_duty")


def test_nothing_younger_than_the_period_is_purged(old_log, settings):
    audit_details_purge(now=timezone.now())

    assert not AuditEvent.objects.filter(details_purged_at__isnull=False).exists()


def test_the_daily_task_purges_with_the_configured_period(old_log, settings):
    kept = audit_details_purge_task()
    settings.HUB_AUDIT_DETAILS_RETENTION_DAYS = 0  # rows are append-only: shorten the period instead

    purged = audit_details_purge_task()

    assert kept == 0 and purged == AuditEvent.objects.filter(details_purged_at__isnull=False).count() > 0


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE accounts_auditevent SET outcome = 'denied' WHERE seq = 1",
        "UPDATE accounts_auditevent SET details = '{}', details_purged_at = '2030-01-01', outcome = 'denied' WHERE seq = 1",
        "UPDATE accounts_auditevent SET details = '{\"x\": 1}', details_purged_at = '2030-01-01' WHERE seq = 1",
        "UPDATE accounts_auditevent SET details = '{}', details_purged_at = '2030-01-01', leaf_hash = 'ab' WHERE seq = 1",
        "DELETE FROM accounts_auditevent WHERE seq = 1",
    ],
)
def test_the_triggers_refuse_every_other_change(old_log, statement):
    with pytest.raises(DatabaseError):
        _sql(statement, [])


def test_the_triggers_let_the_purge_through_once_only(old_log):
    _sql("UPDATE accounts_auditevent SET details = '{}', details_purged_at = '2030-01-01' WHERE seq = 1", [])

    with pytest.raises(DatabaseError):
        _sql("UPDATE accounts_auditevent SET details_purged_at = '2031-01-01' WHERE seq = 1", [])


def test_the_sqlite_trigger_names_every_column_but_the_two_the_purge_writes():
    columns = {field.column for field in AuditEvent._meta.concrete_fields}

    assert columns - {"details", "details_purged_at"} == set(_migration.KEPT_COLUMNS)


def test_a_checkpoint_and_its_proofs_still_verify_after_the_details_inside_it_are_purged(
    old_log, api, auditor, brand_reporter, capsys
):
    checkpoint, later = old_log
    index = AuditEvent.objects.filter(seq__lt=checkpoint.size).exclude(details={}).order_by("seq").first().seq

    audit_details_purge(now=later)
    report_make(brand_reporter, seller_identifiers(50))
    second = checkpoint_create()
    call_command("verify_audit")
    client = api(auditor)
    inclusion = client.get(f"/api/v1/audit/proofs/inclusion?index={index}&size={checkpoint.size}").json()
    consistency = client.get(
        f"/api/v1/audit/proofs/consistency?first={checkpoint.size}&second={second.size}"
    ).json()

    out = capsys.readouterr().out
    assert "The audit log verifies" in out and "checked by their stored leaf hash" in out
    assert AuditEvent.objects.get(seq=index).details_purged_at is not None
    assert merkle.verify_inclusion(
        bytes.fromhex(inclusion["leaf_hash"]),
        index,
        checkpoint.size,
        [bytes.fromhex(h) for h in inclusion["path"]],
        bytes.fromhex(checkpoint.root_hash),
    )
    assert merkle.verify_consistency(
        checkpoint.size,
        second.size,
        bytes.fromhex(checkpoint.root_hash),
        bytes.fromhex(second.root_hash),
        [bytes.fromhex(h) for h in consistency["path"]],
    )


def _tampered(statement: str, params: list) -> None:
    with audit_triggers.disabled(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_changing_a_purged_rows_leaf_hash_is_caught(old_log):
    checkpoint, later = old_log
    audit_details_purge(now=later)

    _tampered("UPDATE accounts_auditevent SET leaf_hash = %s WHERE seq = 1", ["00" * 32])

    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_marking_a_row_purged_to_escape_recomputation_is_caught(old_log):
    _tampered(
        "UPDATE accounts_auditevent SET outcome = 'denied', details_purged_at = '2030-01-01' "
        "WHERE seq = (SELECT MIN(seq) FROM accounts_auditevent WHERE details != '{}')",
        [],
    )

    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_the_limit_a_purged_rows_other_columns_are_no_longer_recomputed(old_log):
    """Stated, not hidden: once a row's details are gone its leaf cannot be recomputed, so a change to
    its other columns by someone who switched the triggers off passes verification."""
    checkpoint, later = old_log
    audit_details_purge(now=later)
    purged = AuditEvent.objects.filter(details_purged_at__isnull=False).order_by("seq").first()

    _tampered("UPDATE accounts_auditevent SET outcome = 'denied' WHERE id = %s", [purged.pk])

    call_command("verify_audit")


def test_the_event_page_and_the_export_take_a_purged_rows_stored_leaf_hash(old_log, client, auditor):
    from tests.accounts.test_audit_pages import _as, _export

    checkpoint, later = old_log
    audit_details_purge(now=later)
    purged = AuditEvent.objects.filter(details_purged_at__isnull=False, seq__lt=checkpoint.size).first()
    client = _as(client, auditor)

    page = client.get(f"/audit/events/{purged.seq}/").content.decode()
    line = next(line for line in _export(client) if line["seq"] == purged.seq)

    assert f"Inclusion proof: verified against checkpoint of size {checkpoint.size}" in page
    assert 'id="details-purged">Not recomputed' in page
    assert line["details"] == {} and line["details_purged_at"] and line["leaf_hash"] == purged.leaf_hash
    assert merkle.verify_inclusion(
        bytes.fromhex(line["leaf_hash"]),
        purged.seq,
        checkpoint.size,
        [bytes.fromhex(h) for h in line["inclusion_proof"]["path"]],
        bytes.fromhex(checkpoint.root_hash),
    )


def test_details_emptied_before_the_period_are_caught_by_verification(old_log):
    """The trigger lets the purge's shape through whenever it comes; verification knows the period, so
    a young row emptied by a direct UPDATE (not by the hub's purge) is reported."""
    from accounts.audit.verify import audit_verify

    _, later = old_log
    clean = audit_verify()
    young = timezone.now().isoformat(sep=" ")
    _sql("UPDATE accounts_auditevent SET details = '{}', details_purged_at = %s WHERE seq = 1", [young])

    problems = audit_verify()

    assert clean == []
    assert problems == [
        "row at position 1 had its details emptied before the retention period: not by the hub's purge"
    ]

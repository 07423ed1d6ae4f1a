"""Signed checkpoints, and verify_audit catching each kind of tamper once a checkpoint covers it."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.audit.checkpoints import checkpoint_create, hub_public_key
from accounts.audit.log import canonical_leaf
from accounts.audit.models import AuditCheckpoint, AuditEvent, AuditLogHead
from hubcore import merkle
from hubcore.checkpoints import CheckpointError, note_verify
from tests import audit_triggers
from tests.factories import report_make, seller_identifiers

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkpointed_log(settings, tmp_path, brand_reporter):
    """A log of a few dozen events with a checkpoint written to the database and to a directory."""
    settings.HUB_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    for n in range(8):
        report_make(brand_reporter, seller_identifiers(n))
    checkpoint = checkpoint_create()
    return checkpoint


def _verify() -> str:
    with pytest.raises(CommandError):
        call_command("verify_audit")
    return "failed"


def _sql(statement: str, params: list) -> None:
    with audit_triggers.disabled(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_a_checkpoint_is_a_signed_note_in_the_database_and_outside(checkpointed_log, settings, tmp_path):
    note = (tmp_path / "checkpoints" / "latest.note").read_text()

    parsed = note_verify(note, hub_public_key(), key_name=settings.HUB_AUDIT_ORIGIN)

    lines = note.split("\n")
    assert lines[0] == settings.HUB_AUDIT_ORIGIN and int(lines[1]) == checkpointed_log.size and lines[3] == ""
    assert lines[4].startswith(f"\u2014 {settings.HUB_AUDIT_ORIGIN} ")
    assert (
        parsed.root_hash.hex()
        == checkpointed_log.root_hash
        == merkle.root_from_leaf_hashes(
            [
                bytes.fromhex(h)
                for h in AuditEvent.objects.filter(seq__lt=parsed.size).values_list("leaf_hash", flat=True)
            ]
        ).hex()
    )
    forged = "\n".join([lines[0], str(int(lines[1]) + 1), *lines[2:]])
    with pytest.raises(CheckpointError):
        note_verify(forged, hub_public_key(), key_name=settings.HUB_AUDIT_ORIGIN)


def test_a_clean_log_verifies_even_with_events_after_the_last_checkpoint(
    checkpointed_log, brand_reporter, capsys
):
    report_make(brand_reporter, seller_identifiers(99))
    checkpoint_create()
    report_make(brand_reporter, seller_identifiers(100))

    call_command("verify_audit")

    assert "The audit log verifies" in capsys.readouterr().out


def test_editing_a_column_is_detected(checkpointed_log):
    victim = AuditEvent.objects.get(seq=3)

    _sql("UPDATE accounts_auditevent SET outcome = 'denied' WHERE id = %s", [victim.pk])

    assert _verify() == "failed"


def test_deleting_a_row_is_detected(checkpointed_log):
    _sql("DELETE FROM accounts_auditevent WHERE seq = 2", [])

    assert _verify() == "failed"


def test_swapping_two_rows_is_detected(checkpointed_log):
    first, second = AuditEvent.objects.get(seq=1), AuditEvent.objects.get(seq=5)

    _sql("UPDATE accounts_auditevent SET seq = -1 WHERE id = %s", [first.pk])
    _sql("UPDATE accounts_auditevent SET seq = 1 WHERE id = %s", [second.pk])
    _sql("UPDATE accounts_auditevent SET seq = 5 WHERE id = %s", [first.pk])

    assert _verify() == "failed"


def test_truncating_the_tail_is_detected_even_with_the_head_rewound(checkpointed_log):
    keep = checkpointed_log.size - 3

    _sql("DELETE FROM accounts_auditevent WHERE seq >= %s", [keep])
    _sql("UPDATE accounts_auditloghead SET size = %s", [keep])

    assert _verify() == "failed"


def test_rechaining_every_later_row_and_re_signing_the_database_checkpoint_is_caught_by_the_outside_copy(
    checkpointed_log, settings
):
    victim = AuditEvent.objects.get(seq=2)
    _sql("UPDATE accounts_auditevent SET legal_basis = 'court_order:forged' WHERE id = %s", [victim.pk])
    for event in AuditEvent.objects.filter(seq__gte=2).order_by("seq"):
        _sql(
            "UPDATE accounts_auditevent SET leaf_hash = %s WHERE id = %s",
            [merkle.leaf_hash(canonical_leaf(event)).hex(), event.pk],
        )
    _sql("DELETE FROM accounts_auditcheckpoint", [])
    settings_dir = settings.HUB_CHECKPOINT_DIR
    settings.HUB_CHECKPOINT_DIR = settings_dir + "-attacker"
    checkpoint_create()  # a fresh, validly signed checkpoint over the forged rows
    settings.HUB_CHECKPOINT_DIR = settings_dir

    problems_seen = _verify()

    assert problems_seen == "failed"
    assert AuditCheckpoint.objects.count() == 1


def test_the_verifier_names_what_failed(checkpointed_log, capsys):
    _sql("DELETE FROM accounts_auditevent WHERE seq = 4", [])

    with pytest.raises(CommandError):
        call_command("verify_audit")

    errors = capsys.readouterr().err
    assert "sequence number" in errors and f"size {checkpointed_log.size}" in errors


def test_audit_checkpoint_command_makes_one_only_when_the_log_grew(checkpointed_log, capsys):
    call_command("audit_checkpoint")

    assert "No new audit events" in capsys.readouterr().out
    assert AuditLogHead.objects.get().size == checkpointed_log.size

"""The audit log is append-only, gapless, and its leaves are canonical serialisations."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.audit.log import canonical_leaf, log_size
from accounts.audit.models import AuditEvent, DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from hubcore import merkle
from tests.factories import report_make


@pytest.mark.django_db
def test_events_cannot_be_updated_or_deleted(brand_reporter):
    report_make(brand_reporter)
    event = AuditEvent.objects.first()

    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(outcome="denied")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_auditevent SET legal_basis = 'x' WHERE id = %s", [event.pk])


@pytest.mark.django_db
def test_the_leaf_covers_every_audited_column_and_the_stored_hash_matches(brand_reporter):
    report_make(brand_reporter)
    event = AuditEvent.objects.get(action="sharing:report:submitted")

    leaf = canonical_leaf(event).decode()

    for column in (
        "time",
        "actor",
        "organisation",
        "role",
        "action",
        "object_type",
        "object_id",
        "data_class",
        "legal_basis",
        "outcome",
        "request_id",
        "details",
        "seq",
    ):
        assert f'"{column}":' in leaf
    assert event.leaf_hash == merkle.leaf_hash(canonical_leaf(event)).hex()


@pytest.mark.django_db
def test_sequence_numbers_start_at_zero_and_have_no_gaps_even_after_a_rollback(brand_reporter):
    report_make(brand_reporter)
    try:
        with transaction.atomic():
            audit_record(
                actor=None, tag=AuditTag.REPORT_EXPIRED, data_class=DataClass.ADMINISTRATIVE, target_type="x"
            )
            raise RuntimeError("the action failed")
    except RuntimeError:
        pass
    audit_record(
        actor=None, tag=AuditTag.REPORT_EXPIRED, data_class=DataClass.ADMINISTRATIVE, target_type="x"
    )

    seqs = list(AuditEvent.objects.values_list("seq", flat=True))
    assert seqs == list(range(len(seqs))) and log_size() == len(seqs)


@pytest.mark.django_db(transaction=True)
def test_sixteen_concurrent_writers_leave_no_gap():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are exercised on PostgreSQL, where CI runs")
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(25):
                with transaction.atomic():
                    audit_record(
                        actor=None,
                        tag=AuditTag.REPORT_EXPIRED,
                        data_class=DataClass.ADMINISTRATIVE,
                        target_type="x",
                    )
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    seqs = sorted(AuditEvent.objects.values_list("seq", flat=True))
    assert errors == []
    assert seqs == list(range(400)) and log_size() == 400

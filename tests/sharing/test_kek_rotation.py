"""KEK rotation of the restricted tier: online, payloads untouched, then the old KEK can be destroyed."""

from __future__ import annotations

import hashlib
import itertools
import json
import uuid
from collections import Counter
from collections.abc import Callable

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from hub.envelope import EnvelopeError, Sealed, associated_data, seal
from hub.keys import key_encryption_keys
from sharing.keys.services import kek_rotation
from sharing.keys.services.kek_rotation import kek_rotate
from sharing.models import RestrictedRecord
from sharing.restricted.services.restricted import RESTRICTED, restricted_open

pytestmark = pytest.mark.django_db
KEK_V1, KEK_V2 = "1:" + "a1" * 32, "2:" + "b2" * 32
BOTH_KEKS = f"{KEK_V1},{KEK_V2}"
REPORT_FIELDS = ("identifiers", "statement", "reporter", "evidence:0:meta", "evidence:0")
Payloads = dict[tuple[str, str], bytes]


class Crash(Exception):
    """Stands in for the rotating process being killed."""


@pytest.fixture
def keks(settings):
    """HUB_KEKS starts with version 1 alone; tests add version 2 and later drop version 1."""
    settings.HUB_KEKS = KEK_V1
    return settings


@pytest.fixture
def crash_after(monkeypatch) -> Callable[[int], None]:
    """crash_after(n): the rotation dies on its (n+1)-th re-wrap, once, like a killed process."""

    def arm(n: int) -> None:
        calls, real = itertools.count(), kek_rotation.rewrap

        def rewrap(*args: object, **kwargs: object) -> Sealed:
            if next(calls) == n:
                raise Crash
            return real(*args, **kwargs)

        monkeypatch.setattr(kek_rotation, "rewrap", rewrap)

    return arm


@pytest.fixture
def rotated(keks) -> Payloads:
    """A few reports' restricted fields, rotated from KEK 1 to 2, with KEK 1 destroyed."""
    payloads = records_seal(15)
    keks.HUB_KEKS = BOTH_KEKS
    kek_rotate()
    keks.HUB_KEKS = KEK_V2
    return payloads


def records_seal(count: int) -> Payloads:
    """Seal `count` report fields under the active KEK, bulk-inserted; return payload by (owner_id, field)."""
    keys, rows, payloads = key_encryption_keys(), [], {}
    for index in range(count):
        if index % len(REPORT_FIELDS) == 0:
            owner_id = str(uuid.uuid4())
        field = REPORT_FIELDS[index % len(REPORT_FIELDS)]
        payload = json.dumps({"report": owner_id, "field": field, "n": index}).encode()
        aad = associated_data(record_id=f"report:{owner_id}", field=field, data_class=RESTRICTED)
        sealed = seal(payload, aad=aad, keys=keys)
        rows.append(
            RestrictedRecord(
                owner_type="report",
                owner_id=owner_id,
                field=field,
                data_class=RESTRICTED,
                kek_version=sealed.kek_version,
                wrapped_key=sealed.wrapped_key,
                ciphertext=sealed.ciphertext,
            )
        )
        payloads[owner_id, field] = payload
    RestrictedRecord.objects.bulk_create(rows, batch_size=1000)
    return payloads


def payloads_open() -> Payloads:
    """Open every restricted record with the keys loaded now."""
    return {
        (r.owner_id, r.field): restricted_open(r) for r in RestrictedRecord.objects.iterator(chunk_size=2000)
    }


def ciphertexts_digest() -> str:
    """One hash over every record's pk and payload ciphertext."""
    digest = hashlib.sha256()
    for pk, blob in (
        RestrictedRecord.objects.order_by("pk").values_list("pk", "ciphertext").iterator(chunk_size=2000)
    ):
        digest.update(pk.to_bytes(8, "big") + len(blob).to_bytes(4, "big") + bytes(blob))
    return digest.hexdigest()


def wrapped_keys() -> set[bytes]:
    """Every record's wrapped data key."""
    return {bytes(blob) for blob in RestrictedRecord.objects.values_list("wrapped_key", flat=True)}


def versions() -> Counter[int]:
    """How many records each KEK version wraps."""
    return Counter(RestrictedRecord.objects.values_list("kek_version", flat=True))


def test_20000_records_are_rewrapped_ciphertexts_untouched_and_open_after_the_old_kek_is_destroyed(keks):
    """The whole procedure at scale: add KEK 2, rotate, drop KEK 1, every record still opens."""
    payloads = records_seal(20_000)
    ciphertexts_before, wrapped_before = ciphertexts_digest(), wrapped_keys()
    keks.HUB_KEKS = BOTH_KEKS

    summary = kek_rotate()
    keks.HUB_KEKS = KEK_V2

    assert (summary.rewrapped, summary.remaining) == (20_000, 0)
    assert versions() == {2: 20_000}
    assert ciphertexts_digest() == ciphertexts_before
    assert not wrapped_keys() & wrapped_before
    assert payloads_open() == payloads


def test_reads_of_both_versions_keep_working_mid_rotation_and_an_interrupted_batch_rolls_back(
    keks, crash_after
):
    """Killed in its sixth batch of 100, the rotation leaves 500 records per KEK, all of them readable."""
    payloads = records_seal(1_000)
    keks.HUB_KEKS = BOTH_KEKS
    crash_after(550)

    with pytest.raises(Crash):
        kek_rotate(batch_size=100)

    assert versions() == {1: 500, 2: 500}
    assert payloads_open() == payloads


def test_a_rerun_after_a_crash_finishes_the_rest_and_another_rerun_does_nothing(keks, crash_after):
    """Rotation is crash-safe and idempotent: rerun until done, then reruns are no-ops."""
    payloads = records_seal(1_000)
    keks.HUB_KEKS = BOTH_KEKS
    crash_after(550)
    with pytest.raises(Crash):
        kek_rotate(batch_size=100)

    resumed = kek_rotate(batch_size=100)
    wrapped_after_resume = wrapped_keys()
    again = kek_rotate(batch_size=100)
    keks.HUB_KEKS = KEK_V2

    assert (resumed.rewrapped, resumed.remaining) == (500, 0)
    assert (again.rewrapped, again.remaining) == (0, 0)
    assert wrapped_keys() == wrapped_after_resume
    assert payloads_open() == payloads


def test_dry_run_counts_the_stale_records_and_changes_nothing(keks, capsys):
    """--dry-run reports what is left under an old KEK without writing."""
    records_seal(30)
    keks.HUB_KEKS = BOTH_KEKS
    before = [
        (pk, version, bytes(key))
        for pk, version, key in RestrictedRecord.objects.order_by("pk").values_list(
            "pk", "kek_version", "wrapped_key"
        )
    ]

    call_command("rotate_keks", "--dry-run")

    assert capsys.readouterr().out == "30 restricted records are not under the active KEK (version 2).\n"
    assert [
        (pk, version, bytes(key))
        for pk, version, key in RestrictedRecord.objects.order_by("pk").values_list(
            "pk", "kek_version", "wrapped_key"
        )
    ] == before


def test_the_command_rotates_in_batches_and_a_dry_run_then_reports_zero_remaining(keks, capsys):
    """The documented procedure through manage.py: run, then check the dry run says 0."""
    records_seal(30)
    keks.HUB_KEKS = BOTH_KEKS

    call_command("rotate_keks", "--batch-size", "7")
    call_command("rotate_keks", "--dry-run")

    assert capsys.readouterr().out.splitlines() == [
        "Re-wrapped 30 restricted records under KEK version 2; 0 remaining.",
        "0 restricted records are not under the active KEK (version 2).",
    ]
    assert versions() == {2: 30}


def test_the_command_refuses_a_batch_size_below_one(keks):
    """A zero batch would rotate nothing while looking like success."""
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        call_command("rotate_keks", "--batch-size", "0")


def test_rotation_stops_loudly_when_a_records_kek_was_destroyed_too_early(keks):
    """Dropping KEK 1 before rotating makes the rotation fail, naming the record, and write nothing."""
    records_seal(10)
    keks.HUB_KEKS = KEK_V2

    with pytest.raises(EnvelopeError, match=r"restricted record #\d+ .*key version 1 is not loaded"):
        kek_rotate()

    assert versions() == {1: 10}


def test_a_ciphertext_swapped_to_another_report_does_not_open_after_rotation(rotated):
    """Swapping two records' owners (same field, different reports) breaks both bindings."""
    first, second = RestrictedRecord.objects.filter(field="statement").order_by("pk")[:2]
    RestrictedRecord.objects.filter(pk=first.pk).update(owner_id="swapping")
    RestrictedRecord.objects.filter(pk=second.pk).update(owner_id=first.owner_id)
    RestrictedRecord.objects.filter(pk=first.pk).update(owner_id=second.owner_id)

    for record in RestrictedRecord.objects.filter(pk__in=[first.pk, second.pk]):
        with pytest.raises(EnvelopeError):
            restricted_open(record)

    untouched = RestrictedRecord.objects.exclude(pk__in=[first.pk, second.pk]).first()
    assert restricted_open(untouched) == rotated[untouched.owner_id, untouched.field]


def test_a_record_moved_to_another_field_does_not_open_after_rotation(rotated):
    """Relabelling a record's field through the ORM breaks its binding."""
    record = RestrictedRecord.objects.get(owner_id=next(iter(rotated))[0], field="statement")
    RestrictedRecord.objects.filter(pk=record.pk).update(field="evidence:7")

    with pytest.raises(EnvelopeError):
        restricted_open(RestrictedRecord.objects.get(pk=record.pk))


def test_a_changed_data_class_is_refused_on_disk_and_does_not_open_after_rotation(rotated):
    """The table refuses another data class; a record carrying one anyway does not open."""
    record = RestrictedRecord.objects.filter(field="statement").first()
    record.data_class = "shareable"

    with pytest.raises(IntegrityError), transaction.atomic():
        RestrictedRecord.objects.filter(pk=record.pk).update(data_class="shareable")
    with pytest.raises(EnvelopeError):
        restricted_open(record)

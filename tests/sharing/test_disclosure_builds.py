"""No disclosure order is lost: builds are idempotent, swept and rebuilt, and hopeless ones raise an alert."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from accounts.audit.models import Alert, AuditEvent, DataClass
from accounts.audit.tags import AuditTag
from accounts.models import Organisation
from accounts.roles import OrganisationKind, Role
from sharing.disclosure.services import disclosure, disclosure_packages
from sharing.disclosure.services.disclosure_packages import disclosure_builds_sweep
from sharing.disclosure.tasks import disclosure_package_build_task
from sharing.models import DisclosurePackage, DisclosureRequest, DisclosureStatus
from tests.factories import (
    broker_stand_in,
    disclosure_make,
    persona,
    report_make_accepted,
    seller_identifiers,
)

pytestmark = pytest.mark.django_db


class WorkerDied(Exception):
    """Stands in for a worker killed mid-build: the build's transaction never commits."""


def _approved_unbuilt() -> DisclosureRequest:
    report = report_make_accepted(
        persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER),
        persona(OrganisationKind.OPERATOR, Role.REVIEWER),
        seller_identifiers(3),
    )
    request = disclosure_make(report_ids=[str(report.public_id)], approvals=2)  # commit hooks never run here
    assert request.status == DisclosureStatus.APPROVED
    return request


def _crash_sealing(monkeypatch) -> None:
    """Crash after every in-scope record was decrypted and audited, before the package exists."""

    def seal(*args, **kwargs):
        raise WorkerDied

    monkeypatch.setattr(disclosure_packages, "package_build", seal)


def _a_worker_that_crashes(request_id: int) -> None:
    """A worker runs the build, which dies; the broker has long since taken the message."""
    with pytest.raises(WorkerDied):
        disclosure_package_build_task(request_id)


def _restricted_rows(request: DisclosureRequest, tag: AuditTag) -> int:
    return AuditEvent.objects.filter(
        data_class=DataClass.RESTRICTED, action=tag.value, legal_basis=request.legal_basis_tag
    ).count()


def _leases_later(n: int):
    return timezone.now() + n * timedelta(seconds=settings.HUB_DISCLOSURE_BUILD_LEASE_SECONDS + 1)


def test_a_build_that_crashes_half_way_is_rebuilt_by_the_sweeper_exactly_once(monkeypatch):
    request = _approved_unbuilt()
    with monkeypatch.context() as crashing:
        _crash_sealing(crashing)
        with pytest.raises(WorkerDied):
            disclosure_package_build_task(request.pk)
    crashed = DisclosureRequest.objects.get(pk=request.pk)
    assert (crashed.status, crashed.build_attempts) == (DisclosureStatus.APPROVED, 1)
    assert _restricted_rows(request, AuditTag.RESTRICTED_DECRYPTED) == 0  # rolled back with the build
    sent = broker_stand_in(monkeypatch, disclosure_package_build_task, send=disclosure_package_build_task)

    swept = [
        disclosure_builds_sweep(now=_leases_later(1)),
        disclosure_builds_sweep(now=_leases_later(1)),
        disclosure_builds_sweep(now=_leases_later(3)),
    ]

    assert swept == [1, 0, 0] and sent == [request.pk]
    assert DisclosureRequest.objects.get(pk=request.pk).status == DisclosureStatus.PACKAGE_READY
    assert DisclosurePackage.objects.filter(request=request).count() == 1
    assert _restricted_rows(request, AuditTag.DISCLOSURE_PACKAGE_BUILT) == 1
    assert _restricted_rows(request, AuditTag.RESTRICTED_DECRYPTED) > 0
    call_command("check_restricted_access")  # raises CommandError on any violation


def test_building_the_same_order_twice_makes_one_package_and_one_set_of_audit_rows():
    request = _approved_unbuilt()

    first, second = disclosure_package_build_task(request.pk), disclosure_package_build_task(request.pk)

    decrypted = _restricted_rows(request, AuditTag.RESTRICTED_DECRYPTED)
    assert (first, second) == (True, False)
    assert DisclosurePackage.objects.filter(request=request).count() == 1
    assert _restricted_rows(request, AuditTag.DISCLOSURE_PACKAGE_BUILT) == 1 and decrypted > 0
    disclosure_package_build_task(request.pk)
    assert _restricted_rows(request, AuditTag.RESTRICTED_DECRYPTED) == decrypted
    call_command("check_restricted_access")


def test_an_order_whose_build_keeps_failing_raises_one_operator_alert_and_is_not_resent(
    monkeypatch, settings
):
    settings.HUB_DISCLOSURE_BUILD_MAX_ATTEMPTS = 2
    request = _approved_unbuilt()
    _crash_sealing(monkeypatch)
    sent = broker_stand_in(monkeypatch, disclosure_package_build_task, send=_a_worker_that_crashes)

    swept = [disclosure_builds_sweep(now=_leases_later(n)) for n in (1, 2, 3, 4)]

    alerts = Alert.objects.filter(kind="disclosure_build_failed")
    assert swept == [1, 1, 0, 0] and sent == [request.pk, request.pk]
    assert alerts.count() == 1 and alerts.get().severity == "high"
    assert alerts.get().details == {
        "request": str(request.public_id),
        "attempts": 2,
        "reason": "attempts_exhausted",
    }
    assert AuditEvent.objects.filter(
        action=AuditTag.ALERT_RAISED.value, object_id=str(alerts.get().public_id)
    ).exists()
    assert not DisclosurePackage.objects.filter(request=request).exists()


def test_an_order_whose_court_key_is_missing_raises_an_alert_and_decrypts_nothing():
    request = _approved_unbuilt()
    Organisation.objects.filter(pk=request.court_id).update(encryption_public_key="")

    built = disclosure_package_build_task(request.pk)

    alert = Alert.objects.get(kind="disclosure_build_failed")
    assert built is False and alert.details["reason"] == "court_key_missing"
    assert _restricted_rows(request, AuditTag.RESTRICTED_DECRYPTED) == 0
    assert DisclosureRequest.objects.get(pk=request.pk).status == DisclosureStatus.APPROVED


def test_the_build_sweeper_is_in_the_beat_schedule():
    from hub.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "sharing.tasks.disclosure_builds_sweep_task" in tasks


def test_an_approved_order_that_expires_unbuilt_raises_an_operator_alert():
    request = _approved_unbuilt()
    DisclosureRequest.objects.filter(pk=request.pk).update(
        approval_expires_at=timezone.now() - timedelta(minutes=1)
    )

    expired = disclosure.disclosures_expire()

    alert = Alert.objects.get(kind="disclosure_build_failed")
    assert expired == 1 and alert.details["reason"] == "approval_expired_unbuilt"
    assert DisclosureRequest.objects.get(pk=request.pk).status == DisclosureStatus.EXPIRED


def test_an_order_that_expires_with_its_package_built_raises_no_alert():
    request = disclosure_make(approvals=2, built=True)
    DisclosureRequest.objects.filter(pk=request.pk).update(
        approval_expires_at=timezone.now() - timedelta(minutes=1)
    )

    assert (
        disclosure.disclosures_expire() == 1
        and not Alert.objects.filter(kind="disclosure_build_failed").exists()
    )

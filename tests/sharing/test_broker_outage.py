"""A broker outage never fails a request whose data committed; the sweepers do the work later.

The broker is really down here (Celery sends to a closed port, not eager), and the tests are
transactional so the after-commit sends run inside the request, as in production.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.actors import Actor
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.bulk.services.bulk import bulk_sweep
from sharing.bulk.tasks import bulk_chunk_task
from sharing.disclosure.services.disclosure_packages import disclosure_builds_sweep
from sharing.disclosure.tasks import disclosure_package_build_task
from sharing.models import (
    BulkChunk,
    BulkJob,
    DisclosureRequest,
    DisclosureStatus,
    ReportStatus,
    WebhookOutbox,
)
from sharing.subjects.services.tokens import RawIdentifier
from sharing.watchlists.services import webhooks
from sharing.watchlists.services.watchlists import watchlist_add
from sharing.watchlists.services.webhooks import webhooks_sweep
from sharing.watchlists.tasks import webhook_deliver_task
from tests.factories import broker_stand_in, client_for, disclosure_make, member_make, persona, report_make

pytestmark = pytest.mark.django_db(transaction=True)
SELLER = {"type": "phone", "value": "+86 138 0013 8765"}


def _sends_refused(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "hub.tasks_enqueue"]


def _later(lease_seconds: int):
    """A sweep's clock, once the lease of work nobody picked up has run out."""
    return timezone.now() + timedelta(seconds=lease_seconds + 1)


def test_accepting_a_report_in_a_broker_outage_answers_200_and_the_webhook_sweeper_sends_later(
    broker_down, caplog, monkeypatch
):
    caplog.set_level(logging.WARNING)
    platform = persona(K.PLATFORM, R.ADMIN)
    watchlist_add(
        purpose="seller_onboarding",
        identifiers=[RawIdentifier(**SELLER)],
        ref="shop-1",
        actor=Actor(member=platform),
    )
    webhooks.webhook_register(url="http://127.0.0.1:9/hook", actor=Actor(member=platform))
    report = report_make(persona(K.RIGHTS_OWNER, R.REPORTER), [SELLER])

    accepted = client_for(persona(K.OPERATOR, R.REVIEWER)).post(
        f"/api/v1/reports/{report.public_id}/accept", {"reason": "evidence checked"}, format="json"
    )

    report.refresh_from_db()
    outbox = list(WebhookOutbox.objects.values_list("pk", flat=True))
    assert accepted.status_code == 200, accepted.content
    assert report.status == ReportStatus.ACCEPTED and outbox
    sent = broker_stand_in(monkeypatch, webhook_deliver_task)  # the broker is back
    assert webhooks_sweep() == len(outbox) and sorted(sent) == sorted(outbox)
    refused = _sends_refused(caplog)
    assert refused and all("8765" not in line and broker_down not in line for line in refused)


def test_submitting_a_bulk_job_in_a_broker_outage_answers_202_and_the_bulk_sweeper_sends_later(
    broker_down, caplog, monkeypatch
):
    caplog.set_level(logging.WARNING)
    upload = SimpleUploadedFile(
        "sellers.csv", b"ref,phone\nshop-1,+86 138 0013 8765\nshop-2,+86 138 0013 8766\n"
    )

    submitted = client_for(persona(K.PLATFORM, R.ANALYST)).post(
        "/api/v1/bulk-checks", {"purpose": "seller_onboarding", "file": upload}, format="multipart"
    )

    assert submitted.status_code == 202, submitted.content
    job = BulkJob.objects.get(public_id=submitted.json()["id"])
    chunks = list(BulkChunk.objects.filter(job=job).values_list("pk", flat=True))
    assert job.total == 2 and chunks
    sent = broker_stand_in(monkeypatch, bulk_chunk_task)
    assert bulk_sweep(now=_later(settings.HUB_BULK_LEASE_SECONDS)) == len(chunks) and sorted(sent) == sorted(
        chunks
    )
    assert _sends_refused(caplog)


def test_approving_a_disclosure_in_a_broker_outage_answers_200_and_the_build_sweeper_builds_later(
    broker_down, monkeypatch
):
    request = disclosure_make(approvals=1)
    second_officer = member_make(request.approvals.get().officer.organisation, R.DISCLOSURE_OFFICER)

    approved = client_for(second_officer).post(f"/api/v1/disclosure-requests/{request.public_id}/approve")

    request.refresh_from_db()
    assert approved.status_code == 200, approved.content
    assert request.status == DisclosureStatus.APPROVED and not hasattr(request, "package")
    sent = broker_stand_in(monkeypatch, disclosure_package_build_task, send=disclosure_package_build_task)
    assert disclosure_builds_sweep(now=_later(settings.HUB_DISCLOSURE_BUILD_LEASE_SECONDS)) == 1 and sent == [
        request.pk
    ]
    assert DisclosureRequest.objects.get(pk=request.pk).status == DisclosureStatus.PACKAGE_READY


def test_a_send_the_broker_refuses_is_logged_by_task_name_and_error_type_only(broker_down, caplog):
    """The helper itself: a refused connection is retried briefly, then logged; the sends after it are not tried."""
    from django.db import transaction

    from hub.tasks_enqueue import enqueue_after_commit

    caplog.set_level(logging.WARNING)
    with transaction.atomic():
        enqueue_after_commit(bulk_chunk_task, [101, 102])
        enqueue_after_commit(disclosure_package_build_task, [7])

    assert _sends_refused(caplog) == [
        "sharing.tasks.bulk_chunk_task could not be sent (OperationalError); 2 of 2 sends left to the sweeper",
        "sharing.tasks.disclosure_package_build_task could not be sent (OperationalError); 1 of 1 sends left to the sweeper",
    ]


def test_in_the_embedded_default_a_task_failing_in_process_does_not_fail_the_committed_request(
    eager_celery, monkeypatch, caplog
):
    """No broker: tasks run eagerly inside the commit hook; a build that fails there leaves the approval done."""
    request = disclosure_make(approvals=1)
    second_officer = member_make(request.approvals.get().officer.organisation, R.DISCLOSURE_OFFICER)

    def crash(*args, **kwargs):
        raise RuntimeError("a build that fails")

    monkeypatch.setattr("sharing.disclosure.services.disclosure_packages.package_build", crash)
    approved = client_for(second_officer).post(f"/api/v1/disclosure-requests/{request.public_id}/approve")

    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert _sends_refused(caplog) == [
        "sharing.tasks.disclosure_package_build_task ran and failed in-process "
        "(RuntimeError); 1 of 1 sends left to the sweeper"
    ]

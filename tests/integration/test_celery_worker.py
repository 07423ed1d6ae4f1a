"""A real Celery worker on the real broker runs a hub task against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from sharing.models import Report, ReportStatus
from sharing.reports.tasks import reports_expire_task
from tests.factories import persona, report_make_accepted

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(real_broker):
    """A worker process on its own queue, pointed at the test database."""
    queue = f"itest-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    process = subprocess.Popen(
        # Its own queue for tasks sent explicitly, and the default one for tasks the services enqueue.
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "hub",
            "worker",
            "--pool=solo",
            "-Q",
            f"{queue},celery",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        # The test's rows are written a moment before the worker reads them: read the primary.
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "DATABASE_REPLICA_URL": "",
            "CELERY_BROKER_URL": real_broker,
        },
    )
    yield queue
    process.terminate()
    process.wait(timeout=30)


def _wait_for(predicate, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def test_a_second_approval_enqueues_the_package_build_which_the_worker_runs(worker):
    from accounts.actors import Actor
    from sharing.disclosure.services.disclosure import disclosure_approve
    from sharing.models import DisclosureRequest, DisclosureStatus
    from tests.factories import disclosure_make, member_make

    request = disclosure_make(approvals=1)
    first_officer = request.approvals.get().officer
    second_officer = member_make(first_officer.organisation, "disclosure_officer")

    disclosure_approve(request=request, actor=Actor(member=second_officer))

    built = _wait_for(
        lambda: DisclosureRequest.objects.get(pk=request.pk).status == DisclosureStatus.PACKAGE_READY
    )
    assert built
    assert DisclosureRequest.objects.get(pk=request.pk).package.envelope


def test_the_worker_expires_due_reports(worker):
    reporter = persona("rights_owner", "reporter")
    reviewer = persona("operator", "reviewer")
    report = report_make_accepted(reporter, reviewer)
    Report.objects.filter(pk=report.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    reports_expire_task.apply_async(queue=worker)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status == ReportStatus.EXPIRED:
            break
        time.sleep(0.5)
    assert report.status == ReportStatus.EXPIRED

"""A real worker on the real broker builds an order sent twice (commit hook and sweeper) exactly once.

The order is approved while no worker runs, so its build waits in the queue; the sweeper then
sends it again, as it does for a send it believes lost. The worker that starts gets both.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit.models import AuditEvent
from accounts.audit.tags import AuditTag
from accounts.roles import Role
from sharing.disclosure.services.disclosure import disclosure_approve
from sharing.disclosure.services.disclosure_packages import disclosure_builds_sweep
from sharing.models import DisclosurePackage, DisclosureRequest, DisclosureStatus
from tests.factories import disclosure_make, member_make
from tests.integration.test_celery_worker import worker  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _queued(name: str = "celery") -> int:
    from hub.celery import app

    with app.connection_for_write() as conn:
        return conn.default_channel.client.llen(name)


@pytest.fixture
def empty_queue(real_broker):
    from hub.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")  # builds left over from an earlier run


def test_a_build_sent_twice_is_built_once_by_a_real_worker(empty_queue, request):
    order = disclosure_make(approvals=1)
    second = member_make(order.approvals.get().officer.organisation, Role.DISCLOSURE_OFFICER)
    disclosure_approve(request=order, actor=Actor(member=second))  # committed: the build is sent
    later = timezone.now() + timedelta(seconds=settings.HUB_DISCLOSURE_BUILD_LEASE_SECONDS + 1)
    resent = disclosure_builds_sweep(now=later)
    waiting = _queued()

    request.getfixturevalue("worker")  # now a worker starts and takes both messages
    deadline = time.monotonic() + 60
    while (
        _queued() or DisclosureRequest.objects.get(pk=order.pk).status != DisclosureStatus.PACKAGE_READY
    ) and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(2)  # let the worker finish the second message, which must change nothing

    built = AuditEvent.objects.filter(
        action=AuditTag.DISCLOSURE_PACKAGE_BUILT.value, legal_basis=order.legal_basis_tag
    )
    assert (resent, waiting) == (1, 2)
    assert DisclosureRequest.objects.get(pk=order.pk).status == DisclosureStatus.PACKAGE_READY
    assert DisclosurePackage.objects.filter(request=order).count() == 1 and built.count() == 1
    call_command("check_restricted_access")

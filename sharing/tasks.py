"""Celery tasks of the sharing domain: ids in, a service call, idempotent."""

import time

from celery import shared_task

from sharing.services.disclosure import disclosures_expire
from sharing.services.disclosure_packages import disclosure_package_build
from sharing.services.reports import reports_expire


@shared_task(name="sharing.tasks.reports_expire_task")
def reports_expire_task() -> int:
    """Close accepted reports past their expiry; running it twice changes nothing more."""
    return reports_expire()


@shared_task(name="sharing.tasks.disclosure_package_build_task", acks_late=True)
def disclosure_package_build_task(request_id: int) -> bool:
    """Build an approved order's package; a rerun after a crash finds it built and stops."""
    return disclosure_package_build(request_id=request_id) is not None


@shared_task(name="sharing.tasks.disclosure_builds_sweep_task")
def disclosure_builds_sweep_task() -> int:
    """Re-send approved orders left unbuilt (a lost send, a dead worker); alert on those that keep failing."""
    from sharing.services.disclosure_packages import disclosure_builds_sweep

    return disclosure_builds_sweep()


@shared_task(name="sharing.tasks.disclosures_expire_task")
def disclosures_expire_task() -> int:
    return disclosures_expire()


@shared_task(name="sharing.tasks.disputes_lapse_task")
def disputes_lapse_task() -> int:
    """Suspend reports whose reporters did not answer a dispute in time."""
    from sharing.services.disputes import disputes_lapse

    return disputes_lapse()


@shared_task(name="sharing.tasks.reputations_refresh_task")
def reputations_refresh_task() -> int:
    from sharing.services.reputation import reputations_refresh_all

    return reputations_refresh_all()


@shared_task(name="sharing.tasks.restricted_payloads_destroy_task")
def restricted_payloads_destroy_task() -> int:
    """Destroy restricted payloads of long-closed reports not under a legal hold."""
    from sharing.services.retention import restricted_payloads_destroy

    return restricted_payloads_destroy()


@shared_task(name="sharing.tasks.webhook_deliver_task", acks_late=True)
def webhook_deliver_task(outbox_id: int) -> str:
    """Try one webhook outbox row once; a duplicate or late run finds it leased or delivered and stops."""
    from sharing.services.webhooks import webhook_deliver

    return webhook_deliver(outbox_id=outbox_id)


@shared_task(name="sharing.tasks.webhooks_sweep_task")
def webhooks_sweep_task() -> int:
    """Re-enqueue webhook events that are pending and due: the outbox, not the broker, is the record."""
    from sharing.services.webhooks import webhooks_sweep

    return webhooks_sweep()


@shared_task(name="sharing.tasks.bulk_chunk_task", acks_late=True)
def bulk_chunk_task(chunk_id: int) -> bool:
    """Check one chunk of a bulk job; a rerun after a crash writes nothing twice."""
    from sharing.services.bulk import bulk_chunk_process, bulk_pause_after

    started = time.monotonic()
    finished = bulk_chunk_process(chunk_id=chunk_id)
    # Rest after the chunk (committed by now) so bulk work leaves the database room for single checks.
    time.sleep(bulk_pause_after(time.monotonic() - started))
    return finished


@shared_task(name="sharing.tasks.sweep_records_prune_task")
def sweep_records_prune_task() -> int:
    """Delete sweep-detection records older than the rules look back (bulk files add millions)."""
    from django.utils import timezone

    from sharing.services.enumeration import sweep_records_prune

    return sweep_records_prune(now=timezone.now())


@shared_task(name="sharing.tasks.bulk_sweep_task")
def bulk_sweep_task() -> int:
    """Re-enqueue bulk chunks whose worker died (lease expired) and delete expired jobs."""
    from sharing.services.bulk import bulk_sweep

    return bulk_sweep()

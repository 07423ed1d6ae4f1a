"""The hub's Celery app; the beat schedule lives here, in code."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")

# Every task retries transient database errors with backoff (hub/task_base.py).
app = Celery("hub", task_cls="hub.task_base:HubTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The outbox keeps its tasks in its own package (accounts/mail/tasks.py), named "accounts.tasks.*".
app.autodiscover_tasks(["accounts.mail"])
# The sharing domain keeps a tasks module per sub-package (sharing/<sub>/tasks.py); the task names
# stay "sharing.tasks.*" (the schedule below, and messages already queued, name them so).
app.autodiscover_tasks(
    [
        f"sharing.{sub}"
        for sub in (
            "bulk",
            "checks",
            "disclosure",
            "due_process",
            "feed",
            "reports",
            "retention",
            "sales_totals",
            "transparency",
            "watchlists",
        )
    ]
)

app.conf.beat_schedule = {
    "audit-checkpoint-every-minute": {
        # Checkpoints when HUB_CHECKPOINT_EVERY_EVENTS events or the interval have passed.
        "task": "accounts.tasks.audit_checkpoint_task",
        "schedule": 60.0,
    },
    # Batched audit sequencing (accounts/audit/sequencer.py): staged events into the log; nothing
    # to do, one indexed read, in inline sequencing (or after a switch back, it drains what is left).
    "audit-sequence-every-second": {
        "task": "accounts.tasks.audit_sequence_task",
        "schedule": 1.0,
    },
    "expire-reports-hourly": {
        "task": "sharing.tasks.reports_expire_task",
        "schedule": crontab(minute=7),
    },
    # Urgent live-room reports past their review target raise one operator alert each (issue 19).
    "alert-overdue-urgent-reviews-every-five-minutes": {
        "task": "sharing.tasks.urgent_review_overdue_task",
        "schedule": crontab(minute="*/5"),
    },
    "lapse-disputes-daily": {
        "task": "sharing.tasks.disputes_lapse_task",
        "schedule": crontab(minute=5, hour=0),
    },
    "refresh-reputations-daily": {
        "task": "sharing.tasks.reputations_refresh_task",
        "schedule": crontab(minute=25, hour=0),
    },
    "destroy-restricted-payloads-daily": {
        "task": "sharing.tasks.restricted_payloads_destroy_task",
        "schedule": crontab(minute=45, hour=0),
    },
    # Report metadata, report-token links, tokens, subjects and per-match records past their
    # retention periods (sharing/retention/services/purge.py), after the payloads above.
    "purge-retained-records-daily": {
        "task": "sharing.tasks.retention_purge_task",
        "schedule": crontab(minute=50, hour=0),
    },
    # Audit rows' details past HUB_AUDIT_DETAILS_RETENTION_DAYS; leaf hashes and columns stay.
    "purge-audit-details-daily": {
        "task": "accounts.tasks.audit_details_purge_task",
        "schedule": crontab(minute=10, hour=1),
    },
    "prune-sweep-records-hourly": {
        "task": "sharing.tasks.sweep_records_prune_task",
        "schedule": crontab(minute=37),
    },
    # Sales totals requests past their fixed deadline are released (k or more contributors) or refused.
    "close-sales-totals-every-five-minutes": {
        "task": "sharing.tasks.sales_totals_close_task",
        "schedule": crontab(minute="*/5"),
    },
    # A quarter's transparency report is published (signed, stored) the first run after it ends.
    "publish-transparency-report-daily": {
        "task": "sharing.tasks.transparency_reports_publish_task",
        "schedule": crontab(minute=55, hour=0),
    },
    "expire-disclosures-hourly": {
        "task": "sharing.tasks.disclosures_expire_task",
        "schedule": crontab(minute=17),
    },
}

# Webhook events whose enqueue was lost (a crash after commit, a broker outage) or whose
# worker died mid-delivery are found in the outbox and enqueued again.
app.conf.beat_schedule["sweep-webhooks-every-minute"] = {
    "task": "sharing.tasks.webhooks_sweep_task",
    "schedule": 60.0,
}

# Bulk screening chunks run on their own queue, so a large job never delays the hub's other
# tasks; the sweeper re-enqueues chunks whose worker died mid-way (the database is the record).
app.conf.beat_schedule["sweep-bulk-chunks-every-minute"] = {
    "task": "sharing.tasks.bulk_sweep_task",
    "schedule": 60.0,
}
# Approved disclosure orders whose build send was lost or whose worker died are built again; an
# order that keeps failing raises an operator alert.
app.conf.beat_schedule["sweep-disclosure-builds-every-minute"] = {
    "task": "sharing.tasks.disclosure_builds_sweep_task",
    "schedule": 60.0,
}
# Queued mail that was not sent (an SMTP outage, a lost send) is tried again with backoff
# (accounts/mail/services.py); a message that keeps failing is given up with an operator alert.
app.conf.beat_schedule["sweep-mail-every-minute"] = {
    "task": "accounts.tasks.mail_sweep_task",
    "schedule": 60.0,
}
# The feed's objects that move without a report changing (a rights owner's "members checked", the
# operators' pending reports) are republished when their state digest changed (sharing/feed/).
app.conf.beat_schedule["refresh-feed-hourly"] = {
    "task": "sharing.tasks.feed_refresh_task",
    "schedule": crontab(minute=47),
}
app.conf.task_routes = {
    **dict(app.conf.task_routes or {}),
    "sharing.tasks.bulk_chunk_task": {"queue": "bulk"},
}

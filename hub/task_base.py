"""The base class of every hub task (hub/celery.py makes it the app's Task): transient errors retry.

A task body's database work can fail for a moment (a failover, a dropped connection); the task
is idempotent and the database records what is done, so running it again later is safe. Only
those transient errors retry, with exponential backoff and jitter; anything else is a bug or a
refusal, and retrying would repeat it. A task called directly (tests, commands) raises at once.
"""

from __future__ import annotations

from celery import Task
from django.db import InterfaceError, OperationalError

# Errors of the database connection, not of the data: the same work succeeds once it is back.
TRANSIENT_DATABASE_ERRORS = (OperationalError, InterfaceError)


class HubTask(Task):
    autoretry_for = TRANSIENT_DATABASE_ERRORS
    retry_backoff = 2  # seconds before the first retry; doubled each time
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 5

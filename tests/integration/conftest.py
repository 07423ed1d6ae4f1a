"""Integration tests run real Celery workers on the real broker against the test database."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.db import connection


@pytest.fixture
def real_broker():
    """The broker URL; skips locally without a broker and PostgreSQL, fails under CI=true."""
    if not settings.CELERY_BROKER_URL or connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the Celery integration tests on a real broker and PostgreSQL")
        pytest.skip("needs CELERY_BROKER_URL and a PostgreSQL DATABASE_URL")
    from hub.celery import app

    # Tasks must really travel through the broker; an earlier test must not have left them eager.
    assert not app.conf.task_always_eager, "an earlier test left Celery in eager mode"
    return settings.CELERY_BROKER_URL

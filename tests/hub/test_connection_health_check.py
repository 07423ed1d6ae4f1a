"""The PostgreSQL backend checks a persistent connection's health only after it sat idle (hub/postgresql/base.py).

Each test opens a connection of its own to the test database (as a gunicorn worker holds one across
requests), marks a request's start as Django does (close_if_unusable_or_obsolete), and has the server
end that connection's backend from another connection, as a restart or failover would.
"""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import OperationalError, connection, connections

from hub.postgresql import base as hub_backend

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the hub's PostgreSQL backend"),
]


@pytest.fixture
def persistent():
    wrapper = connections.create_connection("default")
    assert isinstance(wrapper, hub_backend.DatabaseWrapper) and wrapper.settings_dict["CONN_HEALTH_CHECKS"]
    yield wrapper
    wrapper.close()


def _backend_pid(wrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate(wrapper, pid: int) -> None:
    params = wrapper.get_connection_params()
    with psycopg.connect(
        **{k: v for k, v in params.items() if k in ("host", "port", "user", "password", "dbname")},
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        # pg_terminate_backend only signals: wait until the backend is gone.
        deadline = time.monotonic() + 10
        while other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline
            time.sleep(0.02)


def _next_request(wrapper) -> None:
    wrapper.close_if_unusable_or_obsolete()  # Django's request_started handler


def test_a_connection_used_moments_ago_is_not_checked_again(persistent, monkeypatch):
    _backend_pid(persistent)
    checks = []
    original = persistent.is_usable
    monkeypatch.setattr(persistent, "is_usable", lambda: checks.append(1) or original())

    for _ in range(3):
        _next_request(persistent)
        _backend_pid(persistent)

    assert checks == []


def test_a_connection_idle_longer_than_the_bound_is_checked_and_replaced_when_dead(persistent):
    pid = _backend_pid(persistent)
    _terminate(persistent, pid)
    persistent.last_used_at = time.monotonic() - hub_backend.HEALTH_CHECK_AFTER_IDLE_SECONDS - 1
    _next_request(persistent)

    new_pid = _backend_pid(persistent)  # the check found it dead: a new connection answers

    assert new_pid != pid


def test_a_connection_that_dies_within_the_bound_fails_one_statement_then_is_replaced(persistent):
    pid = _backend_pid(persistent)
    _terminate(persistent, pid)
    _next_request(persistent)

    with pytest.raises(OperationalError):
        _backend_pid(persistent)
    _next_request(persistent)  # the failed request's end: Django closes the broken connection

    assert _backend_pid(persistent) != pid


@pytest.mark.django_db(transaction=True)
def test_a_check_whose_connection_died_unseen_answers_503_to_retry_and_the_next_one_is_answered(
    platform_analyst,
):
    from django.db import close_old_connections

    from tests.factories import client_for, seller_identifiers

    client = client_for(platform_analyst)
    body = {"purpose": "seller_onboarding", "identifiers": seller_identifiers(3)}
    assert client.post("/api/v1/checks", body, format="json").status_code == 200
    _terminate(connection, _backend_pid(connection))

    refused = client.post("/api/v1/checks", body, format="json")

    assert refused.status_code == 503 and refused["Retry-After"] == "1"
    assert refused.json()["error"]["code"] == "database_unavailable"
    close_old_connections()  # Django's request_finished handler (the test client leaves it out)
    assert client.post("/api/v1/checks", body, format="json").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_page_whose_connection_died_unseen_answers_503_to_retry(platform_analyst):
    from django.db import close_old_connections
    from django.test import Client

    from tests.factories import web_login

    client = Client(raise_request_exception=False)
    web_login(client, platform_analyst)
    assert client.get("/").status_code == 200
    _terminate(connection, _backend_pid(connection))

    refused = client.get("/")  # the session's read, in a middleware, is the first to fail

    assert refused.status_code == 503 and refused["Retry-After"] == "1"
    close_old_connections()
    assert client.get("/").status_code == 200

"""Personas shared by the suite: who acts in a test is named for what they do."""

from __future__ import annotations

import pytest

from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from tests import audit_triggers
from tests.factories import client_for, persona


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create hundreds of users; a slow hasher would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english_to_start_with():
    """LocaleMiddleware activates the language a request asks for and nothing switches it back on
    that thread; a test that asked in Chinese would leave the next test's messages in Chinese."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def throttles_reset():
    """Throttles (organisations applying: accounts/admission/throttle.py) count in the cache, by
    address; every test's client is 127.0.0.1, so each test starts from an empty count."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def reads_on_the_primary(request, settings):
    """A unit test writes inside a transaction the replica never sees: only tests marked
    `replica` (tests/hub/test_replica_streaming.py) read through it, when DATABASE_REPLICA_URL names one."""
    if request.node.get_closest_marker("replica") is None:
        settings.HUB_REPLICA_ALIAS = ""


@pytest.fixture(autouse=True)
def checkpoints_in_tmp(settings, tmp_path_factory):
    """Checkpoint notes go to a fresh directory per test, never the checkout's var/."""
    settings.HUB_CHECKPOINT_DIR = str(tmp_path_factory.mktemp("checkpoints"))


@pytest.fixture(autouse=True)
def audit_log_flushable(request):
    """Transactional tests end with a flush, which the append-only audit triggers refuse;
    switch them off just for that flush (and back on before the next test)."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db", "live_server", "_django_db_helper"}:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    audit_triggers.enable()
    yield
    transactional = (marker is not None and marker.kwargs.get("transaction")) or names & {
        "transactional_db",
        "live_server",
    }
    if transactional:
        audit_triggers.disable()


@pytest.fixture
def platform_analyst(db):
    return persona(K.PLATFORM, R.ANALYST)


@pytest.fixture
def courier_analyst(db):
    return persona(K.LOGISTICS, R.ANALYST)


@pytest.fixture
def brand_reporter(db):
    return persona(K.RIGHTS_OWNER, R.REPORTER, country="FR")


@pytest.fixture
def other_brand_reporter(db):
    return persona(K.RIGHTS_OWNER, R.REPORTER, country="DE")


@pytest.fixture
def reviewer(db):
    return persona(K.OPERATOR, R.REVIEWER, country="GB")


@pytest.fixture
def operator_admin(db):
    return persona(K.OPERATOR, R.ADMIN, country="GB")


@pytest.fixture
def auditor(db):
    return persona(K.AUDITOR, R.ANALYST, country="GB")


@pytest.fixture
def outsider(db):
    """A verified rights owner with no relation to anyone else's objects."""
    return persona(K.RIGHTS_OWNER, R.REPORTER, country="US")


@pytest.fixture
def api():
    """api(member) → an APIClient authenticated with a fresh key of that member."""
    return client_for


# A TCP port nothing listens on (the discard service): every connection to it is refused at once.
CLOSED_BROKER_URL = "redis://127.0.0.1:9/0"


def _celery_pools_reset(app) -> None:
    """Forget pooled broker connections, so the next send connects to the broker URL set now."""
    app._pool = None  # not closed: kombu's registry shares it with the producer pool of the same URL
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down(settings, monkeypatch):
    """A broker outage: Celery really sends (not eager) to a port where nothing listens."""
    from hub.celery import app

    before = (app.conf.task_always_eager, app.conf.broker_url)
    # Celery reads the broker URL from the environment before its configuration (CI sets it there).
    monkeypatch.setenv("CELERY_BROKER_URL", CLOSED_BROKER_URL)
    settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER = CLOSED_BROKER_URL, False
    app.conf.task_always_eager, app.conf.broker_url = False, CLOSED_BROKER_URL
    _celery_pools_reset(app)
    yield CLOSED_BROKER_URL
    app.conf.task_always_eager, app.conf.broker_url = before
    _celery_pools_reset(app)


@pytest.fixture
def eager_celery(settings):
    """Run tasks in-process even when CELERY_BROKER_URL (CI's Redis) turned eager mode off."""
    from hub.celery import app

    # Read the app's own value first: Celery loads its config lazily from the settings,
    # so reading it after overriding the setting would "restore" eager mode for good.
    before = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def smtp(settings, eager_celery):
    """The hub sends mail by SMTP to a real server on loopback; yields its Mailbox.

    Mail leaves through a task after commit; it runs in-process here, also where CI's broker is set."""
    from tests.smtp_server import SmtpServer

    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield server.mailbox

"""No secret appears on an error page or in the log, debug on or off; debug is off unless asked for.

The failing view (tests/hub/failing_urls.py) holds every key in local variables, passes them as
arguments, puts one in its exception message, and the request's environment carries them too
(as runserver's does); the page and the log are searched for every form of every secret value.
"""

from __future__ import annotations

import io
import logging
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client

from hub.error_reports import RedactSecretsLogFilter, secret_fragments
from tests.factories import web_login
from tests.hub.embedded_server import ROOT, embedded_env

DATABASE_PASSWORD = "db-password-4f1e9a"
BROKER_PASSWORD = "broker-password-77c2"
CHECKPOINT_PASSWORD = "checkpoint-password-913b"


@pytest.fixture
def failing_hub(settings):
    settings.ROOT_URLCONF = "tests.hub.failing_urls"
    settings.DATABASE_URL = f"postgres://hub:{DATABASE_PASSWORD}@db.internal:5432/hub"
    settings.CELERY_BROKER_URL = f"redis://:{BROKER_PASSWORD}@redis.internal:6379/0"
    settings.HUB_CHECKPOINT_URL = f"https://witness:{CHECKPOINT_PASSWORD}@witness.example/checkpoints"
    return settings


def every_secret_value() -> list[str]:
    """Each secret as it is set, and each hex key inside the "version:hex" lists."""
    values = [
        django_settings.SECRET_KEY,
        django_settings.HUB_OPRF_SEED,
        django_settings.HUB_SIGNING_KEY,
        django_settings.HUB_TOKEN_STORAGE_KEYS,
        django_settings.HUB_KEKS,
        DATABASE_PASSWORD,
        BROKER_PASSWORD,
        CHECKPOINT_PASSWORD,
    ]
    for ring in (django_settings.HUB_TOKEN_STORAGE_KEYS, django_settings.HUB_KEKS):
        values += [item.partition(":")[2] for item in ring.split(",")]
    assert all(len(value) >= 16 for value in values)
    return values


@pytest.fixture
def console_log():
    """What the hub's configured console handler writes, captured."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactSecretsLogFilter) for f in h.filters)
    )
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def _fail(debug: bool, settings) -> str:
    settings.DEBUG = debug
    environ_like_runserver = {
        name: str(getattr(django_settings, name))
        for name in (
            "HUB_OPRF_SEED",
            "HUB_KEKS",
            "HUB_TOKEN_STORAGE_KEYS",
            "HUB_SIGNING_KEY",
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "HUB_CHECKPOINT_URL",
        )
    }
    environ_like_runserver["DJANGO_SECRET_KEY"] = django_settings.SECRET_KEY
    response = Client(raise_request_exception=False).get("/fail/", **environ_like_runserver)
    assert response.status_code == 500
    return response.content.decode()


@pytest.mark.parametrize("debug", [True, False], ids=["debug", "no-debug"])
def test_no_secret_appears_on_a_500_page_or_in_the_log(debug, failing_hub, console_log):
    page = _fail(debug, failing_hub)
    log = console_log.getvalue()

    assert "Internal Server Error: /fail/" in log and "ValueError" in log  # the log was captured
    if debug:
        assert "cannot derive a key from" in page and "HUB_OPRF_SEED" in page  # the debug page was rendered
    for secret in every_secret_value():
        assert secret not in page
        assert secret not in log
    for fragment in secret_fragments():  # also as bytes, upper-case hex...
        assert fragment not in page and fragment not in log


def test_the_masks_cover_every_key_setting(settings):
    """A key added to KEY_SETTINGS later is masked too (by name and by value)."""
    from hub.error_reports import SECRET_NAMES, SECRET_SETTINGS

    for name in settings.KEY_SETTINGS:
        assert SECRET_NAMES.search(name)
        assert name.replace("DJANGO_", "") in SECRET_SETTINGS


def _debug_setting(**env: str) -> str:
    environment = {**embedded_env(ROOT / "var"), **env}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        ],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "hub.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_debug_is_off_in_the_embedded_default_unless_asked_for():
    assert _debug_setting() == "False"
    assert _debug_setting(DJANGO_DEBUG="true") == "True"


# Styled pages: the hub's layout and navigation, for every error a page can meet.


def _assert_styled(response, status: int, title: str) -> str:
    page = response.content.decode()
    assert response.status_code == status and response["Content-Type"].startswith("text/html")
    assert (
        '<header class="site-header">' in page and f"<h1>{title}</h1>" in page
    )  # the hub's layout, not Django's bare page
    assert '<nav aria-label="Where to go from here"' in page and 'href="/"' in page
    assert 'href="/api/v1/docs/"' in page
    return page


@pytest.mark.django_db
def test_an_unknown_page_is_a_styled_404_with_navigation_that_does_not_echo_the_path():
    page = _assert_styled(Client().get("/no-such-page/13800138001"), 404, "Page not found")

    assert 'href="/accounts/login/"' in page and "13800138001" not in page


@pytest.mark.django_db
def test_a_forbidden_page_is_a_styled_403_and_logs_one_line_without_a_traceback(platform_analyst, caplog):
    client = Client()
    web_login(client, platform_analyst)

    with caplog.at_level(logging.INFO):
        response = client.get("/audit/")

    page = _assert_styled(response, 403, "Forbidden")
    assert 'href="/bulk/"' in page  # a member's navigation
    logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [(r.name, r.getMessage()) for r in logged] == [("django.request", "Forbidden: /audit/")]
    assert not any(r.exc_info for r in caplog.records)


def test_a_crash_on_a_page_is_a_styled_500(failing_hub, console_log):
    failing_hub.DEBUG = False
    response = Client(raise_request_exception=False).get("/fail/")

    page = _assert_styled(response, 500, "Something went wrong")
    assert "ValueError" not in page and "cannot derive" not in page

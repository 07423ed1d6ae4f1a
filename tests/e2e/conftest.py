"""Browser tests: a real headless Chromium (the Debian package, never a downloaded browser)
driven by Playwright against pytest-django's live_server.

Locally the tests skip, saying why, when Chromium or Playwright is missing; under CI=true
they fail instead, so a CI run can never pass without having driven the browser.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        found = shutil.which("chromium") or shutil.which("chromium-browser")
        return f"{CHROMIUM} is missing{f' (found {found}, but the tests use the Debian package path)' if found else ''}"
    return ""


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    missing = _missing()
    if missing and os.environ.get("CI") == "true":
        pytest.fail(
            f"browser tests cannot run: {missing}; CI must install Chromium (scripts/test does it as root)",
            pytrace=False,
        )
    if missing:
        pytest.skip(f"browser tests skipped: {missing}; install it with `apt-get install -y chromium`")
    return CHROMIUM


@pytest.fixture(autouse=True)
def allow_async_unsafe():
    """Playwright's sync API keeps an event loop on this thread, which Django's async-safety check
    mistakes for async code touching the database; allow it, for these tests only."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser(chromium_executable):
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium_executable, headless=True, args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            launched.close()
            # While Playwright's loop runs, Django keeps this thread's connections in a context
            # variable, apart from the usual ones; close them here or PostgreSQL cannot drop the test DB.
            connections.close_all()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()

"""Password guessing is throttled on every login form (django-axes): after HUB_LOGIN_FAILURE_LIMIT
failures for one username from one address, that pair is locked out (429) even with the right
password; other members and other addresses are unaffected; a success resets the count."""

from __future__ import annotations

import pytest
from django.contrib.auth.views import LoginView
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.audit.models import AuditEvent
from accounts.audit.tags import AuditTag

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def _login_routes(patterns=None, prefix: str = "/") -> list[str]:
    """Every route that logs a user in with a password: Django's LoginView and the admin's login."""
    routes = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            routes += _login_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            view = getattr(entry.callback, "view_class", None)
            name = getattr(entry.callback, "__name__", "")
            if (view and issubclass(view, LoginView)) or name == "login":
                routes.append(prefix + str(entry.pattern))
    return routes


LOGIN_ROUTES = _login_routes()


@pytest.fixture
def member_with_password(brand_reporter):
    brand_reporter.user.set_password(PASSWORD)
    brand_reporter.user.save()
    return brand_reporter


def _attempt(client, route: str, username: str, password: str, address: str = "198.51.100.7"):
    return client.post(route, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_login_routes_are_found():
    assert set(LOGIN_ROUTES) == {"/accounts/login/", "/admin/login/"}


@pytest.mark.parametrize("route", LOGIN_ROUTES)
def test_repeated_wrong_passwords_lock_the_username_out_even_with_the_right_password_and_are_audited(
    client, route, settings, member_with_password
):
    username = member_with_password.user.username
    answers = [
        _attempt(client, route, username, "wrong guess").status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]

    locked = _attempt(client, route, username, PASSWORD)

    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    audited = list(
        AuditEvent.objects.filter(action=AuditTag.AUTH_FAILED, object_type="web_login").order_by("seq")
    )
    # The failure that reaches the limit is the one that locks the pair out.
    assert [e.details["reason"] for e in audited] == (
        ["wrong username or password"] * (settings.AXES_FAILURE_LIMIT - 1)
        + ["locked out after repeated failures"] * 2
    )
    assert all(e.outcome == "denied" and e.request_id and username not in str(e.details) for e in audited)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_web_login_succeeds_below_the_limit_and_a_success_resets_the_count(
    client, settings, member_with_password
):
    username = member_with_password.user.username
    for _ in range(2):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            _attempt(client, "/accounts/login/", username, "wrong guess")
        answer = _attempt(client, "/accounts/login/", username, PASSWORD)
        assert answer.status_code == 302 and client.session["_auth_user_id"]
        client.logout()


def test_a_locked_out_guesser_cannot_lock_the_member_out_from_elsewhere(
    client, settings, member_with_password, platform_analyst
):
    username = member_with_password.user.username
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "/accounts/login/", username, "wrong guess", address="203.0.113.66")

    from_the_member = _attempt(client, "/accounts/login/", username, PASSWORD, address="192.0.2.10")

    assert from_the_member.status_code == 302

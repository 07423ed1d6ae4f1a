"""Production refuses the public demo credentials: at authentication, and `manage.py check` fails while they exist."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from rest_framework.test import APIClient

from accounts.audit.models import AuditEvent, Outcome
from accounts.audit.tags import AuditTag
from accounts.checks import demo_credentials_absent_in_production
from accounts.demo import DEMO_PASSWORD, demo_key, demo_seed
from accounts.models import ApiKey, Member
from accounts.roles import Scope
from tests.factories import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_hub(settings, tmp_path):
    """A hub seeded in the embedded default, as a production database restored from one would be."""
    settings.VAR_DIR = tmp_path
    demo_seed()


def _bearer(plaintext: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def test_the_embedded_default_accepts_the_demo_credentials(demo_hub, client):
    assert _bearer(demo_key("platform-admin").plaintext).get("/api/v1/organisation").status_code == 200
    assert _logs_in(client, username="platform-admin", password=DEMO_PASSWORD)


def test_production_refuses_demo_api_keys_but_not_real_ones(demo_hub, settings):
    real = client_for(Member.objects.get(user__username="platform-admin"))
    settings.PRODUCTION = True

    demo = _bearer(demo_key("platform-admin").plaintext).get("/api/v1/organisation")

    assert demo.status_code == 401 and "Demo API keys" in demo.json()["error"]["message"]
    assert real.get("/api/v1/organisation").status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditTag.AUTH_FAILED,
        outcome=Outcome.DENIED,
        details__reason="Demo API keys are refused in production.",
    ).exists()


def test_production_refuses_the_demo_password_at_login(demo_hub, settings, client):
    settings.PRODUCTION = True
    member = Member.objects.get(user__username="officer-one")

    page = client.post("/accounts/login/", {"username": "officer-one", "password": DEMO_PASSWORD})
    member.user.set_password("the officer's own passphrase")
    member.user.save()

    assert page.status_code == 200 and "_auth_user_id" not in client.session
    assert not _logs_in(client, username="officer-one", password=DEMO_PASSWORD)
    assert _logs_in(client, username="officer-one", password="the officer's own passphrase")


@pytest.mark.parametrize("deploy", [False, True], ids=["check", "check --deploy"])
def test_production_check_fails_while_demo_credentials_exist_and_names_the_removal(
    demo_hub, settings, deploy
):
    settings.PRODUCTION = True

    with pytest.raises(SystemCheckError) as failed:
        call_command("check", *(["--deploy"] if deploy else []))

    assert "hub.E001" in str(failed.value) and "remove_demo_credentials" in str(failed.value)


def test_removing_the_demo_credentials_lets_production_start_and_stops_them(demo_hub, settings, client):
    settings.PRODUCTION = True

    call_command("remove_demo_credentials", "--dry-run")
    still_there = demo_credentials_absent_in_production()
    call_command("remove_demo_credentials")

    assert [e.id for e in still_there] == ["hub.E001"]
    assert demo_credentials_absent_in_production() == []
    settings.PRODUCTION = False  # even back in the embedded default the removed credentials stay dead
    assert _bearer(demo_key("platform-admin").plaintext).get("/api/v1/organisation").status_code == 401
    assert not _logs_in(client, username="platform-admin", password=DEMO_PASSWORD)


def test_seeding_again_gives_existing_demo_keys_the_scopes_added_since(demo_hub):
    stale = ApiKey.objects.filter(prefix=demo_key("platform-admin").prefix)
    stale.update(scopes=["bulk", "check", "report"])  # a demo key seeded before the "keys" scope existed

    demo_seed()

    assert set(stale.get().scopes) == set(Scope.values)
    assert _bearer(demo_key("platform-admin").plaintext).get("/api/v1/api-keys").status_code == 200


def _logs_in(client, *, username: str, password: str) -> bool:
    """Log in through the login form, as a person does (django-axes needs the request)."""
    client.post("/accounts/login/", {"username": username, "password": password})
    return "_auth_user_id" in client.session

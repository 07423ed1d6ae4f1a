"""In a real browser: an admin invites a platform analyst → the analyst follows the link from the
SMTP mailbox, sets a password, is signed in → creates an API key on the web → that key runs a check.

The inviting admin acts through the test client, signed in with a real second factor (web_login);
tests/e2e/test_joining.py walks an admin's own way in the browser. The analyst's whole way is the
browser's."""

from __future__ import annotations

import json
import urllib.request

import pytest
from django.test import Client

from accounts.models import ApiKey, Member
from accounts.roles import OrganisationKind, Role
from tests.factories import persona, web_login
from tests.smtp_server import links_in

PASSWORD = "Quarry-Harbour-5820"


@pytest.mark.django_db(transaction=True)
def test_an_invited_analyst_joins_creates_a_key_on_the_web_and_runs_a_check(
    live_server, page, smtp, settings
):
    from playwright.sync_api import expect

    base = live_server.url
    settings.HUB_PUBLIC_URL = base
    admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    admin_client = Client()
    web_login(admin_client, admin)

    invited = admin_client.post(
        "/organisation/members/", {"email": "analyst@platform.example", "role": "analyst"}
    )
    assert invited.status_code == 302
    [link] = links_in(smtp.wait_for("analyst@platform.example")[0])
    assert link.startswith(f"{base}/invitations/accept/")

    # The link: organisation and role shown, a weak password refused, then a good one.
    page.goto(link)
    page.wait_for_url(f"{base}/invitations/accept/")
    expect(page.locator("#invited-role")).to_have_text("Analyst")
    page.fill("#id_password", "short")
    page.fill("#id_password_again", "short")
    page.locator("#accept button[type=submit]").click()
    expect(page.locator('#form-errors li[data-field="password"]')).to_contain_text("too short")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password_again", PASSWORD)
    page.locator("#accept button[type=submit]").click()
    page.wait_for_url(f"{base}/")
    expect(page.locator("header")).to_contain_text("analyst@platform.example")
    analyst = Member.objects.get(user__username="analyst@platform.example")
    assert (analyst.organisation, analyst.role) == (admin.organisation, Role.ANALYST)

    # A key on the web, shown once.
    page.goto(f"{base}/account/api-keys/")
    page.fill("#id_name", "screening script")
    page.locator('input[name=scopes][value="check"]').check()
    page.locator("#create-key button[type=submit]").click()
    key = page.locator("#new-key-value").inner_text().strip()
    assert ApiKey.objects.get(member=analyst).scopes == ["check"]
    page.goto(f"{base}/account/api-keys/")
    expect(page.locator("#keys")).to_contain_text("screening script")
    assert key not in page.content()

    # The key runs a check.
    request = urllib.request.Request(
        f"{base}/api/v1/checks",
        data=json.dumps(
            {"purpose": "seller_onboarding", "identifiers": [{"type": "phone", "value": "+86 138 0013 8000"}]}
        ).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=15) as answer:
        assert answer.status == 200
        assert "level" in json.loads(answer.read())

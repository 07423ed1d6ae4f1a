"""The whole way in, in a real browser (issue 14's "done when"):

- a platform applies on /join/ → an operator admin, signed in with a second factor, verifies it → the
  applicant's contact receives an invitation by SMTP → accepts, sets a password, enrols TOTP → signs out
  and in again with a code → invites an analyst → the analyst creates an API key on the web → that key
  runs a check;
- the operator admits a court directly and invites its first admin (the first-day commands) → the court
  admin joins and invites a clerk → the clerk must enrol TOTP before any disclosure page opens.

Every message is read from a real SMTP server on loopback and every link in it followed as written.
"""

from __future__ import annotations

import io
import json
import re
import urllib.request

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ApiKey, Member, Organisation
from accounts.roles import OrganisationKind, Role
from tests.e2e.steps import PASSWORD, sign_in_with, sign_out, with_password
from tests.factories import persona, totp_code, totp_device_for
from tests.smtp_server import links_in

VALID_USCC = "91110000600037341L"
PLATFORM_CONTACT = "compliance@joining-platform.example"
COURT_ADMIN = "registry@joining-court.example"


def _password_of(email: str) -> str:
    return f"Harbour-{email.split('@')[0]}-5820"


def _invitation_link(smtp, address: str, base: str) -> str:
    [link] = [
        link
        for message in smtp.wait_for(address)
        for link in links_in(message)
        if "/invitations/accept/" in link
    ]
    assert link.startswith(f"{base}/invitations/accept/")
    return link


def _accept(page, base: str, link: str, email: str) -> Member:
    """Follow the invitation link, set a password; the new member is signed in."""
    page.goto(link)
    page.wait_for_url(f"{base}/invitations/accept/")
    page.fill("#id_password", _password_of(email))
    page.fill("#id_password_again", _password_of(email))
    page.locator("#accept button[type=submit]").click()
    page.wait_for_load_state()
    return Member.objects.select_related("user", "organisation").get(user__username=email)


def _enrol(page, member: Member) -> TOTPDevice:
    """On the enrolment page the gate sent us to: the code from the key shown, then the recovery codes."""
    page.wait_for_url(re.compile(r".*/account/two-factor/(\?.*)?$"))
    shown = page.inner_text("#totp-secret").strip()
    device = TOTPDevice.objects.get(user=member.user, confirmed=False)
    assert shown.replace(" ", "").upper() in _b32(device.bin_key)
    page.fill("#id_code", totp_code(device))
    page.locator("main button[type=submit]").click()
    page.wait_for_selector("#recovery-codes")
    assert page.locator("#recovery-codes li").count() == 10
    page.click("#continue")
    page.wait_for_load_state()
    return TOTPDevice.objects.get(user=member.user, confirmed=True)


def _b32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode()


def _invite(page, base: str, email: str, role: str) -> None:
    page.goto(f"{base}/organisation/members/")
    page.fill("#id_email", email)
    page.select_option("#id_role", role)
    page.locator("main form button:has-text('Send invitation')").click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_a_platform_applies_is_verified_and_its_people_join_with_a_second_factor(
    live_server, page, smtp, settings
):
    from playwright.sync_api import expect

    base = live_server.url
    settings.HUB_PUBLIC_URL = base
    operator = with_password(persona(OrganisationKind.OPERATOR, Role.ADMIN, country="GB"))
    operator_device = totp_device_for(operator)

    # 1. The platform applies, with its licence, on the public form.
    page.goto(f"{base}/join/")
    page.fill("#legal_name", "Joining Commerce Co., Ltd.")
    page.select_option("#kind", "platform")
    page.fill("#country", "CN")
    page.fill("#registration_number", VALID_USCC)
    page.fill("#contact_name", "Li Wei")
    page.fill("#contact_email", PLATFORM_CONTACT)
    page.set_input_files(
        "#documents",
        files=[{"name": "licence.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7 licence"}],
    )
    page.check("#accept_terms")
    page.locator("main button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Application received")

    # 2. The operator admin signs in with a code and verifies it from the queue.
    sign_in_with(page, base, operator.user.username, PASSWORD, operator_device)
    page.goto(f"{base}/operator/applications/")
    page.click("text=Joining Commerce Co., Ltd.")
    page.fill("#verify-reason", "USCC and licence match the enterprise credit register")
    page.locator("button:has-text('Verify and admit')").click()
    page.wait_for_load_state()
    platform = Organisation.objects.get(name="Joining Commerce Co., Ltd.")
    assert platform.in_good_standing and platform.kind == OrganisationKind.PLATFORM
    sign_out(page)

    # 3. The contact's invitation arrives by SMTP: accept, set a password, enrol an authenticator.
    admin = _accept(page, base, _invitation_link(smtp, PLATFORM_CONTACT, base), PLATFORM_CONTACT)
    assert (admin.organisation, admin.role) == (platform, Role.ADMIN)
    admin_device = _enrol(page, admin)
    sign_out(page)

    # 4. Signing in again asks for the code.
    sign_in_with(page, base, PLATFORM_CONTACT, _password_of(PLATFORM_CONTACT), admin_device)
    page.goto(f"{base}/organisation/members/")
    expect(page.locator("h1")).to_be_visible()

    # 5. The admin invites an analyst, who joins (no second factor for this role) and makes a key.
    analyst_email = "analyst@joining-platform.example"
    _invite(page, base, analyst_email, "analyst")
    sign_out(page)
    analyst = _accept(page, base, _invitation_link(smtp, analyst_email, base), analyst_email)
    assert (analyst.organisation, analyst.role) == (platform, Role.ANALYST)
    page.goto(f"{base}/account/api-keys/")
    page.fill("#id_name", "seller screening")
    page.locator('input[name=scopes][value="check"]').check()
    page.locator("#create-key button[type=submit]").click()
    key = page.locator("#new-key-value").inner_text().strip()
    assert ApiKey.objects.get(member=analyst).scopes == ["check"]

    # 6. That key runs a check.
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
        assert json.loads(answer.read())["level"] == "none"


@pytest.mark.django_db(transaction=True)
def test_a_court_is_admitted_and_its_clerk_enrols_totp_before_the_disclosure_pages(
    live_server, page, smtp, settings
):
    from playwright.sync_api import expect

    base = live_server.url
    settings.HUB_PUBLIC_URL = base

    # The operator's first day: a court is admitted directly, and its first admin invited.
    out = io.StringIO()
    call_command(
        "admit_organisation",
        "--name",
        "Joining Intermediate People's Court",
        "--kind",
        "court",
        "--country",
        "CN",
        stdout=out,
    )
    court = Organisation.objects.get(name="Joining Intermediate People's Court")
    assert str(court.public_id) in out.getvalue() and court.in_good_standing
    call_command(
        "invite_member",
        "--organisation",
        str(court.public_id),
        "--email",
        COURT_ADMIN,
        "--role",
        "admin",
        stdout=io.StringIO(),
    )

    # The court admin joins, enrols, and invites a clerk.
    court_admin = _accept(page, base, _invitation_link(smtp, COURT_ADMIN, base), COURT_ADMIN)
    _enrol(page, court_admin)
    clerk_email = "clerk@joining-court.example"
    _invite(page, base, clerk_email, "analyst")
    sign_out(page)

    # The clerk sets a password; every disclosure page waits until a second factor is enrolled.
    clerk = _accept(page, base, _invitation_link(smtp, clerk_email, base), clerk_email)
    assert (clerk.organisation, clerk.role) == (court, Role.ANALYST)
    for path in ("/disclosures/", "/disclosures/new"):
        page.goto(f"{base}{path}")
        page.wait_for_url(re.compile(r".*/account/two-factor/(\?.*)?$"))
        assert "totp-secret" in page.content()
    page.goto(f"{base}/disclosures/")
    _enrol(page, clerk)
    page.goto(f"{base}/disclosures/")
    assert page.url == f"{base}/disclosures/"
    expect(page.locator("h1").first).to_be_visible()
    page.goto(f"{base}/disclosures/new")
    assert page.url == f"{base}/disclosures/new"

"""People join by invitation: invite (API and page) → mail over SMTP → accept with a password → signed in.

Also: spent, revoked and unknown links, roles outside the kind, duplicates, deactivation (keys and
sessions stop at once), the last-admin rule, API keys on the web, and the first-day commands.
"""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.audit.models import AuditEvent, Outcome
from accounts.audit.tags import AuditTag
from accounts.invitations.models import Invitation
from accounts.models import ApiKey, Member
from accounts.roles import OrganisationKind, Role
from accounts.services import member_create
from tests.factories import client_for, key_for, member_make, persona, totp_device_for, web_login
from tests.smtp_server import links_in

STRONG = "Granite-Lantern-4417"
CHECK_BODY = {
    "purpose": "seller_onboarding",
    "identifiers": [{"type": "phone", "value": "+86 138 0013 8000"}],
}


def _path(link: str) -> str:
    return urlsplit(link).path


def _invite(admin: Member, email: str, role: str = "analyst", **extra):
    return client_for(admin).post(
        "/api/v1/invitations", {"email": email, "role": role, **extra}, format="json"
    )


def _open(client: Client, path: str):
    """Follow the mail's link: it keeps the token in the session and moves to /invitations/accept/."""
    followed = client.get(path)
    assert followed.status_code == 302 and followed["Location"] == "/invitations/accept/"
    return client.get("/invitations/accept/")


def _accept(client: Client, path: str, password: str = STRONG):
    _open(client, path)
    return client.post("/invitations/accept/", {"password": password, "password_again": password})


def _audit_text() -> str:
    return " ".join(f"{e.object_id} {e.details}" for e in AuditEvent.objects.all())


@pytest.mark.django_db
def test_an_invited_person_gets_the_mail_sets_a_password_and_is_signed_in_with_the_role(
    smtp, settings, caplog, django_capture_on_commit_callbacks
):
    settings.HUB_PUBLIC_URL = "https://hub.example.org"
    admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)

    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(admin, "New.Analyst@Example.com")
    [message] = smtp.wait_for("new.analyst@example.com")
    [link] = [x for x in links_in(message) if "/invitations/accept/" in x]
    browser = Client()
    shown = _open(browser, _path(link))
    weak = _accept(browser, _path(link), password="password1234")
    accepted = _accept(browser, _path(link))
    home = browser.get("/")

    assert response.status_code == 201, response.content
    assert link.startswith("https://hub.example.org/invitations/accept/")
    assert admin.organisation.name in shown.content.decode() and "Analyst" in shown.content.decode()
    assert weak.status_code == 400 and 'data-field="password"' in weak.content.decode()
    assert accepted.status_code == 302 and accepted["Location"] == "/"
    member = Member.objects.get(user__username="new.analyst@example.com")
    assert (member.organisation, member.role, member.user.email) == (
        admin.organisation,
        Role.ANALYST,
        "new.analyst@example.com",
    )
    assert home.status_code == 200 and home.wsgi_request.user == member.user
    invitation = Invitation.objects.get(public_id=response.json()["id"])
    assert invitation.accepted_at is not None and invitation.member == member
    token = _path(link).rstrip("/").rsplit("/", 1)[1]
    assert token not in invitation.token_hash and token not in _audit_text()
    assert token not in caplog.text
    assert "new.analyst@example.com" not in _audit_text()
    assert AuditEvent.objects.filter(
        action=AuditTag.INVITATION_ACCEPTED, object_id=str(invitation.public_id)
    ).exists()


@pytest.mark.django_db
def test_a_used_link_is_410_and_audited(smtp, django_capture_on_commit_callbacks):
    admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(admin, "once@example.com")
    [link] = links_in(smtp.wait_for("once@example.com")[0])
    _accept(Client(), _path(link))

    again = _open(Client(), _path(link))
    again_post = _accept(Client(), _path(link), password="Another-Password-991")

    assert again.status_code == 410 and "already used" in again.content.decode()
    assert again_post.status_code == 410
    assert (
        AuditEvent.objects.filter(action=AuditTag.INVITATION_REUSED_ATTEMPT, outcome=Outcome.DENIED).count()
        == 3  # the GET, then the GET and the POST of the second try
    )


@pytest.mark.django_db
def test_an_expired_link_is_410_and_audited(smtp, django_capture_on_commit_callbacks):
    admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        created = _invite(admin, "late@example.com").json()
    [link] = links_in(smtp.wait_for("late@example.com")[0])
    Invitation.objects.filter(public_id=created["id"]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    response = _accept(Client(), _path(link))

    assert response.status_code == 410 and "expired" in response.content.decode()
    assert not Member.objects.filter(user__username="late@example.com").exists()
    assert AuditEvent.objects.filter(
        action=AuditTag.INVITATION_EXPIRED_ATTEMPT, object_id=created["id"], outcome=Outcome.DENIED
    ).exists()


@pytest.mark.django_db
def test_an_unknown_link_is_404_and_audited():
    response = _open(Client(), "/invitations/accept/not-a-real-token/")

    assert response.status_code == 404
    row = AuditEvent.objects.get(action=AuditTag.INVITATION_UNKNOWN_ATTEMPT)
    assert "not-a-real-token" not in str(row.details)


@pytest.mark.django_db
def test_a_revoked_link_is_410(smtp, django_capture_on_commit_callbacks):
    admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        created = _invite(admin, "revoked@example.com").json()
    [link] = links_in(smtp.wait_for("revoked@example.com")[0])

    revoked = client_for(admin).post(f"/api/v1/invitations/{created['id']}/revoke")
    response = _open(Client(), _path(link))

    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert response.status_code == 410


@pytest.mark.django_db
def test_a_role_outside_the_kind_is_400_naming_the_allowed_roles():
    admin = persona(OrganisationKind.COURT, Role.ADMIN)

    response = _invite(admin, "clerk@court.example", role="reporter")

    assert response.status_code == 400
    message = " ".join(response.json()["error"]["fields"]["role"])
    assert "admin" in message and "analyst" in message and "viewer" in message
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_a_pending_invitation_or_an_existing_member_is_a_409(smtp):
    admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    existing = member_create(
        organisation=admin.organisation, username="viewer@example.com", role=Role.VIEWER, actor=None
    )

    first = _invite(admin, "twice@example.com")
    second = _invite(admin, "TWICE@example.com")
    member = _invite(admin, existing.user.username)

    assert first.status_code == 201
    assert second.status_code == 409 and "pending invitation" in second.json()["error"]["message"]
    assert member.status_code == 409


@pytest.mark.django_db
def test_a_non_admin_cannot_invite():
    analyst = persona(OrganisationKind.PLATFORM, Role.ANALYST)

    response = _invite(analyst, "friend@example.com")

    assert response.status_code == 403
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_an_operator_admin_invites_the_first_admin_of_another_organisation_only(
    smtp, django_capture_on_commit_callbacks
):
    operator = persona(OrganisationKind.OPERATOR, Role.ADMIN)
    brand = persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER).organisation
    court = persona(OrganisationKind.COURT, Role.ADMIN).organisation
    org = {"organisation": str(brand.public_id)}

    with django_capture_on_commit_callbacks(execute=True):
        first_admin = _invite(operator, "boss@brand.example", role="admin", **org)
    reporter = _invite(operator, "someone@brand.example", role="reporter", **org)
    second_admin = _invite(operator, "boss2@court.example", role="admin", organisation=str(court.public_id))

    assert first_admin.status_code == 201, first_admin.content
    assert reporter.status_code == 403 and second_admin.status_code == 403
    assert smtp.wait_for("boss@brand.example")


@pytest.mark.django_db
def test_an_organisation_admin_naming_another_organisation_gets_a_404():
    admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    other = persona(OrganisationKind.PLATFORM, Role.VIEWER).organisation

    response = _invite(admin, "someone@example.com", role="admin", organisation=str(other.public_id))

    assert response.status_code == 404 and not Invitation.objects.exists()


@pytest.mark.django_db
def test_deactivation_stops_the_members_key_at_once_and_ends_their_web_session():
    admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    analyst = member_make(admin.organisation, Role.ANALYST)
    analyst_api = client_for(analyst, scopes=["check"])
    browser = Client()
    web_login(browser, analyst)
    assert analyst_api.post("/api/v1/checks", CHECK_BODY, format="json").status_code == 200
    assert browser.get("/account/api-keys/").status_code == 200

    response = client_for(admin).post(
        f"/api/v1/members/{analyst.public_id}/deactivate", {"reason": "left the company"}, format="json"
    )

    assert response.status_code == 200 and response.json()["active"] is False
    assert analyst_api.post("/api/v1/checks", CHECK_BODY, format="json").status_code == 401
    page = browser.get("/account/api-keys/")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    assert AuditEvent.objects.filter(
        action=AuditTag.MEMBER_DEACTIVATED, object_id=str(analyst.public_id)
    ).exists()

    back = client_for(admin).post(
        f"/api/v1/members/{analyst.public_id}/reactivate", {"reason": "back"}, format="json"
    )
    assert back.status_code == 200 and back.json()["active"] is True
    assert analyst_api.post("/api/v1/checks", CHECK_BODY, format="json").status_code == 200


@pytest.mark.django_db
def test_the_last_active_admin_cannot_be_deactivated():
    admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    api = client_for(admin)

    alone = api.post(f"/api/v1/members/{admin.public_id}/deactivate", {"reason": "leaving"}, format="json")
    second = member_make(admin.organisation, Role.ADMIN)
    with_another = api.post(f"/api/v1/members/{second.public_id}/deactivate", {"reason": "x"}, format="json")
    itself = client_for(admin).post(
        f"/api/v1/members/{admin.public_id}/deactivate", {"reason": "leaving"}, format="json"
    )

    assert alone.status_code == 409 and "last active administrator" in alone.json()["error"]["message"]
    assert with_another.status_code == 200
    assert itself.status_code == 409


@pytest.mark.django_db
def test_a_deactivation_needs_a_reason():
    admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    analyst = member_make(admin.organisation, Role.ANALYST)

    response = client_for(admin).post(f"/api/v1/members/{analyst.public_id}/deactivate", {}, format="json")

    assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_the_members_page_invites_and_lists(smtp, django_capture_on_commit_callbacks):
    admin = persona(OrganisationKind.LOGISTICS, Role.ADMIN)
    browser = Client()
    web_login(browser, admin)

    with django_capture_on_commit_callbacks(execute=True):
        sent = browser.post(
            "/organisation/members/", {"email": "courier.analyst@example.com", "role": "analyst"}
        )
    bad_role = browser.post("/organisation/members/", {"email": "x@example.com", "role": "reviewer"})
    page = browser.get("/organisation/members/")

    assert sent.status_code == 302
    assert smtp.wait_for("courier.analyst@example.com")
    assert bad_role.status_code == 400 and 'data-field="role"' in bad_role.content.decode()
    assert "courier.analyst@example.com" in page.content.decode()


@pytest.mark.django_db
def test_a_key_created_on_the_web_is_shown_once_and_runs_a_check():
    analyst = persona(OrganisationKind.PLATFORM, Role.ANALYST)
    browser = Client()
    web_login(browser, analyst)
    expires = (timezone.now() + timedelta(days=30)).date().isoformat()

    created = browser.post(
        "/account/api-keys/", {"name": "laptop", "scopes": ["check"], "expires_on": expires}
    )
    key = created.content.decode().split('id="new-key-value">')[1].split("<")[0]
    listed = browser.get("/account/api-keys/")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    assert created.status_code == 201
    stored = ApiKey.objects.get(member=analyst, name="laptop")
    assert stored.scopes == ["check"] and stored.expires_at.date().isoformat() == expires
    assert key not in listed.content.decode() and stored.prefix in listed.content.decode()
    assert api.post("/api/v1/checks", CHECK_BODY, content_type="application/json").status_code == 200


@pytest.mark.django_db
def test_the_web_refuses_a_scope_beyond_the_role_and_a_past_expiry():
    analyst = persona(OrganisationKind.PLATFORM, Role.ANALYST)
    browser = Client()
    web_login(browser, analyst)
    yesterday = (timezone.now() - timedelta(days=1)).date().isoformat()

    beyond = browser.post("/account/api-keys/", {"name": "wide", "scopes": ["disclosure"]})
    past = browser.post("/account/api-keys/", {"name": "old", "scopes": ["check"], "expires_on": yesterday})

    assert beyond.status_code == 403 and 'data-field="scopes"' in beyond.content.decode()
    assert past.status_code == 400 and 'data-field="expires_on"' in past.content.decode()
    assert not ApiKey.objects.filter(member=analyst).exists()


@pytest.mark.django_db
def test_an_admin_sees_and_revokes_a_members_key_on_the_web():
    admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    analyst = member_make(admin.organisation, Role.ANALYST)
    key = key_for(analyst, ["check"])
    stored = ApiKey.objects.get(member=analyst)
    browser = Client()
    web_login(browser, admin)

    page = browser.get("/organisation/api-keys/")
    revoked = browser.post(f"/account/api-keys/{stored.public_id}/revoke", {"back": "organisation"})

    assert stored.prefix in page.content.decode()
    assert revoked.status_code == 302
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.post("/api/v1/checks", CHECK_BODY, content_type="application/json").status_code == 401


@pytest.mark.django_db
def test_an_analyst_may_not_open_the_organisation_pages():
    analyst = persona(OrganisationKind.PLATFORM, Role.ANALYST)
    browser = Client()
    web_login(browser, analyst)

    assert browser.get("/organisation/members/").status_code == 403
    assert browser.get("/organisation/api-keys/").status_code == 403


@pytest.mark.django_db
def test_create_operator_admin_prints_a_link_that_works(smtp, settings, django_capture_on_commit_callbacks):
    settings.HUB_PUBLIC_URL = "https://hub.example.org"
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_operator_admin", "--email", "ops@hub.example", stdout=out)

    [link] = [line for line in out.getvalue().splitlines() if line.startswith("https://")]
    assert smtp.wait_for("ops@hub.example")
    browser = Client()
    assert _accept(browser, _path(link)).status_code == 302
    member = Member.objects.get(user__username="ops@hub.example")
    assert (member.organisation.kind, member.role) == (OrganisationKind.OPERATOR, Role.ADMIN)
    assert member.organisation.in_good_standing
    assert browser.get("/").wsgi_request.user == member.user


@pytest.mark.django_db
def test_invite_member_by_organisation_name_prints_a_link_that_works(
    smtp, django_capture_on_commit_callbacks
):
    court = persona(OrganisationKind.COURT, Role.VIEWER).organisation
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "invite_member",
            "--organisation",
            court.name,
            "--email",
            "clerk@court.example",
            "--role",
            "admin",
            stdout=out,
        )

    [link] = [line for line in out.getvalue().splitlines() if line.startswith("http")]
    assert links_in(smtp.wait_for("clerk@court.example")[0]) == [link]
    assert _accept(Client(), _path(link)).status_code == 302
    assert Member.objects.get(user__username="clerk@court.example").organisation == court


@pytest.mark.django_db
def test_invite_member_refuses_a_role_outside_the_kind():
    court = persona(OrganisationKind.COURT, Role.VIEWER).organisation

    with pytest.raises(Exception, match="admin, analyst, viewer"):
        call_command(
            "invite_member",
            "--organisation",
            str(court.public_id),
            "--email",
            "x@court.example",
            "--role",
            "reporter",
        )


@pytest.mark.django_db
def test_the_members_page_deactivates_ends_the_session_and_keeps_the_last_admin():
    admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    analyst = member_make(admin.organisation, Role.ANALYST)
    analyst_browser = Client()
    web_login(analyst_browser, analyst)
    admin_browser = Client()
    web_login(admin_browser, admin)

    no_reason = admin_browser.post(f"/organisation/members/{analyst.public_id}/deactivate", {})
    done = admin_browser.post(f"/organisation/members/{analyst.public_id}/deactivate", {"reason": "left"})
    last = admin_browser.post(f"/organisation/members/{admin.public_id}/deactivate", {"reason": "me"})

    assert no_reason.status_code == 400 and 'data-field="reason"' in no_reason.content.decode()
    assert done.status_code == 302
    analyst.refresh_from_db()
    assert analyst.active is False
    assert analyst_browser.get("/").wsgi_request.user.is_authenticated is False
    assert last.status_code == 409 and "last active administrator" in last.content.decode()


@pytest.mark.django_db
def test_the_members_page_revokes_a_pending_invitation(smtp):
    admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    created = _invite(admin, "pending@example.com").json()
    browser = Client()
    web_login(browser, admin)

    response = browser.post(f"/organisation/invitations/{created['id']}/revoke")

    assert response.status_code == 302
    assert Invitation.objects.get(public_id=created["id"]).status == "revoked"
    assert AuditEvent.objects.filter(action=AuditTag.INVITATION_REVOKED, object_id=created["id"]).exists()


@pytest.mark.django_db
def test_the_members_list_says_who_has_enrolled_a_second_factor():
    admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    analyst = member_make(admin.organisation, Role.ANALYST)
    totp_device_for(admin)

    members = client_for(admin).get("/api/v1/members").json()["results"]

    enrolled = {row["id"]: row["two_factor_enrolled"] for row in members}
    assert enrolled == {str(admin.public_id): True, str(analyst.public_id): False}

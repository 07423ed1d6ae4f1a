"""API keys: shown once, stored hashed, found by prefix, scoped, expiring, revocable, last use."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.auth import get_user_model

from accounts import services
from accounts.actors import Actor
from accounts.audit.models import AuditEvent, Outcome
from accounts.audit.tags import AuditTag
from accounts.models import ApiKey
from accounts.roles import CAPABILITY_SCOPE, ROLE_CAPABILITIES, OrganisationKind, Role, scopes_for
from hub.errors import ForbiddenError
from tests.factories import client_for, member_make, persona, web_login

pytestmark = pytest.mark.django_db


def test_a_key_is_shown_once_and_only_its_hash_is_stored(api, platform_analyst):
    response = api(platform_analyst).post(
        "/api/v1/api-keys", {"name": "nightly", "scopes": ["check"]}, format="json"
    )

    assert response.status_code == 201
    plaintext = response.json()["key"]
    stored = ApiKey.objects.get(public_id=response.json()["id"])
    assert plaintext.startswith(f"iih_{stored.prefix}_")
    assert stored.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in str(ApiKey.objects.filter(pk=stored.pk).values().get())
    listing = api(platform_analyst).get("/api/v1/api-keys").json()["results"]
    assert all("key" not in row for row in listing) and stored.prefix in {row["prefix"] for row in listing}


def test_a_new_key_works_with_its_scopes_and_records_last_use(api, platform_analyst):
    issued = (
        api(platform_analyst)
        .post("/api/v1/api-keys", {"name": "checks", "scopes": ["check"]}, format="json")
        .json()
    )
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued['key']}")

    check = client.post(
        "/api/v1/checks",
        {"purpose": "seller_onboarding", "identifiers": [{"type": "phone", "value": "+8613800138000"}]},
        format="json",
    )
    audit = client.get("/api/v1/reports")

    assert check.status_code == 200 and audit.status_code == 403
    assert ApiKey.objects.get(public_id=issued["id"]).last_used_at is not None


def test_revoking_a_key_stops_it_at_once(api, platform_analyst):
    issued = (
        api(platform_analyst)
        .post("/api/v1/api-keys", {"name": "x", "scopes": ["check"]}, format="json")
        .json()
    )
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued['key']}")

    revoked = api(platform_analyst).post(f"/api/v1/api-keys/{issued['id']}/revoke")
    after = client.get("/api/v1/organisation")

    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert after.status_code == 401


def test_an_admin_sees_and_revokes_colleagues_keys_but_nobody_sees_another_organisations(api):
    admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    colleague = member_make(admin.organisation, Role.ANALYST)
    stranger = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    colleague_key = (
        api(colleague).post("/api/v1/api-keys", {"name": "c", "scopes": ["check"]}, format="json").json()
    )

    admin_sees = {row["id"] for row in api(admin).get("/api/v1/api-keys").json()["results"]}
    stranger_revoke = api(stranger).post(f"/api/v1/api-keys/{colleague_key['id']}/revoke")
    colleague_sees_admins = api(colleague).get("/api/v1/api-keys").json()["results"]
    admin_revoke = api(admin).post(f"/api/v1/api-keys/{colleague_key['id']}/revoke")

    assert colleague_key["id"] in admin_sees
    assert stranger_revoke.status_code == 404
    assert {row["member"] for row in colleague_sees_admins} == {str(colleague.public_id)}
    assert admin_revoke.status_code == 200


@pytest.mark.parametrize(
    "kind,role",
    [(OrganisationKind.OPERATOR, Role.DISCLOSURE_OFFICER), (OrganisationKind.PLATFORM, Role.ANALYST)],
    ids=["officer", "analyst"],
)
def test_admin_cannot_mint_a_key_for_another_member(api, kind, role):
    admin = persona(kind, Role.ADMIN)
    colleague = member_make(admin.organisation, role)
    stranger = persona(kind, role)

    mine = api(admin).post(
        "/api/v1/api-keys",
        {"name": "c", "scopes": ["keys"], "member": str(colleague.public_id)},
        format="json",
    )
    theirs = api(admin).post(
        "/api/v1/api-keys",
        {"name": "s", "scopes": ["keys"], "member": str(stranger.public_id)},
        format="json",
    )

    assert mine.status_code == 403 and "member" in mine.json()["error"]["fields"]
    assert theirs.status_code == 404
    assert not ApiKey.objects.filter(member__in=[colleague, stranger]).exists()
    refusal = AuditEvent.objects.get(
        actor_member=admin, action=AuditTag.API_KEY_ISSUED, outcome=Outcome.DENIED
    )
    assert str(colleague.public_id) in refusal.details["reason"]
    assert AuditEvent.objects.filter(
        actor_member=admin, outcome=Outcome.DENIED, details__reason=f"not visible: {stranger.public_id}"
    ).exists()


def test_a_key_minted_by_someone_else_before_the_fix_no_longer_authenticates():
    admin = persona(OrganisationKind.OPERATOR, Role.ADMIN)
    officer = member_make(admin.organisation, Role.DISCLOSURE_OFFICER)
    client = client_for(officer)
    ApiKey.objects.filter(member=officer).update(created_by=admin)  # as the migration backfills such a key

    response = client.get("/api/v1/organisation")

    assert (
        response.status_code == 401 and "not created by its own member" in response.json()["error"]["message"]
    )
    assert AuditEvent.objects.filter(
        action=AuditTag.AUTH_FAILED,
        outcome=Outcome.DENIED,
        details__reason="This API key was not created by its own member; create your own.",
    ).exists()


def test_no_service_caller_mints_a_key_for_another_member():
    admin = persona(OrganisationKind.OPERATOR, Role.ADMIN)
    officer = member_make(admin.organisation, Role.DISCLOSURE_OFFICER)

    with pytest.raises(ForbiddenError):
        services.api_key_issue(member=officer, name="x", scopes=["disclosure"], actor=Actor(member=admin))

    assert not ApiKey.objects.filter(member=officer).exists()


def test_a_member_naming_themself_gets_a_key_recorded_as_created_by_themself(api, platform_analyst):
    response = api(platform_analyst).post(
        "/api/v1/api-keys",
        {"name": "own", "scopes": ["check"], "member": str(platform_analyst.public_id)},
        format="json",
    )

    assert response.status_code == 201 and response.json()["created_by"] == str(platform_analyst.public_id)
    assert ApiKey.objects.get(public_id=response.json()["id"]).created_by == platform_analyst


def test_nobody_sets_another_members_password():
    admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)

    with pytest.raises(ForbiddenError):
        services.member_create(
            organisation=admin.organisation,
            username="newcomer",
            role=Role.ANALYST,
            password="chosen-by-the-admin",
            actor=Actor(member=admin),
        )

    assert not get_user_model().objects.filter(username="newcomer").exists()


def test_the_admin_site_sets_no_ones_password_and_adds_no_users(client, platform_analyst):
    superuser = get_user_model().objects.create_superuser("root", password="pw-for-tests")
    client.force_login(superuser)
    before = platform_analyst.user.password

    form = client.get(f"/admin/auth/user/{platform_analyst.user.pk}/password/")
    change = client.post(
        f"/admin/auth/user/{platform_analyst.user.pk}/password/",
        {"password1": "taken-over-2026", "password2": "taken-over-2026"},
    )
    add = client.get("/admin/auth/user/add/")

    assert form.status_code == 403 and change.status_code == 403 and add.status_code == 403
    platform_analyst.user.refresh_from_db()
    assert platform_analyst.user.password == before


def test_a_key_cannot_mint_a_key_with_scopes_it_lacks(api, platform_analyst):
    narrow = api(platform_analyst, scopes=["check", "keys"])

    wider = narrow.post("/api/v1/api-keys", {"name": "wider", "scopes": ["check", "bulk"]}, format="json")
    same = narrow.post("/api/v1/api-keys", {"name": "same", "scopes": ["check"]}, format="json")

    assert wider.status_code == 403 and "scopes" in wider.json()["error"]["fields"]
    assert same.status_code == 201
    assert list(
        ApiKey.objects.filter(member=platform_analyst, name__in=["wider", "same"]).values_list(
            "name", flat=True
        )
    ) == ["same"]
    assert AuditEvent.objects.filter(
        actor_member=platform_analyst, action=AuditTag.API_KEY_ISSUED, outcome=Outcome.DENIED
    ).exists()


def test_key_management_needs_the_keys_scope(api, platform_analyst):
    check_only = api(platform_analyst, scopes=["check"])

    issued = check_only.post("/api/v1/api-keys", {"name": "x", "scopes": ["check"]}, format="json")
    listed = check_only.get("/api/v1/api-keys")

    assert issued.status_code == 403 and listed.status_code == 403
    assert ApiKey.objects.filter(member=platform_analyst).count() == 1  # only the check key itself


def test_a_web_session_grants_at_most_its_roles_scopes(client, platform_analyst):
    web_login(client, platform_analyst)

    beyond_role = client.post(
        "/api/v1/api-keys", {"name": "x", "scopes": ["disclosure"]}, content_type="application/json"
    )
    within_role = client.post(
        "/api/v1/api-keys", {"name": "y", "scopes": ["check", "keys"]}, content_type="application/json"
    )

    assert beyond_role.status_code == 403 and within_role.status_code == 201


def test_every_capability_a_role_has_is_reachable_with_the_scopes_it_may_grant():
    for (kind, role), capabilities in ROLE_CAPABILITIES.items():
        grantable = scopes_for(kind, role)
        for capability in capabilities:
            needed = CAPABILITY_SCOPE[capability]
            options = needed if isinstance(needed, tuple) else (needed,)
            assert needed is None or set(options) & grantable, (kind, role, capability)


def test_unknown_scopes_are_refused(api, platform_analyst):
    response = api(platform_analyst).post(
        "/api/v1/api-keys", {"name": "x", "scopes": ["everything"]}, format="json"
    )

    assert response.status_code == 400 and "scopes" in response.json()["error"]["fields"]


def test_the_database_refuses_a_role_the_organisation_kind_does_not_have():
    from django.db import IntegrityError, transaction

    from accounts.models import Member
    from tests.factories import OrganisationFactory

    platform = OrganisationFactory(kind=OrganisationKind.PLATFORM)
    member = member_make(platform, Role.ANALYST)

    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=member.pk).update(role=Role.DISCLOSURE_OFFICER)

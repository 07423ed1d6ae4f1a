"""API keys: shown once, stored hashed, found by prefix, scoped, expiring, revocable, last use."""
from __future__ import annotations

import hashlib

import pytest

from accounts.models import ApiKey
from accounts.roles import OrganisationKind, Role
from tests.factories import member_make, persona

pytestmark = pytest.mark.django_db


def test_a_key_is_shown_once_and_only_its_hash_is_stored(api, platform_analyst):
    response = api(platform_analyst).post("/api/v1/api-keys", {"name": "nightly", "scopes": ["check"]}, format="json")

    assert response.status_code == 201
    plaintext = response.json()["key"]
    stored = ApiKey.objects.get(public_id=response.json()["id"])
    assert plaintext.startswith(f"iih_{stored.prefix}_")
    assert stored.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in str(ApiKey.objects.filter(pk=stored.pk).values().get())
    listing = api(platform_analyst).get("/api/v1/api-keys").json()["results"]
    assert all("key" not in row for row in listing) and stored.prefix in {row["prefix"] for row in listing}


def test_a_new_key_works_with_its_scopes_and_records_last_use(api, platform_analyst):
    issued = api(platform_analyst).post("/api/v1/api-keys", {"name": "checks", "scopes": ["check"]}, format="json").json()
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued['key']}")

    check = client.post("/api/v1/checks", {"identifiers": [{"type": "phone", "value": "+8613800138000"}]}, format="json")
    audit = client.get("/api/v1/reports")

    assert check.status_code == 200 and audit.status_code == 403
    assert ApiKey.objects.get(public_id=issued["id"]).last_used_at is not None


def test_revoking_a_key_stops_it_at_once(api, platform_analyst):
    issued = api(platform_analyst).post("/api/v1/api-keys", {"name": "x", "scopes": ["check"]}, format="json").json()
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
    colleague_key = api(colleague).post("/api/v1/api-keys", {"name": "c", "scopes": ["check"]}, format="json").json()

    admin_sees = {row["id"] for row in api(admin).get("/api/v1/api-keys").json()["results"]}
    stranger_revoke = api(stranger).post(f"/api/v1/api-keys/{colleague_key['id']}/revoke")
    colleague_sees_admins = api(colleague).get("/api/v1/api-keys").json()["results"]
    admin_revoke = api(admin).post(f"/api/v1/api-keys/{colleague_key['id']}/revoke")

    assert colleague_key["id"] in admin_sees
    assert stranger_revoke.status_code == 404
    assert {row["member"] for row in colleague_sees_admins} == {str(colleague.public_id)}
    assert admin_revoke.status_code == 200


def test_an_admin_issues_a_key_for_a_colleague_but_not_for_a_stranger(api):
    admin = persona(OrganisationKind.LOGISTICS, Role.ADMIN)
    colleague = member_make(admin.organisation, Role.ANALYST)
    stranger = persona(OrganisationKind.LOGISTICS, Role.ANALYST)

    mine = api(admin).post("/api/v1/api-keys", {"name": "c", "scopes": ["check"], "member": str(colleague.public_id)}, format="json")
    theirs = api(admin).post("/api/v1/api-keys", {"name": "s", "scopes": ["check"], "member": str(stranger.public_id)}, format="json")

    assert mine.status_code == 201 and mine.json()["member"] == str(colleague.public_id)
    assert theirs.status_code == 404


def test_unknown_scopes_are_refused(api, platform_analyst):
    response = api(platform_analyst).post("/api/v1/api-keys", {"name": "x", "scopes": ["everything"]}, format="json")

    assert response.status_code == 400 and "scopes" in response.json()["error"]["fields"]


def test_the_database_refuses_a_role_the_organisation_kind_does_not_have():
    from django.db import IntegrityError, transaction

    from accounts.models import Member
    from tests.factories import OrganisationFactory

    platform = OrganisationFactory(kind=OrganisationKind.PLATFORM)
    member = member_make(platform, Role.ANALYST)

    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=member.pk).update(role=Role.DISCLOSURE_OFFICER)

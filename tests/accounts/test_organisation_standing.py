"""Organisation standing: the operator admits and suspends members, but oversight cannot be locked out."""

from __future__ import annotations

import pytest

from accounts.audit.models import AuditEvent, Outcome
from accounts.audit.tags import AuditTag
from accounts.models import Organisation, VerificationState
from accounts.roles import OrganisationKind, Role
from tests.factories import OrganisationFactory, member_make

pytestmark = pytest.mark.django_db

LOWERED = [
    {"verified": True, "suspended": True},
    {"verified": False, "suspended": False},
    {"verified": False, "suspended": True},
]


def _standing(organisation: Organisation) -> tuple[str, bool]:
    organisation.refresh_from_db()
    return organisation.verification, organisation.suspended


@pytest.mark.parametrize("body", LOWERED, ids=["suspend", "unverify", "both"])
@pytest.mark.parametrize("target", ["own operator", "another operator", "auditor"])
def test_no_one_suspends_or_unverifies_the_operator_or_an_auditor(api, operator_admin, target, body):
    organisation = {
        "own operator": operator_admin.organisation,
        "another operator": OrganisationFactory(kind=OrganisationKind.OPERATOR),
        "auditor": OrganisationFactory(kind=OrganisationKind.AUDITOR),
    }[target]
    before = _standing(organisation)

    response = api(operator_admin).post(
        f"/api/v1/organisations/{organisation.public_id}/standing", body, format="json"
    )

    assert response.status_code == 403 and set(response.json()["error"]["fields"]) == {
        "verified",
        "suspended",
    }
    assert _standing(organisation) == before == (VerificationState.VERIFIED, False)
    assert AuditEvent.objects.filter(
        actor_member=operator_admin, action=AuditTag.ORGANISATION_SUSPENDED, outcome=Outcome.DENIED
    ).exists()


def test_after_a_refused_lockout_the_auditor_still_reads_the_log(api, operator_admin):
    auditor = member_make(OrganisationFactory(kind=OrganisationKind.AUDITOR), Role.ANALYST)

    api(operator_admin).post(
        f"/api/v1/organisations/{auditor.organisation.public_id}/standing",
        {"verified": True, "suspended": True},
        format="json",
    )

    assert api(auditor).get("/api/v1/audit").status_code == 200


def test_a_pending_auditor_can_still_be_verified(api, operator_admin):
    auditor = OrganisationFactory(kind=OrganisationKind.AUDITOR, verification=VerificationState.PENDING)

    response = api(operator_admin).post(
        f"/api/v1/organisations/{auditor.public_id}/standing",
        {"verified": True, "suspended": False},
        format="json",
    )

    assert response.status_code == 200 and _standing(auditor) == (VerificationState.VERIFIED, False)


@pytest.mark.parametrize(
    "kind",
    [
        OrganisationKind.PLATFORM,
        OrganisationKind.LOGISTICS,
        OrganisationKind.RIGHTS_OWNER,
        OrganisationKind.COURT,
    ],
)
def test_member_organisations_are_still_suspended_and_reinstated(api, operator_admin, kind):
    organisation = OrganisationFactory(kind=kind)

    suspended = api(operator_admin).post(
        f"/api/v1/organisations/{organisation.public_id}/standing",
        {"verified": True, "suspended": True},
        format="json",
    )
    suspended_standing = _standing(organisation)
    reinstated = api(operator_admin).post(
        f"/api/v1/organisations/{organisation.public_id}/standing",
        {"verified": True, "suspended": False},
        format="json",
    )

    assert suspended.status_code == 200 and suspended_standing == (VerificationState.VERIFIED, True)
    assert reinstated.status_code == 200 and _standing(organisation) == (VerificationState.VERIFIED, False)

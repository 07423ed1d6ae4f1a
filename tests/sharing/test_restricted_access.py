"""check_restricted_access: dual approval is only as strong as "a credential belongs to one person"."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.actors import Actor
from accounts.audit.models import AuditEvent, DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.models import ApiKey, Member
from accounts.roles import OrganisationKind, Role
from sharing.disclosure.services.disclosure_packages import disclosure_package_build
from tests.factories import client_for, disclosure_make, member_make, persona, report_make_accepted

pytestmark = pytest.mark.django_db


def _as_if_minted_by(creator: Member, members: list[Member]) -> None:
    """The historical hole: before the fix `creator` minted these keys, as the migration reads it from the log.
    (Such keys are refused from now on; the approvals they made stay in the log for the checker to find.)"""
    ApiKey.objects.filter(member__in=members).update(created_by=creator)


def _disclosure_approved_by(clients: list[APIClient], brand_reporter, reviewer):
    clerk = persona(OrganisationKind.COURT, Role.ANALYST)
    report = report_make_accepted(brand_reporter, reviewer)
    request = disclosure_make(clerk, report_ids=[str(report.public_id)])
    for client in clients:
        assert client.post(f"/api/v1/disclosure-requests/{request.public_id}/approve").status_code == 200
    disclosure_package_build(request_id=request.pk)
    download = client_for(clerk).get(f"/api/v1/disclosure-requests/{request.public_id}/package")
    assert download.status_code == 200
    return request


def test_the_checker_catches_an_approval_made_with_a_key_minted_by_someone_else(
    brand_reporter, reviewer, capsys
):
    admin = persona(OrganisationKind.OPERATOR, Role.ADMIN)
    officers = [member_make(admin.organisation, Role.DISCLOSURE_OFFICER) for _ in range(2)]
    request = _disclosure_approved_by([client_for(officer) for officer in officers], brand_reporter, reviewer)
    _as_if_minted_by(admin, officers)

    with pytest.raises(CommandError):
        call_command("check_restricted_access")

    errors = capsys.readouterr().err
    approvals = AuditEvent.objects.filter(
        action=AuditTag.DISCLOSURE_APPROVED, object_id=str(request.public_id)
    )
    assert approvals.count() == 2
    for approval in approvals:
        assert f"audit event #{approval.pk} " in errors and f"created by member {admin.public_id}" in errors
    assert f"order {request.public_id} was approved with an API key its officer did not create" in errors


def test_the_checker_trusts_the_audit_log_over_an_edited_creator(brand_reporter, reviewer, capsys):
    admin = persona(OrganisationKind.OPERATOR, Role.ADMIN)
    officers = [member_make(admin.organisation, Role.DISCLOSURE_OFFICER) for _ in range(2)]
    clients = [client_for(officer) for officer in officers]  # created_by says "their own"
    for api_key in ApiKey.objects.filter(member__in=officers):  # but the log says the admin issued them
        audit_record(
            actor=Actor(member=admin),
            tag=AuditTag.API_KEY_ISSUED,
            target=api_key,
            data_class=DataClass.ADMINISTRATIVE,
            details={"member": str(api_key.member.public_id)},
        )
    request = _disclosure_approved_by(clients, brand_reporter, reviewer)

    with pytest.raises(CommandError):
        call_command("check_restricted_access")

    errors = capsys.readouterr().err
    assert errors.count(f"created by member {admin.public_id}") == 2
    assert f"order {request.public_id} was approved with an API key its officer did not create" in errors


def test_the_checker_passes_a_disclosure_approved_with_the_officers_own_keys(
    brand_reporter, reviewer, capsys
):
    admin = persona(OrganisationKind.OPERATOR, Role.ADMIN)
    officers = [member_make(admin.organisation, Role.DISCLOSURE_OFFICER) for _ in range(2)]
    _disclosure_approved_by([client_for(officer) for officer in officers], brand_reporter, reviewer)

    call_command("check_restricted_access")

    assert "rest on approved" in capsys.readouterr().out

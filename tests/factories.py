"""Test factories. Members and keys are made through the services, so the same rules hold."""
from __future__ import annotations

import itertools

import factory
from rest_framework.test import APIClient

from accounts import services
from accounts.models import Member, Organisation, VerificationState
from accounts.roles import OrganisationKind, Role, Scope

_usernames = itertools.count(1)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.PLATFORM
    country = "CN"
    verification = VerificationState.VERIFIED
    suspended = False


def member_make(organisation: Organisation, role: Role | str) -> Member:
    return services.member_create(
        organisation=organisation, username=f"user{next(_usernames)}", role=role, password="pw-for-tests", actor=None
    )


def key_for(member: Member, scopes: list[str] | None = None) -> str:
    _, plaintext = services.api_key_issue(member=member, name="test", scopes=scopes or Scope.values, actor=None)
    return plaintext


def client_for(member: Member, scopes: list[str] | None = None) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(member, scopes)}")
    return client


def persona(kind: OrganisationKind, role: Role, **organisation_fields) -> Member:
    return member_make(OrganisationFactory(kind=kind, **organisation_fields), role)


def seller_identifiers(n: int = 0) -> list[dict]:
    """A valid identifier set for one seller; n varies the phone and email so sellers differ."""
    return [
        {"type": "phone", "value": f"+86 138 0013 {8000 + n:04d}"},
        {"type": "email", "value": f"seller{n}@example.com"},
    ]


def report_body(identifiers: list[dict] | None = None, verification_level: str = "rights_owner_verified") -> dict:
    return {
        "identifiers": identifiers or seller_identifiers(),
        "ip_type": "trademark",
        "category": "counterfeit",
        "verification_level": verification_level,
        "statement": "Test purchase of counterfeit handbags; order attached.",
    }


def report_make(reporter: Member, identifiers: list[dict] | None = None, verification_level: str = "rights_owner_verified"):
    """Submit a report through the service, as the reporter would through the API."""
    from accounts.actors import Actor
    from sharing.api.serializers import ReportSubmitInput
    from sharing.services.reports import report_submit

    payload = ReportSubmitInput(data=report_body(identifiers, verification_level))
    payload.is_valid(raise_exception=True)
    return report_submit(submission=payload.to_submission(), actor=Actor(member=reporter))


def report_make_accepted(reporter: Member, reviewer: Member, identifiers: list[dict] | None = None,
                         verification_level: str = "rights_owner_verified"):
    from accounts.actors import Actor
    from sharing.services.reports import report_accept

    report = report_make(reporter, identifiers, verification_level)
    return report_accept(report=report, reason="evidence checked", actor=Actor(member=reviewer))

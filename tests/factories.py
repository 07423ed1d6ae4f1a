"""Test factories. Members and keys are made through the services, so the same rules hold."""

from __future__ import annotations

import itertools
from datetime import timedelta

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
        organisation=organisation,
        username=f"user{next(_usernames)}",
        role=role,
        password="pw-for-tests",
        actor=None,
    )


def key_for(member: Member, scopes: list[str] | None = None) -> str:
    _, plaintext = services.api_key_issue(
        member=member, name="test", scopes=scopes or Scope.values, actor=None
    )
    return plaintext


def client_for(member: Member, scopes: list[str] | None = None) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(member, scopes)}")
    return client


def totp_code(device, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app would show for this django-otp TOTP device (or a step later).

    django-otp accepts the steps around now (shifted by the drift it learnt) and each step once, so
    the code is the first step not used yet; when that is ahead of the window, wait for it."""
    import time

    from django_otp.oath import TOTP

    now = int((time.time() - device.t0) // device.step) + device.drift
    step = max(now - device.tolerance, device.last_t + 1, now) + steps_ahead
    if step > now + device.tolerance:
        time.sleep(device.t0 + (step - device.drift - device.tolerance) * device.step - time.time() + 0.05)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
    totp.time = device.t0 + step * device.step
    return str(totp.token()).zfill(device.digits)


def totp_device_for(member: Member):
    """A confirmed authenticator for the member, as enrolment leaves it (made by the enrolment service)."""
    from accounts.two_factor import selectors
    from accounts.two_factor import services as two_factor

    device = selectors.totp_device_confirmed(member.user)
    if device is None:
        pending = two_factor.enrolment_device(member)
        device, _ = two_factor.enrolment_confirm(member=member, code=totp_code(pending))
    return device


def web_login(client, member: Member) -> None:
    """Sign a member in on the web; a role that needs a second factor also passes it: a real code from
    its authenticator, checked by django-otp, then the session marked verified as django_otp.login does.
    (tests/accounts/test_two_factor.py walks the code page itself.)"""
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.roles import second_factor_required

    client.force_login(member.user)
    if second_factor_required(member.organisation_kind, member.role):
        device = totp_device_for(member)
        assert device.verify_token(totp_code(device)), "the authenticator's code was refused"
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def persona(kind: OrganisationKind, role: Role, **organisation_fields) -> Member:
    return member_make(OrganisationFactory(kind=kind, **organisation_fields), role)


def seller_identifiers(n: int = 0) -> list[dict]:
    """A valid identifier set for one seller; n varies the phone and email so sellers differ."""
    return [
        {"type": "phone", "value": f"+86 138 0013 {8000 + n:04d}"},
        {"type": "email", "value": f"seller{n}@example.com"},
    ]


def report_body(
    identifiers: list[dict] | None = None, verification_level: str = "rights_owner_verified"
) -> dict:
    return {
        "identifiers": identifiers or seller_identifiers(),
        "ip_type": "trademark",
        "category": "counterfeit",
        "verification_level": verification_level,
        "statement": "Test purchase of counterfeit handbags; order attached.",
        "authenticity_guaranteed": True,
    }


def report_make(
    reporter: Member, identifiers: list[dict] | None = None, verification_level: str = "rights_owner_verified"
):
    """Submit a report through the service, as the reporter would through the API."""
    from accounts.actors import Actor
    from sharing.reports.serializers import ReportSubmitInput
    from sharing.reports.services.reports import report_submit

    payload = ReportSubmitInput(data=report_body(identifiers, verification_level))
    payload.is_valid(raise_exception=True)
    return report_submit(submission=payload.to_submission(), actor=Actor(member=reporter))


def report_make_accepted(
    reporter: Member,
    reviewer: Member,
    identifiers: list[dict] | None = None,
    verification_level: str = "rights_owner_verified",
    decision_verified: bool = False,
):
    from accounts.actors import Actor
    from sharing.reports.services.reports import report_accept

    report = report_make(reporter, identifiers, verification_level)
    return report_accept(
        report=report,
        reason="evidence checked",
        actor=Actor(member=reviewer),
        decision_verified=decision_verified,
    )


def court_key_pair(organisation: Organisation):
    """Give a court an X25519 key pair; returns the private key."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from hubcore.packages import raw_public

    private = X25519PrivateKey.generate()
    Organisation.objects.filter(pk=organisation.pk).update(
        encryption_public_key=raw_public(private.public_key()).hex()
    )
    organisation.refresh_from_db()
    return private


def disclosure_body(report_ids: list[str], fields: list[str] | None = None) -> dict:
    import base64
    from datetime import timedelta

    from django.utils import timezone

    return {
        "case_number": "(2026) Hu 0115 Min Chu 1234",
        "issuing_court": "Shanghai Pudong New Area People's Court",
        "legal_basis": "Civil Procedure Law art. 67; order to produce evidence",
        "scope": {
            "reports": report_ids,
            "fields": fields or ["identifiers", "statement", "evidence", "reporter"],
        },
        "deadline": (timezone.now() + timedelta(days=30)).isoformat(),
        "order_document": {
            "name": "order.pdf",
            "content_type": "application/pdf",
            "content_base64": base64.b64encode(b"%PDF-1.7 court order").decode(),
        },
    }


def disclosure_make(
    clerk: Member | None = None,
    report_ids: list[str] | None = None,
    approvals: int = 0,
    built: bool = False,
    fields: list[str] | None = None,
):
    """A disclosure request filed through the service, optionally approved and built."""
    from accounts.actors import Actor
    from sharing.disclosure.inputs import DisclosureSubmitInput, ScopeInput
    from sharing.disclosure.services import disclosure
    from sharing.disclosure.services.disclosure_packages import disclosure_package_build
    from sharing.reports.services.reports import EvidenceFile

    clerk = clerk or persona(OrganisationKind.COURT, Role.ANALYST)
    if not clerk.organisation.encryption_public_key:
        court_key_pair(clerk.organisation)
    body = disclosure_body(
        report_ids
        if report_ids is not None
        else [str(report_make(persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER)).public_id)],
        fields,
    )
    payload, scope = DisclosureSubmitInput(data=body), ScopeInput(data=body["scope"])
    payload.is_valid(raise_exception=True)
    scope.is_valid(raise_exception=True)
    doc = payload.validated_data["order_document"]
    request = disclosure.disclosure_request_submit(
        case_number=body["case_number"],
        issuing_court=body["issuing_court"],
        legal_basis=body["legal_basis"],
        scope=scope.to_scope(default_country="CN"),
        deadline=payload.validated_data["deadline"],
        order_document=EvidenceFile(doc["name"], doc["content_type"], doc["content_base64"]),
        actor=Actor(member=clerk),
    )
    operator = persona(OrganisationKind.OPERATOR, Role.DISCLOSURE_OFFICER) if approvals else None
    for _ in range(approvals):
        officer = member_make(operator.organisation, Role.DISCLOSURE_OFFICER)
        request = disclosure.disclosure_approve(request=request, actor=Actor(member=officer))
    if built:
        disclosure_package_build(request_id=request.pk)
        request.refresh_from_db()
    return request


def dispute_make(
    filer: Member | None = None, reporter: Member | None = None, n: int = 900, answered: bool = False
):
    """A live report against a seller, and a platform's dispute of it (answered by the reporter when
    `answered`); returns (dispute, identifiers)."""
    from accounts.actors import Actor
    from sharing.due_process.services.disputes import dispute_answer, dispute_file
    from sharing.reports.services.reports import EvidenceFile

    reporter = reporter or persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER)
    filer = filer or persona(OrganisationKind.PLATFORM, Role.ANALYST)
    reviewer = persona(OrganisationKind.OPERATOR, Role.REVIEWER)
    identifiers = seller_identifiers(n)
    report_make_accepted(reporter, reviewer, identifiers)
    dispute = dispute_file(
        identifiers=_raw(identifiers),
        grounds="The seller holds a licence.",
        evidence=[],
        actor=Actor(member=filer),
    )
    if answered:
        dispute = dispute_answer(
            dispute=dispute,
            note="Suit filed.",
            evidence=[EvidenceFile("suit.pdf", "application/pdf", b"%PDF")],
            actor=Actor(member=reporter),
        )
    return dispute, identifiers


def report_make_rejected(
    reporter: Member, reviewer: Member | None = None, identifiers: list[dict] | None = None
):
    """A report the reviewer (a fresh operator reviewer by default) rejected."""
    from accounts.actors import Actor
    from sharing.reports.services.reports import report_reject

    reviewer = reviewer or persona(OrganisationKind.OPERATOR, Role.REVIEWER)
    return report_reject(
        report=report_make(reporter, identifiers), reason="no evidence of use", actor=Actor(member=reviewer)
    )


def report_make_appealed(
    reporter: Member, rejected_by: Member | None = None, identifiers: list[dict] | None = None
):
    """A rejected report its reporter appealed; returns the report."""
    from accounts.actors import Actor
    from sharing.due_process.services.appeals import report_appeal

    report = report_make_rejected(reporter, rejected_by, identifiers)
    report_appeal(report=report, grounds="The evidence was attached late.", actor=Actor(member=reporter))
    return report


def reporting_suspended_make(organisation: Organisation, days: int = 30):
    """Put an organisation's reporting under a misuse suspension, as the rule would after its warning."""
    from django.utils import timezone

    from sharing.reports.services.reputation import standing_of

    standing = standing_of(organisation.pk)
    standing.reporting_suspended_until = timezone.now() + timedelta(days=days)
    standing.suspension_reason = "3 of your 5 accepted reports were overturned (misuse rule)."
    standing.save()
    return standing


def _raw(identifiers: list[dict]):
    from sharing.subjects.services.tokens import RawIdentifier

    return [RawIdentifier(type=i["type"], value=i["value"]) for i in identifiers]


def broker_stand_in(monkeypatch, task, send=None) -> list:
    """Stand in for the broker for one task: each send (hub/tasks_enqueue.py) appends its id to the
    returned list, or calls `send(id)` instead when given."""
    sent: list = []

    def apply_async(args=(), **options):
        sent.extend(args)
        if send is not None:
            send(*args)

    monkeypatch.setattr(task, "apply_async", apply_async)
    return sent


# An odd 3072-bit number: passes the hub's check of a Paillier modulus (size, oddness). Only for
# tests that never encrypt or decrypt; the others make a real key (hubcore.paillier.keypair_generate).
SALES_TOTALS_TEST_MODULUS = (1 << 3071) + 1


def sales_totals_make(
    n: int = SALES_TOTALS_TEST_MODULUS,
    seller: int = 90,
    *,
    requester: Member | None = None,
    contributor: Organisation | None = None,
):
    """A sales totals request on a listed seller, matched by one platform (or `contributor`); the
    requester is a new brand unless given (a court's names a case); returns the request."""
    from datetime import date

    from accounts.actors import Actor
    from sharing.models import SubjectMatch
    from sharing.sales_totals.services.sales_totals import SalesTotalsAsk, sales_totals_request

    requester = requester or persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER)
    court = requester.organisation.kind == OrganisationKind.COURT
    reporter = (
        persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER)
        if court
        else member_make(requester.organisation, Role.REPORTER)
    )
    report = report_make_accepted(
        reporter, persona(OrganisationKind.OPERATOR, Role.REVIEWER), seller_identifiers(seller)
    )
    subject = report.identifiers.exclude(token__subject=None).first().token.subject
    contributor = contributor or persona(OrganisationKind.PLATFORM, Role.ANALYST).organisation
    SubjectMatch.objects.create(organisation=contributor, subject=subject, source="check", reference="t")
    ask = SalesTotalsAsk(
        subject=str(subject.public_id),
        period_start=date(2025, 1, 1),
        period_end=date(2025, 3, 31),
        currency="EUR",
        n=str(n),
        case_reference="(2026) Hu 0115 Min Chu 5" if court else "",
    )
    return sales_totals_request(ask=ask, actor=Actor(member=requester))


def feed_subscribed(member: Member) -> Member:
    """Subscribe the member's organisation to every feed collection it reads, for the first purpose its
    kind allows (purpose limitation: a collection is served only then; tests/sharing/test_purposes.py)."""
    from accounts.actors import Actor
    from accounts.purposes import organisation_purposes
    from sharing.feed.services.audiences import collections_for
    from sharing.feed.services.subscriptions import feed_subscribe

    purposes = organisation_purposes(member.organisation)
    for collection in collections_for(Actor(member=member)) if purposes else []:
        purpose = purposes[0]
        feed_subscribe(collection_id=collection.id, purpose=purpose, actor=Actor(member=member))
    return member

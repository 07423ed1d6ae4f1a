"""Walk the whole role matrix: every endpoint × every organisation kind and role.

Allowed → the endpoint's success status; denied → 403. Organisations that are
unverified or suspended get 403 everywhere. The expected answer comes from
ROLE_CAPABILITIES, the same table the permission class reads.

Every method is walked: HEAD as GET through the whole matrix; OPTIONS, methods a
route does not offer and unknown verbs get 403 without a capability of the route and
405 with one, running nothing; without a valid key every method of every route is 401.
"""

from __future__ import annotations

import dataclasses
import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from accounts.audit.models import AuditEvent, Outcome
from accounts.models import Member, VerificationState
from accounts.purposes import organisation_purposes
from accounts.roles import ROLE_CAPABILITIES, Capability, OrganisationKind, Role
from tests.factories import (
    OrganisationFactory,
    client_for,
    key_for,
    member_make,
    persona,
    report_body,
    report_make,
    report_make_accepted,
)


@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str  # the URL name, so a new route without a matrix entry fails the test below
    method: str
    capability: Capability
    success: int
    url: Callable[[Member], str]
    body: Callable[[Member], dict | None] = lambda member: None


def _own_report_url(member: Member, suffix: str = "") -> str:
    """A report of the caller's own organisation when it can have one; a random id otherwise."""
    kinds_with_reporters = {k for (k, r) in ROLE_CAPABILITIES if r == Role.REPORTER}
    if member.organisation.kind in kinds_with_reporters and member.organisation.in_good_standing:
        report = report_make(member_make(member.organisation, Role.REPORTER))
        return f"/api/v1/reports/{report.public_id}{suffix}"
    return f"/api/v1/reports/{uuid.uuid4()}{suffix}"


def _pending_report_url(suffix: str) -> str:
    reporter = persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER)
    return f"/api/v1/reports/{report_make(reporter).public_id}{suffix}"


def _other_key_url(member: Member) -> str:
    from accounts.models import ApiKey

    key_for(member)
    return f"/api/v1/api-keys/{ApiKey.objects.filter(member=member).latest('id').public_id}/revoke"


def _own_invitation_url(member: Member) -> str:
    from accounts.invitations.services import invitation_create

    invitation, _ = invitation_create(
        email=f"{uuid.uuid4().hex}@example.com", role="admin", organisation=member.organisation, actor=None
    )
    return f"/api/v1/invitations/{invitation.public_id}/revoke"


def _colleague_url(member: Member, action: str) -> str:
    """Another admin of the caller's organisation (every kind has admins), so the last-admin rule holds."""
    return f"/api/v1/members/{member_make(member.organisation, Role.ADMIN).public_id}/{action}"


def _alert_url(suffix: str) -> str:
    from accounts.audit.services import alert_raise

    alert = alert_raise(kind="test", organisation=None, dedupe_key=str(uuid.uuid4()), details={})
    return f"/api/v1/alerts/{alert.public_id}/{suffix}"


def _blinded_element() -> str:
    from hubcore.oprf import blind

    return blind(b"phone\x00+8613800138000")[1].hex()


def _court_request_url(member: Member, suffix: str = "", **kwargs) -> str:
    """A request the member may act on: its own court's, or (for others) some court's."""
    from tests.factories import disclosure_make

    own_court = member.organisation.kind == OrganisationKind.COURT and member.organisation.in_good_standing
    clerk = member_make(member.organisation, Role.ANALYST) if own_court else None
    return f"/api/v1/disclosure-requests/{disclosure_make(clerk, **kwargs).public_id}{suffix}"


def _foreign_court_request_url(member: Member, suffix: str) -> str:
    """An order of a court outside the data's jurisdiction: one that needs the authority's approval."""
    from tests.factories import disclosure_make

    clerk = persona(OrganisationKind.COURT, Role.ANALYST, country="HK", jurisdiction="HK")
    return f"/api/v1/disclosure-requests/{disclosure_make(clerk).public_id}{suffix}"


AUTHORITY_APPROVAL = {
    "authority": "Ministry of Justice of the People's Republic of China",
    "reference": "MOJ-JA-2026-0042",
    "decided_on": "2026-11-20",
    "document": {"name": "approval.pdf", "content_base64": "JVBERi0xLjcKJSBhcHByb3ZhbAo="},
}


def _court_with_key(member: Member) -> dict:
    from tests.factories import court_key_pair, disclosure_body

    court_key_pair(member.organisation)
    return disclosure_body([str(uuid.uuid4())], ["statement"])


def _purpose_of(member: Member) -> str:
    """A purpose the member's organisation may state (its kind's first), so every kind that may screen
    is walked; a kind that may state none is refused by capability before its purpose is read."""
    return next(iter(organisation_purposes(member.organisation)), "seller_onboarding")


ENDPOINTS = [
    Endpoint(
        "check",
        "check-run",
        "post",
        Capability.CHECK_RUN,
        200,
        lambda m: "/api/v1/checks",
        lambda m: {
            "purpose": _purpose_of(m),
            "identifiers": [{"type": "phone", "value": "+8613800138000"}],
        },
    ),
    Endpoint(
        "check-batch",
        "check-batch",
        "post",
        Capability.CHECK_RUN,
        200,
        lambda m: "/api/v1/checks/batch",
        lambda m: {
            "purpose": _purpose_of(m),
            "sellers": [{"identifiers": [{"type": "phone", "value": "+8613800138000"}]}],
        },
    ),
    Endpoint(
        "report-submit",
        "reports",
        "post",
        Capability.REPORT_SUBMIT,
        201,
        lambda m: "/api/v1/reports",
        lambda m: report_body(),
    ),
    Endpoint("report-list", "reports", "get", Capability.REPORT_READ, 200, lambda m: "/api/v1/reports"),
    Endpoint(
        "report-detail", "report-detail", "get", Capability.REPORT_READ, 200, lambda m: _own_report_url(m)
    ),
    Endpoint(
        "report-retract",
        "report-retract",
        "post",
        Capability.REPORT_RETRACT,
        200,
        lambda m: _own_report_url(m, "/retract"),
    ),
    Endpoint(
        "review-queue",
        "review-reports",
        "get",
        Capability.REPORT_REVIEW,
        200,
        lambda m: "/api/v1/review/reports",
    ),
    Endpoint(
        "report-accept",
        "report-accept",
        "post",
        Capability.REPORT_REVIEW,
        200,
        lambda m: _pending_report_url("/accept"),
        lambda m: {"reason": "evidence checked"},
    ),
    Endpoint(
        "report-reject",
        "report-reject",
        "post",
        Capability.REPORT_REVIEW,
        200,
        lambda m: _pending_report_url("/reject"),
        lambda m: {"reason": "no evidence of infringement"},
    ),
    Endpoint("audit-list", "audit-events", "get", Capability.AUDIT_READ, 200, lambda m: "/api/v1/audit"),
    Endpoint(
        "organisation-own",
        "organisation-own",
        "get",
        Capability.ORGANISATION_READ,
        200,
        lambda m: "/api/v1/organisation",
    ),
    Endpoint(
        "organisations-list",
        "organisations",
        "get",
        Capability.ORGANISATION_ADMIN,
        200,
        lambda m: "/api/v1/organisations",
    ),
    Endpoint(
        "organisation-create",
        "organisations",
        "post",
        Capability.ORGANISATION_ADMIN,
        201,
        lambda m: "/api/v1/organisations",
        lambda m: {"name": f"New org {uuid.uuid4()}", "kind": "platform", "country": "CN"},
    ),
    Endpoint(
        "organisation-standing",
        "organisation-standing",
        "post",
        Capability.ORGANISATION_ADMIN,
        200,
        lambda m: f"/api/v1/organisations/{OrganisationFactory().public_id}/standing",
        lambda m: {"verified": True, "suspended": True},
    ),
    Endpoint("api-key-list", "api-keys", "get", Capability.APIKEY_MANAGE, 200, lambda m: "/api/v1/api-keys"),
    Endpoint(
        "api-key-issue",
        "api-keys",
        "post",
        Capability.APIKEY_MANAGE,
        201,
        lambda m: "/api/v1/api-keys",
        lambda m: {"name": "ci", "scopes": ["keys"]},
    ),
    Endpoint("api-key-revoke", "api-key-revoke", "post", Capability.APIKEY_MANAGE, 200, _other_key_url),
    Endpoint(
        "invitation-list",
        "invitations",
        "get",
        Capability.MEMBER_MANAGE,
        200,
        lambda m: "/api/v1/invitations",
    ),
    Endpoint(
        "invitation-create",
        "invitations",
        "post",
        Capability.MEMBER_MANAGE,
        201,
        lambda m: "/api/v1/invitations",
        lambda m: {"email": f"{uuid.uuid4().hex}@example.com", "role": "admin"},
    ),
    Endpoint(
        "invitation-revoke", "invitation-revoke", "post", Capability.MEMBER_MANAGE, 200, _own_invitation_url
    ),
    Endpoint("member-list", "members", "get", Capability.MEMBER_MANAGE, 200, lambda m: "/api/v1/members"),
    Endpoint(
        "member-deactivate",
        "member-deactivate",
        "post",
        Capability.MEMBER_MANAGE,
        200,
        lambda m: _colleague_url(m, "deactivate"),
        lambda m: {"reason": "left the company"},
    ),
    Endpoint(
        "member-reactivate",
        "member-reactivate",
        "post",
        Capability.MEMBER_MANAGE,
        200,
        lambda m: _colleague_url(m, "reactivate"),
        lambda m: {"reason": "back from leave"},
    ),
    Endpoint(
        "tokens-evaluate",
        "tokens-evaluate",
        "post",
        Capability.TOKEN_EVALUATE,
        200,
        lambda m: "/api/v1/tokens/evaluate",
        lambda m: {"blinded_elements": [_blinded_element()]},
    ),
    Endpoint(
        "canary-plant",
        "canaries",
        "post",
        Capability.CANARY_PLANT,
        201,
        lambda m: "/api/v1/canaries",
        lambda m: {"identifiers": [{"type": "phone", "value": "+8613900000001"}], "label": "range trap"},
    ),
    Endpoint("alert-list", "alerts", "get", Capability.AUDIT_READ, 200, lambda m: "/api/v1/alerts"),
    Endpoint(
        "alert-acknowledge",
        "alert-acknowledge",
        "post",
        Capability.ALERT_HANDLE,
        200,
        lambda m: _alert_url("acknowledge"),
        lambda m: {"reason": "looking into it"},
    ),
    Endpoint(
        "alert-resolve",
        "alert-resolve",
        "post",
        Capability.ALERT_HANDLE,
        200,
        lambda m: _alert_url("resolve"),
        lambda m: {"reason": "benign bulk onboarding"},
    ),
    Endpoint(
        "encryption-key",
        "organisation-encryption-key",
        "put",
        Capability.ENCRYPTION_KEY_SET,
        200,
        lambda m: "/api/v1/organisation/encryption-key",
        lambda m: {"public_key": "5a" * 32},
    ),
    Endpoint(
        "disclosure-list",
        "disclosure-requests",
        "get",
        Capability.DISCLOSURE_READ,
        200,
        lambda m: "/api/v1/disclosure-requests",
    ),
    Endpoint(
        "disclosure-submit",
        "disclosure-requests",
        "post",
        Capability.DISCLOSURE_REQUEST,
        201,
        lambda m: "/api/v1/disclosure-requests",
        _court_with_key,
    ),
    Endpoint(
        "disclosure-detail",
        "disclosure-detail",
        "get",
        Capability.DISCLOSURE_READ,
        200,
        lambda m: _court_request_url(m),
    ),
    Endpoint(
        "disclosure-approve",
        "disclosure-approve",
        "post",
        Capability.DISCLOSURE_APPROVE,
        200,
        lambda m: _court_request_url(m, "/approve"),
    ),
    Endpoint(
        "disclosure-authority-approval",
        "disclosure-authority-approval",
        "post",
        Capability.DISCLOSURE_APPROVE,
        201,
        lambda m: _foreign_court_request_url(m, "/authority-approval"),
        lambda m: AUTHORITY_APPROVAL,
    ),
    Endpoint(
        "disclosure-reject",
        "disclosure-reject",
        "post",
        Capability.DISCLOSURE_APPROVE,
        200,
        lambda m: _court_request_url(m, "/reject"),
        lambda m: {"reason": "order does not name the hub"},
    ),
    Endpoint(
        "disclosure-narrow",
        "disclosure-narrow",
        "post",
        Capability.DISCLOSURE_APPROVE,
        200,
        lambda m: _court_request_url(m, "/narrow", fields=["statement", "identifiers"]),
        lambda m: {"reason": "identifiers only", "scope": {"fields": ["identifiers"]}},
    ),
    Endpoint(
        "disclosure-withdraw",
        "disclosure-withdraw",
        "post",
        Capability.DISCLOSURE_REQUEST,
        200,
        lambda m: _court_request_url(m, "/withdraw"),
    ),
    Endpoint(
        "disclosure-document",
        "disclosure-document",
        "get",
        Capability.DISCLOSURE_READ,
        200,
        lambda m: _court_request_url(m, "/order-document"),
    ),
    Endpoint(
        "disclosure-package",
        "disclosure-package",
        "get",
        Capability.DISCLOSURE_DOWNLOAD,
        200,
        lambda m: _court_request_url(m, "/package", approvals=2, built=True),
    ),
]


def _checkpointed(path: str) -> str:
    from accounts.audit.checkpoints import checkpoint_create

    checkpoint_create(force=True)
    return path


ENDPOINTS += [
    Endpoint(
        "checkpoint-latest",
        "audit-checkpoint-latest",
        "get",
        Capability.AUDIT_READ,
        200,
        lambda m: _checkpointed("/api/v1/audit/checkpoints/latest"),
    ),
    Endpoint(
        "proof-inclusion",
        "audit-proof-inclusion",
        "get",
        Capability.AUDIT_READ,
        200,
        lambda m: "/api/v1/audit/proofs/inclusion?index=0&size=1",
    ),
    Endpoint(
        "proof-consistency",
        "audit-proof-consistency",
        "get",
        Capability.AUDIT_READ,
        200,
        lambda m: "/api/v1/audit/proofs/consistency?first=1&second=2",
    ),
]

_seller_numbers = iter(range(1000, 9999))


def _reporter_of(member: Member) -> Member | None:
    """A reporter of the member's own organisation, when its kind reports and it is in good standing."""
    kinds_with_reporters = {k for (k, r) in ROLE_CAPABILITIES if r == Role.REPORTER}
    if member.organisation.kind in kinds_with_reporters and member.organisation.in_good_standing:
        return member_make(member.organisation, Role.REPORTER)
    return None


def _own_accepted_report_url(member: Member, suffix: str) -> str:
    from tests.factories import report_make_accepted

    reporter = _reporter_of(member)
    if reporter is None:
        return f"/api/v1/reports/{uuid.uuid4()}{suffix}"
    reviewer = persona(OrganisationKind.OPERATOR, Role.REVIEWER)
    report = report_make_accepted(
        reporter, reviewer, [{"type": "phone", "value": f"+86 137 0000 {next(_seller_numbers)}"}]
    )
    return f"/api/v1/reports/{report.public_id}{suffix}"


def _own_rejected_report_url(member: Member) -> str:
    from tests.factories import report_make_rejected

    reporter = _reporter_of(member)
    report_id = report_make_rejected(reporter).public_id if reporter else uuid.uuid4()
    return f"/api/v1/reports/{report_id}/appeal"


def _appealed_report_url(suffix: str) -> str:
    """Rejected by a reviewer of its own (never the caller), so any reviewer may decide the appeal."""
    from tests.factories import report_make_appealed

    report = report_make_appealed(persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER))
    return f"/api/v1/reports/{report.public_id}{suffix}"


def _suspended_organisation_url(suffix: str) -> str:
    from tests.factories import reporting_suspended_make

    organisation = OrganisationFactory(kind="rights_owner")
    reporting_suspended_make(organisation)
    return f"/api/v1/organisations/{organisation.public_id}{suffix}"


def _dispute_url(member: Member, suffix: str = "") -> str:
    """A dispute the member is party to: filed by its platform, or against its organisation's report."""
    from tests.factories import dispute_make

    answering = suffix in ("/answer", "/pause")  # the answer and a pause come from the reporting side
    files_disputes = Capability.DISPUTE_FILE in ROLE_CAPABILITIES.get(
        (member.organisation.kind, Role.ANALYST), ()
    )
    own_filer = files_disputes and member.organisation.in_good_standing and not answering
    filer = member_make(member.organisation, Role.ANALYST) if own_filer else None
    reporter = None if own_filer else _reporter_of(member)
    dispute, _ = dispute_make(
        filer=filer, reporter=reporter, n=next(_seller_numbers), answered=suffix == "/decide"
    )
    return f"/api/v1/disputes/{dispute.public_id}{suffix}"


def _disputable_seller(member: Member) -> dict:
    from tests.factories import report_make_accepted

    reporter = persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER)
    seller = [{"type": "phone", "value": f"+86 136 0000 {next(_seller_numbers)}"}]
    report_make_accepted(reporter, persona(OrganisationKind.OPERATOR, Role.REVIEWER), seller)
    return {"identifiers": seller, "grounds": "The seller is the brand's licensee."}


_EVIDENCE = [{"name": "complaint.pdf", "content_base64": "JVBERi0xLjc="}]
_POLICY = {
    "strikes": 2,
    "window_months": 12,
    "one_strike_verification_levels": ["court_judgment"],
    "one_strike_categories": ["counterfeit"],
}

ENDPOINTS += [
    Endpoint(
        "report-renew",
        "report-renew",
        "post",
        Capability.REPORT_SUBMIT,
        200,
        lambda m: _own_accepted_report_url(m, "/renew"),
    ),
    Endpoint("dispute-list", "disputes", "get", Capability.DISPUTE_READ, 200, lambda m: "/api/v1/disputes"),
    Endpoint(
        "dispute-file",
        "disputes",
        "post",
        Capability.DISPUTE_FILE,
        201,
        lambda m: "/api/v1/disputes",
        _disputable_seller,
    ),
    Endpoint(
        "dispute-detail", "dispute-detail", "get", Capability.DISPUTE_READ, 200, lambda m: _dispute_url(m)
    ),
    Endpoint(
        "dispute-answer",
        "dispute-answer",
        "post",
        Capability.DISPUTE_RESPOND,
        200,
        lambda m: _dispute_url(m, "/answer"),
        lambda m: {"note": "Suit filed at the IP court.", "evidence": _EVIDENCE},
    ),
    Endpoint(
        "dispute-decide",
        "dispute-decide",
        "post",
        Capability.DISPUTE_DECIDE,
        200,
        lambda m: _dispute_url(m, "/decide"),
        lambda m: {"outcome": "upheld", "reason": "the complaint was filed"},
    ),
    Endpoint(
        "dispute-decide-urgently",
        "dispute-decide-urgently",
        "post",
        Capability.DISPUTE_DECIDE,
        200,
        lambda m: _dispute_url(m, "/decide-urgently"),
        lambda m: {"outcome": "overturned", "reason": "a court order"},
    ),
    Endpoint(
        "dispute-pause",
        "dispute-pause",
        "post",
        Capability.DISPUTE_RESPOND,
        200,
        lambda m: _dispute_url(m, "/pause"),
        lambda m: {"working_days": 3, "reason": "The complaint is being notarised."},
    ),
    Endpoint(
        "notifications",
        "notifications",
        "get",
        Capability.ORGANISATION_READ,
        200,
        lambda m: "/api/v1/notifications",
    ),
    Endpoint(
        "reputation-own", "reputation-own", "get", Capability.REPORT_READ, 200, lambda m: "/api/v1/reputation"
    ),
    Endpoint("outcomes", "outcomes", "get", Capability.REPORT_READ, 200, lambda m: "/api/v1/outcomes"),
    Endpoint("statistics", "statistics", "get", Capability.REPORT_READ, 200, lambda m: "/api/v1/statistics"),
    Endpoint(
        "records-of-processing",
        "records-of-processing",
        "get",
        Capability.AUDIT_READ,
        200,
        lambda m: "/api/v1/records-of-processing",
    ),
    Endpoint(
        "reputation-override",
        "reputation-override",
        "post",
        Capability.REPUTATION_OVERRIDE,
        200,
        lambda m: f"/api/v1/organisations/{OrganisationFactory(kind='rights_owner').public_id}/reputation",
        lambda m: {"override": "grant", "reason": "long record with the previous hub"},
    ),
    Endpoint(
        "reputation-read",
        "reputation-override",
        "get",
        Capability.REPUTATION_READ_ANY,
        200,
        lambda m: f"/api/v1/organisations/{OrganisationFactory(kind='platform').public_id}/reputation",
    ),
    Endpoint(
        "suspension-lift",
        "reporting-suspension-lift",
        "post",
        Capability.REPUTATION_OVERRIDE,
        200,
        lambda m: _suspended_organisation_url("/reporting-suspension/lift"),
        lambda m: {"reason": "record reviewed"},
    ),
    Endpoint(
        "report-appeal",
        "report-appeal",
        "post",
        Capability.REPORT_SUBMIT,
        201,
        lambda m: _own_rejected_report_url(m),
        lambda m: {"grounds": "The evidence was attached late."},
    ),
    Endpoint(
        "report-appeal-decide",
        "report-appeal-decide",
        "post",
        Capability.REPORT_REVIEW,
        200,
        lambda m: _appealed_report_url("/appeal/decide"),
        lambda m: {"outcome": "refused", "reason": "still no evidence"},
    ),
    Endpoint(
        "policy-read",
        "organisation-policy",
        "get",
        Capability.CHECK_RUN,
        200,
        lambda m: "/api/v1/organisation/policy",
    ),
    Endpoint(
        "policy-set",
        "organisation-policy",
        "put",
        Capability.POLICY_MANAGE,
        200,
        lambda m: "/api/v1/organisation/policy",
        lambda m: _POLICY,
    ),
]


def _screening_admin_of(member: Member):
    """An acting admin of the member's own organisation, when its kind watches sellers and it is in good standing."""
    from accounts.actors import Actor

    if (
        member.organisation.kind,
        Role.ADMIN,
    ) not in ROLE_CAPABILITIES or not member.organisation.in_good_standing:
        return None
    admin = Actor(member=member_make(member.organisation, Role.ADMIN))
    return admin if admin.can(Capability.WEBHOOK_MANAGE) else None


def _own_watch_entry_url(member: Member) -> str:
    from sharing.subjects.services.tokens import RawIdentifier
    from sharing.watchlists.services.watchlists import watchlist_add

    admin = _screening_admin_of(member)
    if admin is None:
        return f"/api/v1/watchlist/{uuid.uuid4()}"
    seller = [RawIdentifier(type="phone", value=f"+86 135 0000 {next(_seller_numbers)}")]
    return f"/api/v1/watchlist/{watchlist_add(purpose=_purpose_of(admin.member), identifiers=seller, ref='seller-1', actor=admin)[0].public_id}"


def _own_webhook_url(member: Member, suffix: str = "") -> str:
    from sharing.watchlists.services.webhooks import webhook_register

    admin = _screening_admin_of(member)
    if admin is None:
        return f"/api/v1/webhooks/{uuid.uuid4()}{suffix}"
    return f"/api/v1/webhooks/{webhook_register(url='http://127.0.0.1:9/hook', actor=admin)[0].public_id}{suffix}"


ENDPOINTS += [
    Endpoint(
        "watchlist-list", "watchlist", "get", Capability.WATCHLIST_MANAGE, 200, lambda m: "/api/v1/watchlist"
    ),
    Endpoint(
        "watchlist-add",
        "watchlist",
        "post",
        Capability.WATCHLIST_MANAGE,
        201,
        lambda m: "/api/v1/watchlist",
        lambda m: {
            "identifiers": [{"type": "phone", "value": f"+86 135 0000 {next(_seller_numbers)}"}],
            "ref": "s-1",
            "purpose": _purpose_of(m),
        },
    ),
    Endpoint(
        "watchlist-remove",
        "watchlist-entry",
        "delete",
        Capability.WATCHLIST_MANAGE,
        204,
        _own_watch_entry_url,
    ),
    Endpoint(
        "watchlist-restate",
        "watchlist-entry",
        "patch",
        Capability.WATCHLIST_MANAGE,
        200,
        _own_watch_entry_url,
        lambda m: {"purpose": _purpose_of(m)},
    ),
    Endpoint("webhook-list", "webhooks", "get", Capability.WEBHOOK_MANAGE, 200, lambda m: "/api/v1/webhooks"),
    Endpoint(
        "webhook-register",
        "webhooks",
        "post",
        Capability.WEBHOOK_MANAGE,
        201,
        lambda m: "/api/v1/webhooks",
        lambda m: {"url": "http://127.0.0.1:9/hook"},
    ),
    Endpoint(
        "webhook-remove",
        "webhook-detail",
        "delete",
        Capability.WEBHOOK_MANAGE,
        204,
        lambda m: _own_webhook_url(m),
    ),
    Endpoint(
        "webhook-deliveries",
        "webhook-deliveries",
        "get",
        Capability.WEBHOOK_MANAGE,
        200,
        lambda m: _own_webhook_url(m, "/deliveries"),
    ),
]

_application_numbers = iter(range(10_000, 99_999))


def application_make() -> object:
    """A pending application with its name and number its own (no other open one holds them)."""
    from accounts.admission.services import Applicant, DocumentUpload, application_submit
    from accounts.roles import OrganisationKind as Kind

    n = next(_application_numbers)
    application, _ = application_submit(
        applicant=Applicant(
            legal_name=f"Applicant {n} Ltd",
            kind=Kind.PLATFORM,
            country="GB",
            registration_number=f"GB{n}",
            contact_name="A. Contact",
            contact_email=f"applicant{n}@example.com",
            terms_version="2026-11",
        ),
        documents=[DocumentUpload("licence.pdf", "application/pdf", b"%PDF-1.7 licence")],
    )
    return application


def _application_url(suffix: str = "") -> str:
    return f"/api/v1/review/organisation-applications/{application_make().public_id}{suffix}"


def _application_document_url(member: Member) -> str:
    application = application_make()
    document = application.documents.get()
    return f"/api/v1/review/organisation-applications/{application.public_id}/documents/{document.public_id}"


ENDPOINTS += [
    Endpoint(
        "applications-queue",
        "review-applications",
        "get",
        Capability.ORGANISATION_ADMIN,
        200,
        lambda m: "/api/v1/review/organisation-applications",
    ),
    Endpoint(
        "application-detail",
        "review-application-detail",
        "get",
        Capability.ORGANISATION_ADMIN,
        200,
        lambda m: _application_url(),
    ),
    Endpoint(
        "application-verify",
        "review-application-verify",
        "post",
        Capability.ORGANISATION_ADMIN,
        200,
        lambda m: _application_url("/verify"),
        lambda m: {"reason": "licence checked"},
    ),
    Endpoint(
        "application-reject",
        "review-application-reject",
        "post",
        Capability.ORGANISATION_ADMIN,
        200,
        lambda m: _application_url("/reject"),
        lambda m: {"reason": "not a platform"},
    ),
    Endpoint(
        "application-request-documents",
        "review-application-request-documents",
        "post",
        Capability.ORGANISATION_ADMIN,
        200,
        lambda m: _application_url("/request-documents"),
        lambda m: {"reason": "a recent registry extract"},
    ),
    Endpoint(
        "application-document",
        "review-application-document",
        "get",
        Capability.ORGANISATION_ADMIN,
        200,
        _application_document_url,
    ),
]

# Routes open to anyone, by design: the methods each offers, and its answer to one of them sent
# with no body (the hub's public keys; organisations applying to join, and adding documents).
PUBLIC_ROUTES: dict[str, tuple[frozenset[str], int]] = {
    "hub-keys": (frozenset({"GET", "HEAD"}), 200),
    "organisation-apply": (frozenset({"POST"}), 400),
    "organisation-application-documents-add": (frozenset({"POST"}), 400),
}


def api_route_patterns() -> list:
    """Every route of the API's URL maps, the included ones (accounts/admission/api_urls.py) and the
    TAXII feed's (sharing/feed/api_urls.py) too."""
    from django.urls import URLResolver

    from accounts.api.urls import urlpatterns as accounts_routes
    from sharing.feed.api_urls import urlpatterns as feed_routes
    from sharing.urls import urlpatterns as sharing_routes

    def flat(patterns) -> list:
        return [p for q in patterns for p in (flat(q.url_patterns) if isinstance(q, URLResolver) else [q])]

    return flat([*accounts_routes, *sharing_routes, *feed_routes])


KIND_ROLES = sorted(ROLE_CAPABILITIES, key=lambda kr: (kr[0].value, kr[1].value))


def _call(member: Member, endpoint: Endpoint):
    url, body = endpoint.url(member), endpoint.body(member)
    return getattr(client_for(member), endpoint.method)(url, body, format="json")


def test_every_api_route_is_in_the_matrix():
    routes = {p.name for p in api_route_patterns()}

    assert routes == {e.route for e in ENDPOINTS} | set(PUBLIC_ROUTES)


@pytest.mark.django_db
def test_the_hub_keys_are_public(client):
    response = client.get("/api/v1/keys")

    assert response.status_code == 200 and len(bytes.fromhex(response.json()["signing_public_key"])) == 32


@pytest.mark.django_db
@pytest.mark.parametrize("kind,role", KIND_ROLES, ids=lambda v: v.value)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_role_matrix(kind, role, endpoint):
    member = persona(kind, role)
    allowed = endpoint.capability in ROLE_CAPABILITIES[(kind, role)]

    response = _call(member, endpoint)

    assert response.status_code == (endpoint.success if allowed else 403), response.content
    if not allowed:
        assert AuditEvent.objects.filter(actor_member=member, outcome=Outcome.DENIED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("standing", ["unverified", "suspended"])
@pytest.mark.parametrize("kind,role", KIND_ROLES, ids=lambda v: v.value)
def test_organisations_not_in_good_standing_get_403_everywhere(kind, role, standing):
    organisation = OrganisationFactory(
        kind=kind,
        verification=VerificationState.PENDING if standing == "unverified" else VerificationState.VERIFIED,
        suspended=standing == "suspended",
    )
    member = member_make(organisation, role)

    statuses = {endpoint.name: _call(member, endpoint).status_code for endpoint in ENDPOINTS}

    assert set(statuses.values()) == {403}, statuses


@pytest.mark.django_db
def test_a_key_without_the_scope_is_refused_even_when_the_role_allows():
    analyst = persona(OrganisationKind.PLATFORM, Role.ANALYST)
    client = client_for(analyst, scopes=["report"])

    response = client.post(
        "/api/v1/checks",
        {"purpose": "seller_onboarding", "identifiers": [{"type": "phone", "value": "+8613800138000"}]},
        format="json",
    )

    assert response.status_code == 403


def _own_bulk_job_url(member: Member, suffix: str = "", finished: bool = False) -> str:
    """A bulk job of the member's own organisation when its kind screens in bulk; a random id otherwise."""
    import io

    from accounts.actors import Actor
    from sharing.bulk.services.bulk import bulk_chunk_process, bulk_submit
    from sharing.models import BulkChunk

    runner = (
        member_make(member.organisation, Role.ANALYST)
        if (member.organisation.kind, Role.ANALYST) in ROLE_CAPABILITIES
        else None
    )
    if (
        runner is None
        or not member.organisation.in_good_standing
        or not Actor(member=runner).can(Capability.BULK_RUN)
    ):
        return f"/api/v1/bulk-checks/{uuid.uuid4()}{suffix}"
    job = bulk_submit(
        purpose=_purpose_of(runner),
        upload=io.BytesIO(b"ref,phone\nseller-1,+86 138 0013 8000\n"),
        actor=Actor(member=runner),
    )
    for chunk in BulkChunk.objects.filter(job=job) if finished else []:
        bulk_chunk_process(chunk_id=chunk.pk)
    return f"/api/v1/bulk-checks/{job.public_id}{suffix}"


ENDPOINTS += [
    # The matrix client sends JSON, so an allowed caller gets past the permission check to the
    # 400 for the missing file (denied ones get 403); tests/sharing/test_bulk.py uploads real files.
    Endpoint(
        "bulk-submit",
        "bulk-checks",
        "post",
        Capability.BULK_RUN,
        400,
        lambda m: "/api/v1/bulk-checks",
        lambda m: {},
    ),
    Endpoint(
        "bulk-detail", "bulk-check-detail", "get", Capability.BULK_RUN, 200, lambda m: _own_bulk_job_url(m)
    ),
    Endpoint(
        "bulk-cancel",
        "bulk-check-cancel",
        "post",
        Capability.BULK_RUN,
        200,
        lambda m: _own_bulk_job_url(m, "/cancel"),
    ),
    Endpoint(
        "bulk-results",
        "bulk-check-results",
        "get",
        Capability.BULK_RUN,
        200,
        lambda m: _own_bulk_job_url(m, "/results", finished=True),
    ),
]


def _matched_subject(member: Member) -> tuple[str, str]:
    """A listed seller the member's organisation matched: (the check id that matched it, its indicator)."""
    from sharing.models import FeedObjectVersion, MatchSource, SubjectMatch

    reviewer = persona(OrganisationKind.OPERATOR, Role.REVIEWER)
    n = uuid.uuid4().int % 9000
    identifiers = [{"type": "phone", "value": f"+86 139 0013 {n:04d}"}]
    report_make_accepted(persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER), reviewer, identifiers)
    subject_pk = FeedObjectVersion.objects.filter(subject_pk__isnull=False).latest("sequence").subject_pk
    check_id = str(uuid.uuid4())
    SubjectMatch.objects.create(
        organisation=member.organisation, subject_id=subject_pk, source=MatchSource.CHECK, reference=check_id
    )
    indicator = FeedObjectVersion.objects.filter(subject_pk=subject_pk).latest("sequence").stix_id
    return check_id, indicator


def _sighting_of_a_match(member: Member) -> dict:
    from sharing.feed.services.content import FEEDBACK_EXTENSION_ID

    _, indicator = _matched_subject(member)
    return {
        "type": "sighting",
        "spec_version": "2.1",
        "sighting_of_ref": indicator,
        "extensions": {
            FEEDBACK_EXTENSION_ID: {"extension_type": "property-extension", "x_iih_outcome": "false_positive"}
        },
    }


# Feedback from recipients (sharing/feedback/): on what the member's own screening matched.
ENDPOINTS += [
    Endpoint(
        "feedback-record",
        "feedback",
        "post",
        Capability.FEEDBACK_RECORD,
        201,
        lambda m: "/api/v1/feedback",
        lambda m: {"check_id": _matched_subject(m)[0], "outcome": "acted", "action": "blocked"},
    ),
    Endpoint(
        "feedback-list", "feedback", "get", Capability.FEEDBACK_RECORD, 200, lambda m: "/api/v1/feedback"
    ),
    Endpoint(
        "feedback-sighting",
        "feedback-sightings",
        "post",
        Capability.FEEDBACK_RECORD,
        201,
        lambda m: "/api/v1/feedback/sightings",
        _sighting_of_a_match,
    ),
    # Parcel events (sharing/parcels/): couriers' admins, analysts and reporters record and list their own.
    Endpoint(
        "parcel-event-record",
        "parcel-events",
        "post",
        Capability.PARCEL_RECORD,
        201,
        lambda m: "/api/v1/parcel-events",
        lambda m: {
            "kind": "seized",
            "occurred_at": "2026-01-05T10:00:00Z",
            "origin_region": "CN-GD",
            "category": "counterfeit",
            "identifiers": [
                {"type": "courier_sender_account", "value": "sf:gang01"},
                {"type": "waybill", "value": "sf:SF1234567890123"},
            ],
        },
    ),
    Endpoint(
        "parcel-events-list",
        "parcel-events",
        "get",
        Capability.PARCEL_RECORD,
        200,
        lambda m: "/api/v1/parcel-events",
    ),
]


def _may(member: Member, capability: Capability) -> bool:
    return (
        member.organisation.in_good_standing
        and capability in ROLE_CAPABILITIES[(member.organisation.kind, member.role)]
    )


def _sales_totals_body(member: Member) -> dict:
    """A request a requester may make: on a seller its organisation reported (any listed one for a court)."""
    from tests.factories import SALES_TOTALS_TEST_MODULUS

    body = {
        "subject": str(uuid.uuid4()),
        "period_start": "2025-01-01",
        "period_end": "2025-03-31",
        "currency": "EUR",
        "public_key": str(SALES_TOTALS_TEST_MODULUS),
        "case_reference": "(2026) Hu 0115 Min Chu 5",
    }
    if _may(member, Capability.SALES_TOTALS_REQUEST):
        court = member.organisation.kind == OrganisationKind.COURT
        reporter = (
            persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER)
            if court
            else member_make(member.organisation, Role.REPORTER)
        )
        n = uuid.uuid4().int % 9000
        identifiers = [{"type": "phone", "value": f"+86 139 0014 {n:04d}"}]
        report = report_make_accepted(
            reporter, persona(OrganisationKind.OPERATOR, Role.REVIEWER), identifiers
        )
        body["subject"] = str(report.identifiers.exclude(token__subject=None).first().token.subject.public_id)
    return body


_sellers = itertools.count(1000)


def _own_sales_totals_url(member: Member) -> str:
    from tests.factories import sales_totals_make

    if _may(member, Capability.SALES_TOTALS_REQUEST):
        return f"/api/v1/sales-totals/{sales_totals_make(seller=next(_sellers), requester=member).public_id}"
    return f"/api/v1/sales-totals/{uuid.uuid4()}"


def _own_task_url(member: Member, suffix: str = "") -> str:
    from tests.factories import sales_totals_make

    if _may(member, Capability.SALES_TOTALS_CONTRIBUTE):
        task = sales_totals_make(seller=next(_sellers), contributor=member.organisation).tasks.get()
        return f"/api/v1/sales-totals-tasks/{task.public_id}{suffix}"
    return f"/api/v1/sales-totals-tasks/{uuid.uuid4()}{suffix}"


# Sales totals (sharing/sales_totals/): requesters ask and read; members whose screening matched answer.
ENDPOINTS += [
    Endpoint(
        "sales-totals-request",
        "sales-totals",
        "post",
        Capability.SALES_TOTALS_REQUEST,
        201,
        lambda m: "/api/v1/sales-totals",
        _sales_totals_body,
    ),
    Endpoint(
        "sales-totals-list",
        "sales-totals",
        "get",
        Capability.SALES_TOTALS_REQUEST,
        200,
        lambda m: "/api/v1/sales-totals",
    ),
    Endpoint(
        "sales-totals-detail",
        "sales-totals-detail",
        "get",
        Capability.SALES_TOTALS_REQUEST,
        200,
        _own_sales_totals_url,
    ),
    Endpoint(
        "sales-totals-tasks",
        "sales-totals-tasks",
        "get",
        Capability.SALES_TOTALS_CONTRIBUTE,
        200,
        lambda m: "/api/v1/sales-totals-tasks",
    ),
    Endpoint(
        "sales-totals-task",
        "sales-totals-task",
        "get",
        Capability.SALES_TOTALS_CONTRIBUTE,
        200,
        _own_task_url,
    ),
    Endpoint(
        "sales-totals-submit",
        "sales-totals-submit",
        "post",
        Capability.SALES_TOTALS_CONTRIBUTE,
        200,
        lambda m: _own_task_url(m, "/submit"),
        lambda m: {"ciphertexts": {"gross_minor": "2", "orders": "4", "units": "8"}, "accounts": 1},
    ),
    Endpoint(
        "sales-totals-decline",
        "sales-totals-decline",
        "post",
        Capability.SALES_TOTALS_CONTRIBUTE,
        200,
        lambda m: _own_task_url(m, "/decline"),
        lambda m: {"reason": "no sales in the period"},
    ),
]

_FEED_COLLECTION = "/taxii2/hub/collections/4b7e1c2a-8f3d-4e59-9a61-0c5d2b7f3e18"


def _feed_object_url(member: Member, suffix: str = "") -> str:
    """The hub's identity, a fixed object of every collection, in the first collection the member
    reads (published with the first listing); each collection's own objects and audience are tested
    in tests/sharing/test_feed_collections.py: here, who may open the feed at all."""
    from sharing.feed.services.content import HUB_IDENTITY_ID

    report_make_accepted(
        persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER),
        persona(OrganisationKind.OPERATOR, Role.REVIEWER),
        [{"type": "phone", "value": f"+86 139 0014 {uuid.uuid4().int % 9000:04d}"}],
    )
    return _feed_collection_url(member, f"objects/{HUB_IDENTITY_ID}/{suffix}")


def _feed_collection_url(member: Member, suffix: str = "") -> str:
    """The first collection the member reads (each audience's own tests say which it may), subscribed
    to with a purpose its kind allows (purpose limitation is tested in tests/sharing/test_purposes.py)."""
    from sharing.models import FeedSubscription

    collection_id = _first_collection(member)
    purposes = organisation_purposes(member.organisation)
    if purposes:
        FeedSubscription.objects.update_or_create(
            organisation=member.organisation,
            collection=collection_id,
            defaults={"purpose": purposes[0], "created_by": member},
        )
    return f"/taxii2/hub/collections/{collection_id}/{suffix}"


def _first_collection(member: Member) -> str:
    from accounts.actors import Actor
    from sharing.feed.services.audiences import collections_for

    readable = collections_for(Actor(member=member)) if member.organisation.in_good_standing else []
    return readable[0].id if readable else "4b7e1c2a-8f3d-4e59-9a61-0c5d2b7f3e18"


def _feed_subscription_body(member: Member) -> dict:
    purposes = organisation_purposes(member.organisation)
    return {"collection": _first_collection(member), "purpose": purposes[0] if purposes else "investigation"}


# The TAXII 2.1 feed (sharing/feed/api_urls.py): read-only, opened by whoever reads one of its
# collections (feed:read); each collection answers only its own audience (404 to the others).
ENDPOINTS += [
    Endpoint("taxii-discovery", "taxii-discovery", "get", Capability.FEED_READ, 200, lambda m: "/taxii2/"),
    Endpoint("taxii-api-root", "taxii-api-root", "get", Capability.FEED_READ, 200, lambda m: "/taxii2/hub/"),
    Endpoint(
        "taxii-collections",
        "taxii-collections",
        "get",
        Capability.FEED_READ,
        200,
        lambda m: "/taxii2/hub/collections/",
    ),
    Endpoint(
        "taxii-collection",
        "taxii-collection",
        "get",
        Capability.FEED_READ,
        200,
        lambda m: _feed_collection_url(m),
    ),
    Endpoint(
        "taxii-objects",
        "taxii-objects",
        "get",
        Capability.FEED_READ,
        200,
        lambda m: _feed_collection_url(m, "objects/"),
    ),
    Endpoint(
        "taxii-object",
        "taxii-object",
        "get",
        Capability.FEED_READ,
        200,
        lambda m: _feed_object_url(m),
    ),
    Endpoint(
        "taxii-object-versions",
        "taxii-object-versions",
        "get",
        Capability.FEED_READ,
        200,
        lambda m: _feed_object_url(m, "versions/"),
    ),
    Endpoint(
        "taxii-manifest",
        "taxii-manifest",
        "get",
        Capability.FEED_READ,
        200,
        lambda m: _feed_collection_url(m, "manifest/"),
    ),
    # Purpose limitation: a reader states its purpose for a collection before it is served.
    Endpoint(
        "feed-subscribe",
        "feed-subscriptions",
        "post",
        Capability.FEED_READ,
        201,
        lambda m: "/api/v1/feed-subscriptions",
        _feed_subscription_body,
    ),
    Endpoint(
        "feed-subscriptions",
        "feed-subscriptions",
        "get",
        Capability.FEED_READ,
        200,
        lambda m: "/api/v1/feed-subscriptions",
    ),
]

# HEAD is GET without the body: every GET endpoint is walked again as HEAD, through the same
# matrix and the same standing test, so HEAD can never skip the capability check.
ENDPOINTS += [
    dataclasses.replace(e, name=f"{e.name}-head", method="head") for e in ENDPOINTS if e.method == "get"
]

# Every method a client can send, including one no view knows.
ALL_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND")


def _api_routes() -> dict[str, str]:
    """Every API route with made-up ids: nothing behind them need exist, since nothing may run."""
    from django.urls import reverse

    return {
        p.name: reverse(p.name, kwargs={name: uuid.uuid4() for name in p.pattern.converters})
        for p in api_route_patterns()
    }


def _methods_not_offered(route: str) -> list[str]:
    offered = (
        PUBLIC_ROUTES[route][0]
        if route in PUBLIC_ROUTES
        else {e.method.upper() for e in ENDPOINTS if e.route == route}
    )
    return [m for m in ALL_METHODS if m not in offered]


def _refused_methods_wrongly_answered(member: Member, methods: tuple[str, ...]) -> dict[str, int]:
    """Call every route with each method it does not offer; 403 without a capability of the route, else 405."""
    client = client_for(member)
    role_capabilities = ROLE_CAPABILITIES[(member.organisation.kind, member.role)]
    wrong = {}
    for route, url in _api_routes().items():
        capabilities = {e.capability for e in ENDPOINTS if e.route == route}
        may_know_the_route = route in PUBLIC_ROUTES or (
            member.organisation.in_good_standing and bool(capabilities & role_capabilities)
        )
        for method in (m for m in _methods_not_offered(route) if m in methods):
            status = client.generic(method, url).status_code
            if status != (405 if may_know_the_route else 403):
                wrong[f"{method} {route}"] = status
    return wrong


def _allowed_rows(member: Member) -> int:
    return AuditEvent.objects.filter(actor_member=member, outcome=Outcome.ALLOWED).count()


@pytest.mark.django_db
@pytest.mark.parametrize("kind,role", KIND_ROLES, ids=lambda v: v.value)
def test_options_and_unknown_methods_are_checked_for_every_role_then_refused_without_running(kind, role):
    member = persona(kind, role)

    wrong = _refused_methods_wrongly_answered(member, ("OPTIONS", "PATCH", "PROPFIND"))

    assert wrong == {}
    assert _allowed_rows(member) == 0  # nothing ran: no read or write was audited as done


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind,role,suspended",
    [
        (OrganisationKind.PLATFORM, Role.ADMIN, False),
        (OrganisationKind.OPERATOR, Role.DISCLOSURE_OFFICER, False),
        (OrganisationKind.PLATFORM, Role.ADMIN, True),
    ],
    ids=["platform-admin", "disclosure-officer", "suspended-platform-admin"],
)
def test_every_method_a_route_does_not_offer_is_checked_then_refused_without_running(kind, role, suspended):
    member = member_make(OrganisationFactory(kind=kind, suspended=suspended), role)

    wrong = _refused_methods_wrongly_answered(member, ALL_METHODS)

    assert wrong == {}
    assert _allowed_rows(member) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("credentials", ["none", "unknown key", "malformed header"])
def test_without_a_valid_key_every_method_of_every_route_is_401(credentials):
    from rest_framework.test import APIClient

    client = APIClient()
    header = {
        "none": None,
        "unknown key": "Bearer iih_abcdefgh_" + "x" * 43,
        "malformed header": "Basic Zm9vOmJhcg==",
    }
    if header[credentials]:
        client.credentials(HTTP_AUTHORIZATION=header[credentials])
    wrong = {}

    for route, url in _api_routes().items():
        for method in ALL_METHODS:
            expected = 401
            if route in PUBLIC_ROUTES:
                methods, answer = PUBLIC_ROUTES[route]
                expected = answer if method in methods else 405
            status = client.generic(method, url).status_code
            if status != expected:
                wrong[f"{method} {route}"] = status

    assert wrong == {}


def _narrower_key_cases():
    """Each scoped endpoint with a role allowed to call it that also holds some other scope: the key
    is minted with every scope of that role except the ones the endpoint's capability is reached by."""
    from accounts.roles import CAPABILITY_SCOPE, scopes_for

    for endpoint in ENDPOINTS:
        needed = CAPABILITY_SCOPE[endpoint.capability]
        if needed is None:
            continue  # any valid key of the member may call it (e.g. reading its own organisation)
        needed = set(needed) if isinstance(needed, tuple) else {needed}
        for kind, role in KIND_ROLES:
            if endpoint.capability not in ROLE_CAPABILITIES[(kind, role)]:
                continue
            others = sorted(scope.value for scope in scopes_for(kind, role) - needed)
            if others:
                yield pytest.param(
                    endpoint, kind, role, others, id=f"{endpoint.name}-{kind.value}-{role.value}"
                )
                break


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint,kind,role,scopes", list(_narrower_key_cases()))
def test_a_key_narrower_than_the_route_is_refused_on_every_scoped_route(endpoint, kind, role, scopes):
    """A leaked key minted for one job (say, checks) cannot be used for another the same member may
    do (say, reporting or managing keys): 403, whatever the role allows."""
    from accounts.roles import scopes_for

    member = persona(kind, role)
    narrow, full = (
        client_for(member, scopes=scopes),
        client_for(member, scopes=sorted(scopes_for(kind, role))),
    )

    refused = getattr(narrow, endpoint.method)(endpoint.url(member), endpoint.body(member), format="json")
    answered = getattr(full, endpoint.method)(endpoint.url(member), endpoint.body(member), format="json")

    assert refused.status_code == 403, (endpoint.name, scopes, refused.content[:300])
    assert answered.status_code != 403, (
        endpoint.name,
        answered.content[:300],
    )  # the scope made the difference

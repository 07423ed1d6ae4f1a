"""Not yours means not there: every route that names an object by id answers another organisation's
object exactly as it answers an id that names nothing, and audits both probes the same way.

The walk below finds every route of hub.urls with a UUID in its path (API and pages); each must be
listed in PROBES with how to drive it, so a new route cannot escape. For each, a member who may use
the route asks for a random UUID and for a real object of another organisation: both answers must
be 404 with byte-identical bodies (the request id aside), and each must write exactly one denied
audit row, of the same shape.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import UUIDConverter

from accounts import services as account_services
from accounts.audit.models import AuditEvent
from accounts.models import Member
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from tests.accounts.test_role_matrix import AUTHORITY_APPROVAL
from tests.factories import (
    client_for,
    disclosure_make,
    dispute_make,
    persona,
    report_make,
    report_make_rejected,
    sales_totals_make,
    seller_identifiers,
    web_login,
)

REASON = "checked against the file"
EVIDENCE = [{"name": "suit.pdf", "content_type": "application/pdf", "content_base64": "JVBERi0xLjc="}]


# --- objects of another organisation ------------------------------------------------------


def _report() -> uuid.UUID:
    return report_make(persona(K.RIGHTS_OWNER, R.REPORTER)).public_id


def _rejected_report() -> uuid.UUID:
    return report_make_rejected(persona(K.RIGHTS_OWNER, R.REPORTER)).public_id


def _dispute() -> uuid.UUID:
    return dispute_make()[0].public_id


def _disclosure() -> uuid.UUID:
    return disclosure_make().public_id


def _api_created(kind: K, role: R, path: str, body: dict, fmt: str = "json") -> dict:
    created = client_for(persona(kind, role)).post(path, body, format=fmt)
    assert created.status_code in (201, 202), created.content
    return created.json()


def _watch_entry() -> uuid.UUID:
    body = {"identifiers": seller_identifiers(77)[:1], "ref": "shop-77", "purpose": "listing_review"}
    return uuid.UUID(_api_created(K.PLATFORM, R.ANALYST, "/api/v1/watchlist", body)["entries"][0]["id"])


def _webhook() -> uuid.UUID:
    body = {"url": "https://hooks.example.com/hub"}
    return uuid.UUID(_api_created(K.PLATFORM, R.ADMIN, "/api/v1/webhooks", body)["id"])


def _bulk_job() -> uuid.UUID:
    upload = SimpleUploadedFile("sellers.csv", b"ref,phone\nshop-1,+86 138 0013 8001\n")
    created = _api_created(
        K.PLATFORM,
        R.ANALYST,
        "/api/v1/bulk-checks",
        {"purpose": "seller_onboarding", "file": upload},
        fmt="multipart",
    )
    return uuid.UUID(created["id"])


def _api_key() -> uuid.UUID:
    api_key, _ = account_services.api_key_issue(
        member=persona(K.PLATFORM, R.ADMIN), name="theirs", scopes=["check"], actor=None
    )
    return api_key.public_id


def _application() -> uuid.UUID:
    from tests.accounts.test_role_matrix import application_make

    return application_make().public_id  # type: ignore[attr-defined]


def _invitation() -> uuid.UUID:
    from accounts.invitations.services import invitation_create

    admin = persona(K.PLATFORM, R.ADMIN)
    return invitation_create(
        email="theirs@example.com", role="analyst", actor=None, organisation=admin.organisation
    )[0].public_id


def _notification() -> uuid.UUID:
    from sharing.reports.services.notifications import notify

    theirs = persona(K.RIGHTS_OWNER, R.REPORTER).organisation_id
    return notify(
        organisation_id=theirs, kind="dispute.lapsed", data={"dispute": str(uuid.uuid4())}
    ).public_id


def _sales_totals_request() -> uuid.UUID:
    return sales_totals_make().public_id


def _sales_totals_task() -> uuid.UUID:
    return sales_totals_make(seller=91).tasks.get().public_id


_CIPHERTEXTS = {"ciphertexts": {"gross_minor": "2", "orders": "4", "units": "8"}, "accounts": 1}


def _member() -> uuid.UUID:
    return persona(K.PLATFORM, R.ANALYST).public_id


@dataclass(frozen=True)
class Probe:
    """Drive one route: `method` as a member of `kind`/`role`; `other` makes another organisation's
    object (None: this audience sees every object, so only an id naming nothing can be probed)."""

    method: str
    kind: K
    role: R
    other: Callable[[], uuid.UUID] | None
    body: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)  # the route's other (non-id) path parameters


_P, _L, _O, _C, _RO = K.PLATFORM, K.LOGISTICS, K.OPERATOR, K.COURT, K.RIGHTS_OWNER
_DECIDE = {"outcome": "upheld", "reason": REASON}

PROBES: dict[str, Probe] = {
    # API
    "report-detail": Probe("get", _RO, R.REPORTER, _report),
    "report-retract": Probe("post", _RO, R.REPORTER, _report, {"reason": REASON}),
    "report-accept": Probe("post", _O, R.REVIEWER, None, {"reason": REASON}),
    "report-reject": Probe("post", _O, R.REVIEWER, None, {"reason": REASON}),
    "report-renew": Probe("post", _RO, R.REPORTER, _report),
    "report-appeal": Probe("post", _RO, R.REPORTER, _rejected_report, {"grounds": REASON}),
    "report-appeal-decide": Probe("post", _O, R.REVIEWER, None, {"outcome": "granted", "reason": REASON}),
    "disclosure-detail": Probe("get", _C, R.ANALYST, _disclosure),
    "disclosure-approve": Probe("post", _O, R.DISCLOSURE_OFFICER, None),
    "disclosure-reject": Probe("post", _O, R.DISCLOSURE_OFFICER, None, {"reason": REASON}),
    "disclosure-authority-approval": Probe("post", _O, R.DISCLOSURE_OFFICER, None, AUTHORITY_APPROVAL),
    "disclosure-narrow": Probe(
        "post", _O, R.DISCLOSURE_OFFICER, None, {"reason": REASON, "scope": {"fields": ["statement"]}}
    ),
    "disclosure-withdraw": Probe("post", _C, R.ANALYST, _disclosure),
    "disclosure-package": Probe("get", _C, R.ANALYST, _disclosure),
    "disclosure-document": Probe("get", _C, R.ANALYST, _disclosure),
    "dispute-detail": Probe("get", _P, R.ANALYST, _dispute),
    "dispute-answer": Probe("post", _RO, R.REPORTER, _dispute, {"note": REASON, "evidence": EVIDENCE}),
    "dispute-decide": Probe("post", _O, R.REVIEWER, None, _DECIDE),
    "dispute-decide-urgently": Probe("post", _O, R.REVIEWER, None, _DECIDE),
    "dispute-pause": Probe("post", _RO, R.REPORTER, _dispute, {"working_days": 2, "reason": REASON}),
    "reputation-override": Probe("post", _O, R.ADMIN, None, {"override": "grant", "reason": REASON}),
    "reporting-suspension-lift": Probe("post", _O, R.ADMIN, None, {"reason": REASON}),
    "organisation-standing": Probe("post", _O, R.ADMIN, None, {"verified": True, "suspended": False}),
    "watchlist-entry": Probe("delete", _P, R.ANALYST, _watch_entry),
    "webhook-detail": Probe("delete", _P, R.ADMIN, _webhook),
    "webhook-deliveries": Probe("get", _P, R.ADMIN, _webhook),
    "bulk-check-detail": Probe("get", _L, R.ANALYST, _bulk_job),
    "bulk-check-cancel": Probe("post", _L, R.ANALYST, _bulk_job),
    "bulk-check-results": Probe("get", _L, R.ANALYST, _bulk_job),
    "api-key-revoke": Probe("post", _P, R.ADMIN, _api_key),
    "alert-acknowledge": Probe("post", _O, R.ADMIN, None, {"reason": REASON}),
    "alert-resolve": Probe("post", _O, R.ADMIN, None, {"reason": REASON}),
    # Applicants hold no account: another applicant's reference without its secret is not there.
    "organisation-application-documents-add": Probe(
        "post", _P, R.ADMIN, _application, {"secret": "not-the-secret", "documents": EVIDENCE}
    ),
    "review-application-detail": Probe("get", _O, R.ADMIN, None),
    "review-application-verify": Probe("post", _O, R.ADMIN, None, {"reason": REASON}),
    "review-application-reject": Probe("post", _O, R.ADMIN, None, {"reason": REASON}),
    "review-application-request-documents": Probe("post", _O, R.ADMIN, None, {"reason": REASON}),
    "review-application-document": Probe("get", _O, R.ADMIN, None),
    "invitation-revoke": Probe("post", _P, R.ADMIN, _invitation),
    "member-deactivate": Probe("post", _P, R.ADMIN, _member, {"reason": REASON}),
    "member-reactivate": Probe("post", _P, R.ADMIN, _member, {"reason": REASON}),
    # Pages
    "disclosure-page": Probe("get", _C, R.ANALYST, _disclosure),
    "disclosure-download": Probe("get", _C, R.ANALYST, _disclosure),
    "disclosure-order-document": Probe("get", _C, R.ANALYST, _disclosure),
    "disclosure-narrow-page": Probe("post", _O, R.DISCLOSURE_OFFICER, None, {"reason": REASON}),
    "disclosure-authority-approval-page": Probe("post", _O, R.DISCLOSURE_OFFICER, None, AUTHORITY_APPROVAL),
    "bulk-page": Probe("get", _L, R.ANALYST, _bulk_job),
    "bulk-cancel": Probe("post", _L, R.ANALYST, _bulk_job),
    "bulk-download": Probe("get", _L, R.ANALYST, _bulk_job, extra={"file_format": "csv"}),
    "invitation-revoke-page": Probe("post", _P, R.ADMIN, _invitation),
    "member-deactivate-page": Probe("post", _P, R.ADMIN, _member, {"reason": REASON}),
    "member-reactivate-page": Probe("post", _P, R.ADMIN, _member, {"reason": REASON}),
    "api-key-revoke-page": Probe("post", _P, R.ADMIN, _api_key),
    "notification-read": Probe("post", _RO, R.REPORTER, _notification),
    "watch-entry-remove-page": Probe("post", _P, R.ANALYST, _watch_entry),
    "dispute-filed-page": Probe("get", _P, R.ANALYST, _dispute),
    "webhook-page": Probe("get", _P, R.ADMIN, _webhook),
    "webhook-remove-page": Probe("post", _P, R.ADMIN, _webhook),
    "audit-alert-handle": Probe("post", _O, R.ADMIN, None, {"reason": REASON}, {"action": "acknowledge"}),
    "join-documents": Probe("post", _P, R.ADMIN, _application, {"secret": "not-the-secret"}),
    "operator-application": Probe("get", _O, R.ADMIN, None),
    "operator-application-decide": Probe("post", _O, R.ADMIN, None, {"reason": REASON}, {"action": "verify"}),
    "operator-application-document": Probe("get", _O, R.ADMIN, None),
    "operator-organisation-standing": Probe(
        "post", _O, R.ADMIN, None, {"reason": REASON}, {"standing": "suspend"}
    ),
    # Sales totals: the requester's requests, the members' tasks
    "sales-totals-detail": Probe("get", _RO, R.REPORTER, _sales_totals_request),
    "sales-totals-task": Probe("get", _P, R.ANALYST, _sales_totals_task),
    "sales-totals-submit": Probe("post", _P, R.ANALYST, _sales_totals_task, _CIPHERTEXTS),
    "sales-totals-decline": Probe("post", _P, R.ANALYST, _sales_totals_task, {"reason": REASON}),
    # Rights owner pages
    "report-page": Probe("get", _RO, R.REPORTER, _report),
    "report-page-renew": Probe("post", _RO, R.REPORTER, _report),
    "report-page-retract": Probe("post", _RO, R.REPORTER, _report),
    "report-page-appeal": Probe("post", _RO, R.REPORTER, _rejected_report, {"grounds": REASON}),
    "owner-dispute-page": Probe("get", _RO, R.REPORTER, _dispute),
    "owner-dispute-answer": Probe("post", _RO, R.REPORTER, _dispute, {"note": REASON}),
    "reviewer-report": Probe("get", _O, R.REVIEWER, None),
    "reviewer-report-evidence": Probe("get", _O, R.REVIEWER, None, extra={"index": 0}),
    "reviewer-report-accept": Probe("post", _O, R.REVIEWER, None, {"reason": REASON}),
    "reviewer-report-reject": Probe("post", _O, R.REVIEWER, None, {"reason": REASON}),
    "reviewer-dispute": Probe("get", _O, R.REVIEWER, None),
    "reviewer-dispute-decide": Probe("post", _O, R.REVIEWER, None, _DECIDE),
    "reviewer-dispute-document": Probe("get", _O, R.REVIEWER, None),
    "reviewer-dispute-decide-urgently": Probe("post", _O, R.REVIEWER, None, _DECIDE),
}
SKIPPED_NAMESPACES = {"admin"}  # Django's staff admin: its own login and its own 404s


def _routes_with_an_id(patterns=None) -> dict[str, list[str]]:
    """Every named route of hub.urls with a UUID in its path, and the names of its UUID parameters."""
    routes: dict[str, list[str]] = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace not in SKIPPED_NAMESPACES:
            routes |= _routes_with_an_id(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            ids = [n for n, c in pattern.pattern.converters.items() if isinstance(c, UUIDConverter)]
            if ids:
                routes[pattern.name] = ids
    return routes


def test_every_route_with_an_id_is_probed():
    assert set(_routes_with_an_id()) == set(PROBES)


def _member_for(probe: Probe) -> Member:
    return persona(probe.kind, probe.role)


def _ask(name: str, probe: Probe, member: Member, object_id: uuid.UUID):
    ids = dict.fromkeys(_routes_with_an_id()[name], str(object_id))
    path = reverse(name, kwargs={**ids, **probe.extra})
    if path.startswith("/api/"):
        return getattr(client_for(member), probe.method)(path, probe.body, format="json")
    client = Client()
    web_login(client, member)
    return getattr(client, probe.method)(path, probe.body)


# Per-request values in a page: its CSRF token and CSP nonce (the request id is the response's header).
_PER_REQUEST = re.compile(r'(csrfmiddlewaretoken" value="|nonce=")[^"]*')


def _normalised(response) -> bytes:
    body = response.content.decode()
    request_id = response.get("X-Request-Id", "")
    if request_id:
        body = body.replace(request_id, "<request>")
    return _PER_REQUEST.sub(r"\1<per-request>", body).encode()


def _probe_rows(before: int, object_id: uuid.UUID) -> list[tuple]:
    rows = AuditEvent.objects.filter(pk__gt=before, outcome="denied").order_by("pk")
    return [
        (
            row.action,
            row.object_type,
            row.object_id,
            row.role,
            row.organisation_id,
            row.details.get("reason", "").replace(str(object_id), "<id>"),
            sorted(row.details),
        )
        for row in rows
    ]


def _last_event_pk() -> int:
    last = AuditEvent.objects.order_by("-pk").first()
    return last.pk if last else 0


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PROBES))
def test_another_organisations_object_is_answered_and_audited_as_a_missing_one(name):
    probe = PROBES[name]
    member = _member_for(probe)
    theirs = probe.other() if probe.other is not None else None
    nothing = uuid.uuid4()

    before = _last_event_pk()
    missing = _ask(name, probe, member, nothing)
    missing_rows = _probe_rows(before, nothing)
    before = _last_event_pk()
    found = _ask(name, probe, member, theirs) if theirs is not None else missing
    found_rows = _probe_rows(before, theirs) if theirs is not None else missing_rows

    assert missing.status_code == 404, missing.content
    assert found.status_code == 404, found.content
    assert _normalised(found) == _normalised(missing)
    assert len(missing_rows) == 1, missing_rows
    assert found_rows == missing_rows
    assert str(nothing) not in missing.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, p in PROBES.items() if p.method == "get"))
def test_a_malformed_id_is_answered_as_a_missing_one(name, client):
    """A path whose id is not a UUID matches no route: the same 404, its text never stored."""
    probe = PROBES[name]
    member = _member_for(probe)
    path = reverse(
        name, kwargs={**dict.fromkeys(_routes_with_an_id()[name], str(uuid.uuid4())), **probe.extra}
    )
    bad = re.sub(r"[0-9a-f-]{36}", "not-a-uuid'--", path)
    before = _last_event_pk()

    response = client_for(member).get(bad) if bad.startswith("/api/") else _logged_in(client, member).get(bad)

    assert response.status_code == 404
    assert "not-a-uuid" not in response.content.decode()
    assert all("not-a-uuid" not in str(e.details) for e in AuditEvent.objects.filter(pk__gt=before))


def _logged_in(client: Client, member: Member) -> Client:
    web_login(client, member)
    return client

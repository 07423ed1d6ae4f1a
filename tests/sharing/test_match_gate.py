"""No free oracle: every path that tells whether identifiers match passes the same gate.

The gate (sharing/checks/services/match_gate.py) takes the quota per identifier type, feeds the
canary, sequential, no-match and volume rules, and the path audits its answer, a miss as
much as a hit. The route walk below finds every route of hub.urls: a route is either driven
here as match-revealing or listed as not revealing, so a new one cannot be forgotten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.actors import Actor
from accounts.audit.models import Alert, AuditEvent
from accounts.audit.tags import AuditTag
from accounts.models import Member, QuotaUsage
from accounts.purposes import purposes_allowed
from accounts.roles import ROLE_CAPABILITIES, Capability
from sharing.bulk.tasks import bulk_chunk_task
from sharing.checks.services.canaries import canaries_plant
from sharing.models import BulkChunk, Dispute
from sharing.subjects.services.tokens import RawIdentifier
from tests.factories import (
    client_for,
    court_key_pair,
    disclosure_body,
    persona,
    report_make_accepted,
    web_login,
)

CANARY_PHONE = "+86 139 0000 0001"


@dataclass(frozen=True)
class Lookup:
    """How to drive one match-revealing route with one phone number, as a member holding `capability`."""

    capability: Capability
    drive: Callable[[Member, str], int]  # returns the status code


def _api_post(path: str, body: Callable[[Member, str], dict]) -> Callable[[Member, str], int]:
    return lambda member, phone: client_for(member).post(path, body(member, phone), format="json").status_code


def _court_scope(member: Member, phone: str) -> dict:
    court_key_pair(member.organisation)
    body = disclosure_body([])
    body["scope"]["identifiers"] = [{"type": "phone", "value": phone}]
    return body


def _bulk_chunks_run(member: Member) -> None:
    """What the bulk workers do after the upload commits (on_commit never fires in these tests)."""
    for chunk_id in BulkChunk.objects.filter(job__organisation=member.organisation).values_list(
        "pk", flat=True
    ):
        bulk_chunk_task(chunk_id)


def _bulk_file(phone: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("sellers.csv", f"ref,phone\nseller-1,{phone}\n".encode())


def _bulk_api(member: Member, phone: str) -> int:
    status = (
        client_for(member)
        .post(
            "/api/v1/bulk-checks",
            {"purpose": "seller_onboarding", "file": _bulk_file(phone)},
            format="multipart",
        )
        .status_code
    )
    _bulk_chunks_run(member)
    return status


def _bulk_page(member: Member, phone: str) -> int:
    client = Client()
    web_login(client, member)
    status = client.post("/bulk/", {"purpose": "seller_onboarding", "file": _bulk_file(phone)}).status_code
    _bulk_chunks_run(member)
    return status


def _court_page(member: Member, phone: str) -> int:
    """A court files an order on the web naming one phone number (sharing/disclosure/web.py)."""
    from datetime import timedelta

    from django.utils import timezone

    court_key_pair(member.organisation)
    client = Client()
    web_login(client, member)
    form = {
        "case_number": "(2026) 5678",
        "issuing_court": "Pudong Court",
        "legal_basis": "CPL art. 67",
        "report_ids": "",
        "identifier-0-type": "phone",
        "identifier-0-value": phone,
        "identifier-0-country": "CN",
        "fields": ["identifiers"],
        "deadline": (timezone.now() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
        "order_document": SimpleUploadedFile("order.pdf", b"%PDF order", content_type="application/pdf"),
    }
    return client.post("/disclosures/new", form).status_code


def _page_post(path: str, extra: dict) -> Callable[[Member, str], int]:
    """Post one phone number in an analyst page's first identifier row (sharing/analyst/)."""

    def drive(member: Member, phone: str) -> int:
        client = Client()
        web_login(client, member)
        body = {"identifier-0-type": "phone", "identifier-0-value": phone, **extra}
        return client.post(path, body).status_code

    return drive


def _own_check_id(member: Member) -> str:
    """A check the courier ran that matched a seller, so a parcel event may name its hit."""
    from accounts.roles import OrganisationKind, Role

    seller = [{"type": "phone", "value": "+86 137 0000 4321"}]
    report_make_accepted(
        persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER),
        persona(OrganisationKind.OPERATOR, Role.REVIEWER),
        seller,
    )
    answer = client_for(member).post(
        "/api/v1/checks", {"purpose": "parcel_screening", "identifiers": seller}, format="json"
    )
    QuotaUsage.objects.filter(organisation=member.organisation).delete()  # count the event's lookup alone
    return answer.json()["check_id"]


def _parcel_event_api(member: Member, phone: str) -> int:
    body = {
        "kind": "refused",
        "occurred_at": "2026-11-30T21:40:00+08:00",
        "origin_region": "CN-GD",
        "category": "counterfeit",
        "check_id": _own_check_id(member),
        "identifiers": [{"type": "phone", "value": phone}],
    }
    return client_for(member).post("/api/v1/parcel-events", body, format="json").status_code


def _parcel_event_page(member: Member, phone: str) -> int:
    check_id = _own_check_id(member)
    client = Client()
    web_login(client, member)
    form = {
        "kind": "refused",
        "occurred_at": "2026-11-30T21:40",
        "origin_region": "CN-GD",
        "category": "counterfeit",
        "check_id": check_id,
        "phone": phone,
    }
    return client.post("/parcels/", form).status_code


# (route name, method) → how to drive it. Every view marked match-revealing must be here.
MATCH_REVEALING = {
    ("check-run", "post"): Lookup(
        Capability.CHECK_RUN,
        _api_post(
            "/api/v1/checks",
            lambda m, phone: {
                "purpose": "seller_onboarding",
                "identifiers": [{"type": "phone", "value": phone}],
            },
        ),
    ),
    ("check-batch", "post"): Lookup(
        Capability.CHECK_RUN,
        _api_post(
            "/api/v1/checks/batch",
            lambda m, phone: {
                "purpose": "seller_onboarding",
                "sellers": [{"reference": "s-1", "identifiers": [{"type": "phone", "value": phone}]}],
            },
        ),
    ),
    ("disputes", "post"): Lookup(
        Capability.DISPUTE_FILE,
        _api_post(
            "/api/v1/disputes",
            lambda m, phone: {"identifiers": [{"type": "phone", "value": phone}], "grounds": "licensee"},
        ),
    ),
    ("watchlist", "post"): Lookup(
        Capability.WATCHLIST_MANAGE,
        _api_post(
            "/api/v1/watchlist",
            lambda m, phone: {
                "purpose": "seller_onboarding",
                "identifiers": [{"type": "phone", "value": phone}],
                "ref": "s-1",
            },
        ),
    ),
    ("disclosure-requests", "post"): Lookup(
        Capability.DISCLOSURE_REQUEST, _api_post("/api/v1/disclosure-requests", _court_scope)
    ),
    ("bulk-checks", "post"): Lookup(Capability.BULK_RUN, _bulk_api),
    ("bulk-list", "post"): Lookup(Capability.BULK_RUN, _bulk_page),
    ("check-page", "post"): Lookup(
        Capability.CHECK_RUN, _page_post("/check/", {"purpose": "seller_onboarding"})
    ),
    ("watchlist-page", "post"): Lookup(
        Capability.WATCHLIST_MANAGE, _page_post("/watchlist/", {"ref": "s-1", "purpose": "seller_onboarding"})
    ),
    ("disputes-filed", "post"): Lookup(
        Capability.DISPUTE_FILE, _page_post("/disputes/filed/", {"grounds": "licensee"})
    ),
    ("disclosure-new", "post"): Lookup(Capability.DISCLOSURE_REQUEST, _court_page),
    ("parcel-events", "post"): Lookup(Capability.PARCEL_RECORD, _parcel_event_api),
    ("parcel-events-page", "post"): Lookup(Capability.PARCEL_RECORD, _parcel_event_page),
}

# Routes none of whose methods looks up an identifier, or that only show answers gated where they were asked
# (the GET of a route above is listed there, by its POST).
NOT_MATCH_REVEALING = {
    # The TAXII feed (sharing/feed/): it publishes every listing to every member who may check, whatever
    # the member asks; nothing is looked up from an identifier the member gives, so there is no answer
    # to gate. Its tokens are opaque without the hub's OPRF, whose evaluations are the gated, audited path.
    # One object and its versions are looked up by the STIX id the feed itself served, never by an
    # identifier; a rights owner's collection holds only what its own accepted reports name.
    "taxii-discovery",
    "taxii-api-root",
    "taxii-collections",
    "taxii-collection",
    "taxii-objects",
    "taxii-object",
    "taxii-object-versions",
    "taxii-manifest",
    "home",
    "set_language",
    "login",
    "logout",
    # Second factor and password reset (accounts/two_factor/): about the member's own sign-in only.
    "two-factor-enrol",
    "two-factor-verify",
    "two-factor-recovery-codes",
    "password-reset",
    "password-reset-done",
    "password-reset-confirm",
    "password-reset-complete",
    "schema",
    "docs",
    "redoc",
    # Court pages: filing by identifiers is driven above; these show orders, their documents, narrowing.
    "disclosure-list",
    "disclosure-page",
    "disclosure-download",
    "disclosure-awaiting",
    "disclosure-document",
    "disclosure-narrow-page",
    "disclosure-order-document",
    # Notifications (sharing/due_process/web_notifications.py): the member's own organisation's only.
    "notifications-page",
    "notification-read",
    "notifications-read-all",
    # The rights owner's pages (sharing/reports/web/, sharing/due_process/web/): filing a report answers
    # nothing about other reports; the identifier check validates the format only, never a lookup.
    "report-new",
    "report-new-more",
    "report-identifier-check",
    "report-list",
    "report-page",
    "report-page-renew",
    "report-page-retract",
    "report-page-appeal",
    "owner-dispute-list",
    "owner-dispute-page",
    "owner-dispute-answer",
    "standing",
    # The operator reviewers' pages (sharing/review/): reports and disputes by id, canaries planted.
    "reviewer-reports",
    "reviewer-report",
    "reviewer-report-evidence",
    "reviewer-report-accept",
    "reviewer-report-reject",
    "reviewer-disputes",
    "reviewer-dispute",
    "reviewer-dispute-decide",
    "reviewer-dispute-decide-urgently",
    "reviewer-dispute-document",
    "reviewer-canaries",
    # A foreign court's order's third approval, and the records of processing: about orders and the hub.
    "disclosure-authority-approval",
    "disclosure-authority-approval-page",
    "records-of-processing",
    # The listed person's own pages (sharing/subject_access/): a code request answers the same whether
    # or not the identifier is listed, and the rest answer only for an identifier the person proved
    # control of, behind its own per-address and per-identifier limits (tests/sharing/test_subject_access*.py).
    "subject-start",
    "subject-code",
    "subject-statement",
    "subject-appeal",
    "subject-rectification",
    "subject-export",
    # Organisations applying and their review (accounts/admission/): about organisations, never sellers.
    "join",
    "join-documents",
    "organisation-apply",
    "organisation-application-documents-add",
    "operator-applications",
    "operator-application",
    "operator-application-decide",
    "operator-application-document",
    "operator-organisation-standing",
    "review-applications",
    "review-application-detail",
    "review-application-verify",
    "review-application-reject",
    "review-application-request-documents",
    "review-application-document",
    # People and their keys (accounts/invitations/): members of the actor's own organisation only.
    "invitations",
    "invitation-revoke",
    "invitation-revoke-page",
    "invitation-accept",
    "invitation-accept-link",
    "members",
    "members-page",
    "member-deactivate",
    "member-deactivate-page",
    "member-reactivate",
    "member-reactivate-page",
    "api-keys-page",
    "api-key-revoke-page",
    "organisation-api-keys",
    # A bulk job's pages and results show answers whose quota was taken at upload.
    "bulk-page",
    "bulk-cancel",
    "bulk-download",
    "bulk-check-detail",
    "bulk-check-cancel",
    "bulk-check-results",
    "audit-log",
    "audit-event",
    "audit-restricted",
    "audit-alerts",
    "audit-alert-handle",
    "audit-chart",
    "audit-checkpoints",
    "audit-export",
    "audit-events",
    "audit-checkpoint-latest",
    "audit-proof-inclusion",
    "audit-proof-consistency",
    "alerts",
    "alert-acknowledge",
    "alert-resolve",
    "organisation-own",
    "organisations",
    "organisation-standing",
    "organisation-encryption-key",
    "organisation-policy",
    "api-keys",
    "api-key-revoke",
    "hub-keys",
    "notifications",
    "reputation-own",
    # What became of a rights owner's own reports: its own subjects, no identifiers taken.
    "outcomes",
    "statistics",
    "outcomes-page",
    "statistics-page",
    "statistics-download",
    # The transparency report (sharing/transparency/): quarterly counts, public; operators' indicators.
    "transparency-index",
    "transparency-quarter",
    "transparency-document",
    "transparency-signature",
    "transparency-draft",
    "transparency-indicators",
    "reputation-override",
    "reporting-suspension-lift",
    "report-appeal",
    "report-appeal-decide",
    "reports",
    "report-detail",
    "report-retract",
    "report-accept",
    "report-reject",
    "report-renew",
    "review-reports",
    # Oblivious evaluation computes tokens without learning them or matching; it has its own quota.
    "tokens-evaluate",
    # Operators plant canaries; planting answers nothing about reports.
    "canaries",
    "disclosure-detail",
    "disclosure-approve",
    "disclosure-reject",
    "disclosure-narrow",
    "disclosure-withdraw",
    "disclosure-package",
    "dispute-detail",
    "dispute-answer",
    "dispute-decide",
    "dispute-decide-urgently",
    "dispute-pause",
    "watchlist-entry",
    # A feed subscription names a collection and a purpose, never an identifier.
    "feed-subscriptions",
    "feed-subscriptions-page",
    # Feedback names a subject the organisation already matched (else the same 404): it answers nothing new.
    "feedback",
    "feedback-sightings",
    "feedback-page",
    # Sales totals name a subject by its id (a rights owner's own, from its outcomes); no identifier is
    # looked up. A member's task names a subject its own screening matched already.
    "sales-totals",
    "sales-totals-detail",
    "sales-totals-tasks",
    "sales-totals-task",
    "sales-totals-submit",
    "sales-totals-decline",
    "sales-totals-page",
    "sales-totals-tasks-page",
    # The analyst's pages (sharing/analyst/): removing an entry, a dispute's page, webhooks, the policy.
    "watch-entry-remove-page",
    "dispute-filed-page",
    "webhooks-page",
    "webhook-page",
    "webhook-remove-page",
    "policy-page",
    "webhooks",
    "webhook-detail",
    "webhook-deliveries",
}
# Staff-only Django admin: its own login, no lookup of identifiers.
SKIPPED_NAMESPACES = {"admin"}


def _routes(patterns=None) -> dict[str, Callable]:
    """Every named route of hub.urls and its view, outside the skipped namespaces."""
    routes: dict[str, Callable] = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace not in SKIPPED_NAMESPACES:
            routes |= _routes(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"unnamed route {pattern.pattern}: name it and classify it here"
            routes[pattern.name] = pattern.callback
    return routes


def _marked_methods(view: Callable) -> frozenset[str]:
    view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
    return getattr(view_class, "match_revealing_methods", None) or getattr(
        view, "match_revealing_methods", frozenset()
    )


def test_every_route_is_classified_and_every_match_revealing_one_is_driven():
    routes = _routes()
    marked = {(name, method) for name, view in routes.items() for method in _marked_methods(view)}

    classified = {name for name, _ in MATCH_REVEALING} | NOT_MATCH_REVEALING
    assert set(routes) == classified, (
        "classify every route: driven in MATCH_REVEALING or listed as not revealing"
    )
    assert marked == set(MATCH_REVEALING)


PURPOSE_STATED = {Capability.CHECK_RUN, Capability.BULK_RUN, Capability.WATCHLIST_MANAGE}


def _member_who_can(capability: Capability) -> Member:
    """The first kind and role holding the capability whose kind may state the purpose the lookups
    send (seller onboarding: purpose limitation is tested in tests/sharing/test_purposes.py)."""
    kind, role = next(
        (kind, role)
        for (kind, role), capabilities in sorted(ROLE_CAPABILITIES.items())
        if capability in capabilities
        and (
            capability not in PURPOSE_STATED
            or "seller_onboarding" in purposes_allowed(kind=kind, agreed=None)
        )
    )
    return persona(kind, role)


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(MATCH_REVEALING), ids=lambda r: f"{r[1]} {r[0]}")
def test_every_match_revealing_route_takes_the_quota_audits_a_miss_and_raises_the_canary(
    route, operator_admin
):
    lookup = MATCH_REVEALING[route]
    canaries_plant(
        identifiers=[RawIdentifier("phone", CANARY_PHONE)],
        label="range trap",
        actor=Actor(member=operator_admin),
    )
    member = _member_who_can(lookup.capability)

    status = lookup.drive(member, CANARY_PHONE)

    assert status < 500
    used = QuotaUsage.objects.filter(
        organisation=member.organisation, bucket__in=["check:phone", "bulk:phone"], window="day"
    )
    assert sum(used.values_list("used", flat=True)) == 1
    answers = AuditEvent.objects.filter(actor_member=member, outcome="allowed")
    assert any(event.details.get("misses") == 1 and event.details.get("hits") == 0 for event in answers)
    assert Alert.objects.filter(kind="canary_hit", organisation=member.organisation, severity="high").exists()


# --- the dispute oracle -------------------------------------------------------------------


def _dispute(client, phone: str):
    return client.post(
        "/api/v1/disputes",
        {"identifiers": [{"type": "phone", "value": phone}], "grounds": "licensee"},
        format="json",
    )


@pytest.mark.django_db
def test_disputes_over_many_numbers_run_into_the_check_quota(platform_analyst, settings):
    settings.HUB_QUOTA_CHECKS_PER_MINUTE = 3
    client = client_for(platform_analyst)

    statuses = [_dispute(client, f"+86 137 {n:04d} 5678").status_code for n in range(3)]
    refused = _dispute(client, "+86 137 9999 5678")

    assert statuses == [404, 404, 404]
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 61
    assert "phone" in refused.json()["error"]["message"]
    assert (
        AuditEvent.objects.filter(
            actor_member=platform_analyst, action=AuditTag.QUOTA_EXCEEDED.value, outcome="denied"
        ).count()
        == 1
    )


@pytest.mark.django_db
def test_a_dispute_that_matches_nothing_is_audited_as_a_miss(platform_analyst):
    response = _dispute(client_for(platform_analyst), "+86 137 0000 5678")

    assert response.status_code == 404
    miss = AuditEvent.objects.get(actor_member=platform_analyst, action=AuditTag.DISPUTE_NO_MATCH.value)
    assert miss.details == {"identifier_types": ["phone"], "hits": 0, "misses": 1}
    assert "5678" not in str(miss.details)
    assert not Dispute.objects.exists()


@pytest.mark.django_db
def test_a_filed_dispute_is_audited_as_a_hit_and_counted(platform_analyst, brand_reporter, reviewer):
    seller = [{"type": "phone", "value": "+86 137 0000 5678"}]
    report_make_accepted(brand_reporter, reviewer, seller)

    response = _dispute(client_for(platform_analyst), seller[0]["value"])

    assert response.status_code == 201
    filed = AuditEvent.objects.get(actor_member=platform_analyst, action=AuditTag.DISPUTE_FILED.value)
    assert (filed.details["hits"], filed.details["misses"]) == (1, 0)
    assert (
        QuotaUsage.objects.get(
            organisation=platform_analyst.organisation, bucket="check:phone", window="day"
        ).used
        == 1
    )


@pytest.mark.django_db
def test_a_canary_named_in_a_dispute_raises_the_canary_alert(platform_analyst, operator_admin):
    canaries_plant(
        identifiers=[RawIdentifier("phone", CANARY_PHONE)], label="trap", actor=Actor(member=operator_admin)
    )

    _dispute(client_for(platform_analyst), CANARY_PHONE)

    alert = Alert.objects.get(kind="canary_hit")
    assert alert.organisation == platform_analyst.organisation and alert.severity == "high"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "threshold,phones,kind",
    [
        (
            "HUB_SWEEP_BLOCK_PROBES",
            [f"+86 137 0000 5{n:03d}" for n in range(5)],
            "sequential_sweep",
        ),  # one number block
        (
            "HUB_SWEEP_MIN_CHECKS",
            [f"+86 13{n} 1234 5678" for n in range(4)],
            "no_match_sweep",
        ),  # scattered, all missing
    ],
)
def test_disputes_walking_numbers_raise_the_sweep_alerts_checks_would(
    platform_analyst, settings, threshold, phones, kind
):
    setattr(settings, threshold, len(phones))
    client = client_for(platform_analyst)

    statuses = {_dispute(client, phone).status_code for phone in phones}

    assert statuses == {404}
    assert Alert.objects.filter(kind=kind, organisation=platform_analyst.organisation).count() == 1


@pytest.mark.django_db
def test_a_court_naming_identifiers_takes_the_quota_and_its_order_counts_hits_and_misses(
    brand_reporter, reviewer, settings
):
    settings.HUB_QUOTA_CHECKS_PER_MINUTE = 2
    court_clerk = _member_who_can(Capability.DISCLOSURE_REQUEST)
    listed = "+86 137 0000 5678"
    report_make_accepted(brand_reporter, reviewer, [{"type": "phone", "value": listed}])
    client = client_for(court_clerk)
    first = _court_scope(court_clerk, listed)
    first["scope"]["identifiers"].append({"type": "phone", "value": "+86 137 1111 5678"})

    filed = client.post("/api/v1/disclosure-requests", first, format="json")
    refused = client.post(
        "/api/v1/disclosure-requests", _court_scope(court_clerk, "+86 137 2222 5678"), format="json"
    )

    assert (filed.status_code, refused.status_code) == (201, 429)
    submitted = AuditEvent.objects.get(actor_member=court_clerk, action=AuditTag.DISCLOSURE_SUBMITTED.value)
    assert (submitted.details["hits"], submitted.details["misses"]) == (1, 1)


@pytest.mark.django_db
def test_a_watch_entry_takes_the_check_quota(settings):
    settings.HUB_QUOTA_CHECKS_PER_MINUTE = 1
    admin = _member_who_can(Capability.WATCHLIST_MANAGE)
    client = client_for(admin)

    first = client.post(
        "/api/v1/watchlist",
        {
            "purpose": "seller_onboarding",
            "identifiers": [{"type": "phone", "value": "+86 137 0000 5678"}],
            "ref": "a",
        },
        format="json",
    )
    second = client.post(
        "/api/v1/watchlist",
        {
            "purpose": "seller_onboarding",
            "identifiers": [{"type": "phone", "value": "+86 137 0000 5679"}],
            "ref": "b",
        },
        format="json",
    )

    assert (first.status_code, second.status_code) == (201, 429)


@pytest.mark.django_db
def test_the_gated_single_check_keeps_its_statement_budget(
    platform_analyst, brand_reporter, reviewer, django_assert_max_num_queries
):
    listed = "+86 137 0000 5678"
    report_make_accepted(brand_reporter, reviewer, [{"type": "phone", "value": listed}])
    client = client_for(platform_analyst)
    client.post(
        "/api/v1/checks",
        {"purpose": "seller_onboarding", "identifiers": [{"type": "phone", "value": "+86 137 0000 0001"}]},
        format="json",
    )

    # Once the key's last use is noted: 16 statements for a hit (key, token, evidence x4 (reports, store
    # accounts, current feedback, couriers' parcel events), policy, quota, canary, probes x2, window, the
    # matched tokens' subjects now and the match row, audit x2), and the savepoint around the request.
    # On PostgreSQL the token, its evidence and the policy are one statement (checks.check_lookup), and so
    # are the subjects now and the match row (matches.subject_matches_record): 10 and the savepoint's two.
    with django_assert_max_num_queries(12 if connection.vendor == "postgresql" else 18):
        response = client.post(
            "/api/v1/checks",
            {"purpose": "seller_onboarding", "identifiers": [{"type": "phone", "value": listed}]},
            format="json",
        )

    assert response.json()["level"] != "none"

"""Every main page of the portal, with who opens it: the list the quality harness
(tests/e2e/test_page_quality.py) walks in both languages and scripts/screenshots photographs.

A new page adds one `MainPage`: its name (the screenshot's file name), the persona that opens it
(None: a visitor, signed out), its URL name, and, when the page shows or names objects, `prepare`:
given the signed-in member, it makes the data the page shows and returns the URL's kwargs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from accounts.models import Member
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R

Persona = tuple[K, R]


@dataclass(frozen=True)
class MainPage:
    name: str
    persona: Persona | None
    # A URL name, or a path when it starts with "/" (an error page has no name).
    url_name: str
    prepare: Callable[[Member | None], dict] | None = field(default=None, compare=False)
    # The status the page answers with: the error pages are pages too.
    status: int = 200


# Names that read like the members in the seeds, so the screenshots look like the product in use.
ORGANISATION_NAMES = {
    K.RIGHTS_OWNER: "Hangzhou Silk Brands Ltd",
    K.PLATFORM: "ShopLive Marketplace",
    K.LOGISTICS: "SwiftParcel Express",
    K.COURT: "Shanghai Intellectual Property Court",
    K.OPERATOR: "Hub Operations",
    K.AUDITOR: "Data Protection Oversight Office",
}
USERNAMES = {
    R.ADMIN: "chen.wei",
    R.ANALYST: "wang.fang",
    R.REPORTER: "li.na",
    R.VIEWER: "zhou.min",
    R.REVIEWER: "liu.yang",
    R.DISCLOSURE_OFFICER: "zhao.lei",
}


def member_for(main_page: MainPage) -> Member | None:
    """The member who opens the page (None: a visitor), with a readable name and organisation."""
    from tests.factories import persona

    if main_page.persona is None:
        return None
    kind, role = main_page.persona
    member = persona(kind, role, name=ORGANISATION_NAMES[kind])
    member.user.username = USERNAMES[role]
    member.user.save(update_fields=["username"])
    return member


def session_cookie(member: Member, base: str) -> dict:
    """A signed-in session for the member (second factor passed where the role needs one), as a cookie."""
    from django.conf import settings
    from django.test import Client

    from tests.factories import web_login

    client = Client()
    web_login(client, member)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base}


def _notifications(member: Member | None) -> dict:
    from sharing.reports.services.notifications import notify

    assert member is not None
    for kind, data in (
        ("dispute.filed", {"dispute": "00000000-0000-4000-8000-000000000001", "due": "2026-12-14"}),
        (
            "appeal.granted",
            {
                "report": "00000000-0000-4000-8000-000000000002",
                "reason": "The registration certificate was provided.",
            },
        ),
    ):
        notify(organisation_id=member.organisation_id, kind=kind, data=data)
    return {}


def _reports(member: Member | None) -> dict:
    from tests.factories import persona, report_make, seller_identifiers

    reporter = persona(K.RIGHTS_OWNER, R.REPORTER)
    for n in range(3):
        report_make(reporter, seller_identifiers(n))
    return {}


def _disclosure(member: Member | None) -> dict:
    from tests.factories import disclosure_make

    return {"request_id": disclosure_make(clerk=member).public_id}


def _foreign_disclosure(member: Member | None) -> dict:
    """An order of a court outside the data's jurisdiction: the officer's page offers the authority's step."""
    from tests.factories import disclosure_make, persona

    clerk = persona(K.COURT, R.ANALYST, name="Court of First Instance", country="HK", jurisdiction="HK")
    return {"request_id": disclosure_make(clerk=clerk).public_id}


def _own_report(member: Member | None) -> dict:
    from tests.factories import report_make, seller_identifiers

    assert member is not None
    return {"report_id": report_make(member, seller_identifiers(11)).public_id}


def _disputed_own_report(member: Member | None) -> dict:
    from tests.factories import dispute_make

    dispute_make(reporter=member, n=12)
    return {}


def _reported_sellers_with_outcomes(member: Member | None) -> dict:
    """Two accepted reports of the member's, one of them disputed, and a seller reported by others too."""
    from tests.factories import dispute_make, persona, report_make_accepted, seller_identifiers

    dispute_make(reporter=member, n=16)
    reviewer = persona(K.OPERATOR, R.REVIEWER)
    identifiers = seller_identifiers(17)
    report_make_accepted(member, reviewer, identifiers)
    other = persona(K.RIGHTS_OWNER, R.REPORTER)
    report_make_accepted(
        other, reviewer, [identifiers[0], {"type": "store_url", "value": "https://shop17.example/"}]
    )
    return {}


def _pending_report_for_review(member: Member | None) -> dict:
    from tests.factories import persona, report_make, seller_identifiers

    reporter = persona(K.RIGHTS_OWNER, R.REPORTER, name="Hangzhou Silk Brands Ltd")
    report = report_make(reporter, seller_identifiers(13))
    for n in range(14, 16):
        report_make(reporter, seller_identifiers(n))
    return {"report_id": report.public_id}


def _pending_reports(member: Member | None) -> dict:
    """Pending reports, one of them an urgent live-room report (its badge, reason and target are shown)."""
    from accounts.actors import Actor
    from sharing.reports.inputs import ReportSubmitInput
    from sharing.reports.services.reports import report_submit
    from tests.factories import persona, report_body

    _pending_report_for_review(member)
    reporter = persona(K.RIGHTS_OWNER, R.REPORTER, name="Shenzhen Sports Brands Ltd")
    live_room = [
        {"type": "live_room", "value": "douyin:880012345678"},
        {"type": "phone", "value": "+86 139 2000 7788"},
    ]
    payload = ReportSubmitInput(data={**report_body(live_room), "urgent": True, "urgency_reason": "live_now"})
    payload.is_valid(raise_exception=True)
    report_submit(submission=payload.to_submission(), actor=Actor(member=reporter))
    return {}


def _parcel_event_recorded(member: Member | None) -> dict:
    """The courier's own parcel event, on a seller its organisation reported."""
    from accounts.actors import Actor
    from sharing.parcels.inputs import ParcelEventInput
    from sharing.parcels.services import parcel_event_record
    from tests.factories import member_make, report_make

    assert member is not None
    report = report_make(
        member_make(member.organisation, R.REPORTER),
        [
            {"type": "observed_national_id", "value": "CN:110105194912310021"},
            {"type": "phone", "value": "+86 139 2000 7788"},
        ],
    )
    given = ParcelEventInput(
        data={
            "kind": "seized",
            "occurred_at": "2026-11-30T21:40:00+08:00",
            "origin_region": "CN-GD",
            "category": "counterfeit",
            "report_id": str(report.public_id),
            "identifiers": [
                {"type": "waybill", "value": "sf:SF1234567890126"},
                {"type": "phone", "value": "+86 139 2000 7788"},
            ],
        }
    )
    given.is_valid(raise_exception=True)
    parcel_event_record(given=given.to_given(), actor=Actor(member=member))
    return {}


def _disputes_to_decide(member: Member | None) -> dict:
    _dispute_to_decide(member)
    return {}


def _dispute_to_decide(member: Member | None) -> dict:
    from tests.factories import dispute_make

    dispute, _ = dispute_make(n=17, answered=True)
    return {"dispute_id": dispute.public_id}


def _disputes_filed(member: Member | None) -> dict:
    from tests.factories import dispute_make

    dispute_make(filer=member, n=18)
    return {}


def _feedback_given(member: Member | None) -> dict:
    """A seller two brands listed, checked by the member's organisation, which then acted on it."""
    from accounts.actors import Actor
    from sharing.checks.services.checks import check_run
    from sharing.feedback.services.feedback import FeedbackGiven, feedback_record
    from sharing.subjects.inputs import raw_identifiers
    from tests.factories import persona, report_make_accepted, seller_identifiers

    assert member is not None
    reviewer = persona(K.OPERATOR, R.REVIEWER)
    for _ in range(2):
        report_make_accepted(persona(K.RIGHTS_OWNER, R.REPORTER), reviewer, seller_identifiers(23))
    actor = Actor(member=member)
    checked = check_run(
        purpose="seller_onboarding", identifiers=raw_identifiers(seller_identifiers(23)), actor=actor
    )
    given = FeedbackGiven("acted", "delisted", ("test_purchase",), "Shop 23 closed after a test purchase.")
    feedback_record(actor=actor, given=given, check_id=checked.check_id)
    return {}


def _watched(member: Member | None) -> dict:
    from accounts.actors import Actor
    from sharing.subjects.inputs import raw_identifiers
    from sharing.watchlists.services.watchlists import watchlist_add
    from tests.factories import seller_identifiers

    assert member is not None
    watchlist_add(
        purpose="seller_onboarding",
        identifiers=raw_identifiers(seller_identifiers(19)),
        ref="seller-19",
        actor=Actor(member=member),
    )
    return {}


def _sales_totals_asked(member: Member | None) -> dict:
    from tests.factories import sales_totals_make

    assert member is not None
    sales_totals_make(requester=member, seller=24)
    return {}


def _sales_totals_task(member: Member | None) -> dict:
    from tests.factories import sales_totals_make

    assert member is not None
    sales_totals_make(seller=25, contributor=member.organisation)
    return {}


def _transparency_listed(member: Member | None) -> dict:
    _transparency_published(member)
    return {}


def _members_acted(member: Member | None) -> dict:
    """A platform that checked a listed seller and acted on it: a row of the operators' indicators."""
    from tests.factories import persona

    _feedback_given(persona(K.PLATFORM, R.ANALYST, name=ORGANISATION_NAMES[K.PLATFORM]))
    return {}


def _transparency_published(member: Member | None) -> dict:
    """Last quarter's report, with enough reporters, checks and orders behind it to show numbers."""
    from datetime import timedelta

    from django.utils import timezone

    from sharing.models import Report
    from sharing.transparency.publication import transparency_report_publish
    from sharing.transparency.selectors import quarter_of
    from tests.factories import persona, report_make_accepted, seller_identifiers

    quarter = quarter_of(timezone.now()).previous()
    reviewer = persona(K.OPERATOR, R.REVIEWER)
    for n in range(4):
        report_make_accepted(persona(K.RIGHTS_OWNER, R.REPORTER), reviewer, seller_identifiers(26 + n))
    inside = quarter.start + timedelta(days=20)
    Report.objects.update(submitted_at=inside, reviewed_at=inside + timedelta(hours=30))
    report = transparency_report_publish(quarter=quarter)
    assert report is not None
    return {"period": report.period}


MAIN_PAGES: tuple[MainPage, ...] = (
    # Everyone, signed out.
    MainPage("sign-in", None, "login"),
    MainPage("join", None, "join"),
    MainPage("my-listing", None, "subject-start"),
    MainPage("password-reset", None, "password-reset"),
    MainPage("transparency", None, "transparency-index", _transparency_listed),
    MainPage("transparency-quarter", None, "transparency-quarter", _transparency_published),
    # Everyone, signed in.
    MainPage("home-rights-owner", (K.RIGHTS_OWNER, R.REPORTER), "home"),
    MainPage("home-platform-admin", (K.PLATFORM, R.ADMIN), "home"),
    MainPage("notifications", (K.RIGHTS_OWNER, R.REPORTER), "notifications-page", _notifications),
    MainPage("api-keys", (K.RIGHTS_OWNER, R.REPORTER), "api-keys-page"),
    # Rights owners.
    MainPage("report-new", (K.RIGHTS_OWNER, R.REPORTER), "report-new"),
    MainPage("reports", (K.RIGHTS_OWNER, R.REPORTER), "report-list", _disputed_own_report),
    MainPage("report", (K.RIGHTS_OWNER, R.REPORTER), "report-page", _own_report),
    MainPage("disputes-to-answer", (K.RIGHTS_OWNER, R.REPORTER), "owner-dispute-list", _disputed_own_report),
    MainPage("standing", (K.RIGHTS_OWNER, R.REPORTER), "standing"),
    MainPage("outcomes", (K.RIGHTS_OWNER, R.REPORTER), "outcomes-page", _reported_sellers_with_outcomes),
    MainPage("statistics", (K.RIGHTS_OWNER, R.REPORTER), "statistics-page", _reported_sellers_with_outcomes),
    MainPage("sales-totals", (K.RIGHTS_OWNER, R.REPORTER), "sales-totals-page", _sales_totals_asked),
    # Platform and logistics.
    MainPage("check", (K.PLATFORM, R.ANALYST), "check-page"),
    MainPage("watchlist", (K.PLATFORM, R.ANALYST), "watchlist-page", _watched),
    MainPage("feedback", (K.PLATFORM, R.ANALYST), "feedback-page", _feedback_given),
    MainPage("sales-totals-tasks", (K.PLATFORM, R.ANALYST), "sales-totals-tasks-page", _sales_totals_task),
    MainPage("disputes-filed", (K.PLATFORM, R.ANALYST), "disputes-filed", _disputes_filed),
    MainPage("webhooks", (K.PLATFORM, R.ADMIN), "webhooks-page"),
    MainPage("policy", (K.PLATFORM, R.ADMIN), "policy-page"),
    MainPage("feed-subscriptions", (K.PLATFORM, R.ANALYST), "feed-subscriptions-page"),
    MainPage("bulk-screening", (K.PLATFORM, R.ANALYST), "bulk-list"),
    MainPage("parcel-events", (K.LOGISTICS, R.ANALYST), "parcel-events-page", _parcel_event_recorded),
    MainPage("members", (K.PLATFORM, R.ADMIN), "members-page"),
    MainPage("organisation-api-keys", (K.PLATFORM, R.ADMIN), "organisation-api-keys"),
    # Courts.
    MainPage("disclosures-court", (K.COURT, R.ANALYST), "disclosure-list"),
    MainPage("disclosure-new", (K.COURT, R.ANALYST), "disclosure-new"),
    MainPage("disclosure-court", (K.COURT, R.ANALYST), "disclosure-page", _disclosure),
    # Operator.
    MainPage("disclosures-officer", (K.OPERATOR, R.DISCLOSURE_OFFICER), "disclosure-list"),
    MainPage("applications", (K.OPERATOR, R.ADMIN), "operator-applications"),
    MainPage("disclosures-awaiting", (K.OPERATOR, R.DISCLOSURE_OFFICER), "disclosure-awaiting"),
    MainPage(
        "disclosure-officer-foreign",
        (K.OPERATOR, R.DISCLOSURE_OFFICER),
        "disclosure-page",
        _foreign_disclosure,
    ),
    MainPage("review-queue", (K.OPERATOR, R.REVIEWER), "reviewer-reports", _pending_reports),
    MainPage("review-report", (K.OPERATOR, R.REVIEWER), "reviewer-report", _pending_report_for_review),
    MainPage("review-disputes", (K.OPERATOR, R.REVIEWER), "reviewer-disputes", _disputes_to_decide),
    MainPage("review-dispute", (K.OPERATOR, R.REVIEWER), "reviewer-dispute", _dispute_to_decide),
    MainPage("canaries", (K.OPERATOR, R.ADMIN), "reviewer-canaries"),
    MainPage("transparency-draft", (K.OPERATOR, R.REVIEWER), "transparency-draft"),
    MainPage("transparency-indicators", (K.OPERATOR, R.REVIEWER), "transparency-indicators", _members_acted),
    # Oversight.
    MainPage("audit-log", (K.AUDITOR, R.ANALYST), "audit-log", _reports),
    MainPage("audit-restricted", (K.AUDITOR, R.ANALYST), "audit-restricted"),
    MainPage("audit-alerts", (K.AUDITOR, R.ANALYST), "audit-alerts"),
    MainPage("audit-checkpoints", (K.AUDITOR, R.ANALYST), "audit-checkpoints"),
    # Error pages, styled like the rest.
    MainPage("error-403", (K.RIGHTS_OWNER, R.REPORTER), "audit-log", status=403),
    MainPage("error-404", (K.RIGHTS_OWNER, R.REPORTER), "/no-such-page/", status=404),
)

"""In a real browser: a listed person proves their email by a code received over SMTP on loopback,
reads the statement of reasons and appeals; the reporter answers after its window (refused), so the
appeal succeeds (the reports lapse) and the listing leaves checks, the TAXII feed and watchlists in
the one transaction of that lapse."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.actors import Actor
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.models import (
    DisputedReport,
    DisputeStatus,
    FeedObjectVersion,
    Report,
    ReportStatus,
    WebhookOutbox,
)
from sharing.subjects.services.tokens import RawIdentifier
from sharing.watchlists.services.watchlists import watchlist_add
from sharing.watchlists.services.webhooks import webhook_register
from tests.factories import client_for, member_make, persona, report_make_accepted
from tests.smtp_server import body_of
from tests.webhook_receiver import receiver  # noqa: F401  (the fixture)

EMAIL = "stall.owner.e2e@example.net"
IDENTIFIERS = [{"type": "email", "value": EMAIL}, {"type": "phone", "value": "+86 138 0013 8777"}]


def _watching_platform(url: str):
    analyst = persona(K.PLATFORM, R.ANALYST)
    webhook_register(url=url, actor=Actor(member=member_make(analyst.organisation, R.ADMIN)))
    watchlist_add(
        identifiers=[RawIdentifier(i["type"], i["value"]) for i in IDENTIFIERS],
        ref="stall-1",
        purpose="seller_onboarding",
        actor=Actor(member=analyst),
    )
    return analyst


def _level(analyst) -> str:
    return (
        client_for(analyst)
        .post("/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": IDENTIFIERS}, format="json")
        .json()["level"]
    )


@pytest.mark.django_db(transaction=True)
def test_a_listed_person_proves_an_email_appeals_and_the_late_reporter_loses_the_listing_everywhere(
    live_server,
    page,
    smtp,
    receiver,  # noqa: F811
):
    from playwright.sync_api import expect

    base = live_server.url
    analyst = _watching_platform(receiver.url)
    reporter = persona(K.RIGHTS_OWNER, R.REPORTER)
    report = report_make_accepted(reporter, persona(K.OPERATOR, R.REVIEWER), IDENTIFIERS)
    assert _level(analyst) != "none"

    # The person asks for a code, reads it from the SMTP mailbox and proves the address.
    page.goto(f"{base}/my-listing/")
    page.select_option("#identifier_type", "email")
    page.fill("#value", EMAIL)
    page.locator("#subject-start button[type=submit]").click()
    page.wait_for_url(f"{base}/my-listing/code/")
    code = re.search(r"\b(\d{6})\b", body_of(smtp.wait_for(EMAIL)[0])).group(1)
    page.fill("#code", code)
    page.locator("#subject-code button[type=submit]").click()
    page.wait_for_url(f"{base}/my-listing/statement/")
    assert EMAIL not in page.url and code not in page.url

    # The statement of reasons: the check's answer, one independent reporter, the deadline.
    expect(page.locator("#subject-reporters")).to_have_text("1")
    expect(page.locator("#subject-categories")).to_contain_text("Counterfeit")
    expect(page.locator("#contest-title")).to_be_visible()
    page.fill("#grounds", "These goods are genuine; I buy them from the brand's own distributor.")
    page.locator("#subject-appeal button[type=submit]").click()
    expect(page.locator("#subject-disputes")).to_contain_text("Your appeal")
    expect(page.locator("#subject-disputes .dispute-status")).to_have_text("Open")

    # The reporter answers after its window: refused, and the reports lapse.
    DisputedReport.objects.update(response_due=timezone.localdate() - timedelta(days=1))
    feed_before = FeedObjectVersion.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    events_before = WebhookOutbox.objects.count()
    late = client_for(reporter).post(
        f"/api/v1/disputes/{DisputedReport.objects.get().dispute.public_id}/answer",
        {
            "note": "Suit filed.",
            "evidence": [{"name": "suit.pdf", "content_base64": base64.b64encode(b"%PDF").decode()}],
        },
        format="json",
    )
    assert late.status_code == 409

    report.refresh_from_db()
    assert report.status == ReportStatus.SUSPENDED
    assert _level(analyst) == "none"
    assert FeedObjectVersion.objects.filter(sequence__gt=feed_before, revoked=True).exists()
    assert WebhookOutbox.objects.count() > events_before
    assert DisputedReport.objects.get().dispute.status == DisputeStatus.LAPSED
    # That the three move in the lapse's one transaction (a failure after it rolls all three back) is
    # proved in tests/sharing/test_subject_access.py, where the failure can be injected.

    page.reload()
    expect(page.locator("#subject-not-listed")).to_be_visible()
    expect(page.locator("#subject-disputes .dispute-status")).to_have_text("Lapsed")
    assert Report.objects.filter(status=ReportStatus.ACCEPTED).count() == 0

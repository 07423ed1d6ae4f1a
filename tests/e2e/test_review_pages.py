"""An operator reviewer in a real browser, in English and in Chinese: opens the queue of pending
reports, opens a report's evidence file, accepts the report (its material closes at once), then
decides a dispute from the dispute queue after reading both sides and opening the reporter's
document. Each page is shot at 1280 and 360 px, with no sideways scroll."""

from __future__ import annotations

import pytest

from accounts.roles import OrganisationKind, Role
from sharing.models import DisputeStatus, Report, ReportStatus
from tests.e2e.steps import at_both_widths, sign_in, with_password
from tests.factories import dispute_make, persona
from tests.sharing.test_review_pages import EVIDENCE, STATEMENT, report_with_evidence

TEXT = {
    "en": {
        "queue": "Reports to review",
        "review": "Report review",
        "phone": "Phone number",
        "urgent": "Urgent",
        "closed": "Only a court order opens them again.",
        "disputes": "Disputes to decide",
        "clock": "The reporting side and its clock",
    },
    "zh-hans": {
        "queue": "待审核举报",
        "review": "举报审核",
        "phone": "电话号码",
        "urgent": "紧急",
        "closed": "仅凭法院命令方可再次打开",
        "disputes": "待裁决争议",
        "clock": "举报方及其期限",
    },
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_reviewer_opens_the_evidence_accepts_the_report_and_decides_a_dispute(
    live_server, browser, tmp_path, language
):
    from playwright.sync_api import expect

    text = TEXT[language]
    old = report_with_evidence(n=1)
    urgent = report_with_evidence(n=2, verification_level="court_judgment")
    dispute, _ = dispute_make(n=950, answered=True)
    reviewer = with_password(persona(OrganisationKind.OPERATOR, Role.REVIEWER))
    context = browser.new_context(
        locale="zh-CN" if language == "zh-hans" else "en-GB",
        extra_http_headers={"Accept-Language": language},
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url

    try:
        sign_in(page, base, reviewer)

        # The queue: the report claiming a court judgment is urgent and comes first.
        page.locator("#portal-reviewer-reports").click()
        expect(page.locator("h1")).to_have_text(text["queue"])
        first_row = page.locator("#review-queue tbody tr").first
        expect(first_row.locator(".badge-warn")).to_have_text(text["urgent"])
        expect(first_row.locator("a.review-link")).to_have_attribute(
            "href", f"/review/reports/{urgent.public_id}/"
        )
        at_both_widths(page, tmp_path, f"review-queue-{language}")

        # The report: its statement, its identifier types, and its evidence file, downloaded.
        page.locator(f'a[href="/review/reports/{old.public_id}/"]').click()
        expect(page.locator("h1")).to_have_text(text["review"])
        expect(page.locator("#statement")).to_contain_text(STATEMENT)
        expect(page.locator("#identifier-types")).to_contain_text(text["phone"])
        with page.expect_download() as download:
            page.locator("#evidence a.evidence-link").first.click()
        with open(download.value.path(), "rb") as saved:
            assert saved.read() == EVIDENCE
        at_both_widths(page, tmp_path, f"review-report-{language}")

        # Accept it: the page now says the material is closed, and shows none of it.
        page.fill("#accept-reason", "The test purchase receipt is genuine.")
        page.locator("#accept-form button[type=submit]").click()
        expect(page.locator("#review-closed")).to_contain_text(text["closed"])
        expect(page.locator("#statement")).to_have_count(0)
        old.refresh_from_db()
        assert old.status == ReportStatus.ACCEPTED and old.reviewed_by_id == reviewer.pk

        # The dispute queue: open the answered dispute, see both sides, uphold it.
        page.goto(f"{base}/review/disputes/")
        expect(page.locator("h1")).to_have_text(text["disputes"])
        at_both_widths(page, tmp_path, f"review-disputes-{language}")
        page.locator(f'a[href="/review/disputes/{dispute.public_id}/"]').click()
        expect(page.locator("#grounds")).to_contain_text("The seller holds a licence.")
        expect(page.locator("h2", has_text=text["clock"])).to_be_visible()
        expect(page.locator(".answer-note")).to_contain_text("Suit filed.")
        with page.expect_download() as download:
            page.locator("a.document-link", has_text="suit.pdf").click()
        with open(download.value.path(), "rb") as saved:
            assert saved.read() == b"%PDF"
        at_both_widths(page, tmp_path, f"review-dispute-{language}")
        page.locator("#outcome-upheld").check()
        page.fill("#decide-reason", "The suit was filed in time.")
        page.locator("#decide").click()
        expect(page.locator("#decide-form")).to_have_count(0)
        dispute.refresh_from_db()
        assert dispute.status == DisputeStatus.UPHELD
        assert Report.objects.get(pk=urgent.pk).status == ReportStatus.PENDING
    finally:
        context.close()

"""Issue 15's "done when", as one story in a real browser, in English and in Chinese: a rights owner
files a report with evidence; an operator reviewer opens the evidence and accepts the report; a
platform analyst checks the seller, sees it listed and disputes it; the rights owner answers the
dispute; a court clerk files an order by identifier; two distinct disclosure officers open the order
document and approve; the court downloads the package. Every step goes through the pages (clicks and
form fills); only the data each member starts with (organisations, passwords, the court's key) is made
directly. The per-area tests (test_rights_owner_pages, test_review_pages, test_analyst_pages,
test_court_pages) drive each page in more depth; their helpers and words are reused here."""

from __future__ import annotations

import re

import pytest

from accounts.audit.models import AuditEvent
from accounts.audit.tags import AuditTag
from accounts.models import Member
from accounts.roles import OrganisationKind, Role
from sharing.models import DisclosureStatus, Dispute, Report, ReportStatus
from tests.e2e.steps import sign_in, sign_out, with_password
from tests.e2e.test_analyst_pages import PHONE, _check
from tests.e2e.test_analyst_pages import WORDS as ANALYST_WORDS
from tests.e2e.test_court_pages import LANGUAGES as COURT_WORDS
from tests.e2e.test_court_pages import Cast, _file_by_identifier, _officer_approves
from tests.e2e.test_review_pages import TEXT as REVIEW_WORDS
from tests.e2e.test_rights_owner_pages import TEXT as OWNER_WORDS
from tests.factories import court_key_pair, member_make, persona

EVIDENCE = b"%PDF-1.7 test purchase receipt, order 42"
SELLER_EMAIL = "seller42@example.com"


def _file_report(page, base: str, owner: Member, words: dict) -> Report:
    """The rights owner files a report on the web form: the seller's phone and email, an evidence file.
    It claims an administrative decision, so that one report alone lists the seller."""
    from playwright.sync_api import expect

    sign_in(page, base, owner)
    page.goto(f"{base}/reports/new")
    expect(page.locator("h1")).to_have_text(words["new"])
    page.select_option("#identifier-0-type", "phone")
    page.select_option("#identifier-0-country", "CN")
    page.fill("#identifier-0-value", PHONE)
    page.locator("#identifier-0-value").blur()
    expect(page.locator("#identifier-0-verdict")).to_contain_text("+8613800138000")
    expect(page.locator("#identifier-0-verdict")).to_contain_text(words["valid"])
    page.select_option("#identifier-1-type", "email")
    page.fill("#identifier-1-value", SELLER_EMAIL)
    page.select_option("#id_ip_type", "trademark")
    page.fill("#id_right_registration_number", "12345678")
    page.select_option("#id_right_territory", "CN")
    page.fill("#id_right_holder", "Example Brand Co., Ltd.")
    page.select_option("#id_category", "counterfeit")
    page.select_option("#id_verification_level", "administrative_decision")
    page.fill("#id_statement", "Test purchase, order 42: counterfeit handbags.")
    page.set_input_files(
        "#id_evidence", files=[{"name": "receipt.pdf", "mimeType": "application/pdf", "buffer": EVIDENCE}]
    )
    page.check("#id_authenticity_guaranteed")
    page.click("#submit-report")
    page.wait_for_url(re.compile(r".*/reports/[0-9a-f-]{36}/$"))
    expect(page.locator(".messages")).to_contain_text(words["filed"])
    report = Report.objects.get(reporter_organisation=owner.organisation)
    assert page.url.endswith(f"/reports/{report.public_id}/")
    assert report.evidence_count == 1 and report.identifiers.count() == 2
    sign_out(page)
    return report


def _review(page, base: str, reviewer: Member, report: Report, words: dict) -> None:
    """The operator reviewer finds the report in the queue, downloads its evidence and accepts it,
    having checked the administrative decision it claims."""
    from playwright.sync_api import expect

    sign_in(page, base, reviewer)
    page.locator("#portal-reviewer-reports").click()
    expect(page.locator("h1")).to_have_text(words["queue"])
    page.locator(f'a[href="/review/reports/{report.public_id}/"]').click()
    expect(page.locator("h1")).to_have_text(words["review"])
    expect(page.locator("#identifier-types")).to_contain_text(words["phone"])
    with page.expect_download() as download:
        page.locator("#evidence a.evidence-link").first.click()
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == EVIDENCE
    page.fill("#accept-reason", "The receipt and the administrative decision are genuine.")
    page.check("#decision-verified")  # the claimed decision was checked: it weighs as official
    page.locator("#accept-form button[type=submit]").click()
    expect(page.locator("#review-closed")).to_contain_text(words["closed"])
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.reviewed_by_id == reviewer.pk
    assert report.decision_verified
    sign_out(page)


def _check_and_dispute(page, base: str, analyst: Member, words: dict) -> Dispute:
    """The platform analyst checks the seller by phone, sees it listed, and disputes it from the answer."""
    from playwright.sync_api import expect

    sign_in(page, base, analyst)
    page.locator("#portal-check-page").click()
    _check(page, words)  # the answer's level reads "Listed" in the page's language
    page.fill("#id-dispute-grounds", "The seller is the brand's licensee.")
    page.locator("#dispute-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/disputes/filed/[0-9a-f-]{36}/$"))
    expect(page.locator("#dispute-state")).to_have_text(words["disputed"])
    dispute = Dispute.objects.get(filed_by=analyst.organisation)
    assert page.url.endswith(f"/disputes/filed/{dispute.public_id}/")
    sign_out(page)
    return dispute


def _answer(page, base: str, owner: Member, dispute: Dispute, words: dict) -> None:
    """The rights owner finds the dispute, its clock in working days, and answers it with a document."""
    from playwright.sync_api import expect

    sign_in(page, base, owner)
    page.goto(f"{base}/disputes/")
    expect(page.locator("#dispute-table")).to_contain_text(words["days"])
    page.click(f"a[href='/disputes/{dispute.public_id}/']")
    page.fill("#id_note", "Suit filed at the IP court on 3 March.")
    page.set_input_files(
        "#id_answer_evidence", files=[{"name": "suit.pdf", "mimeType": "application/pdf", "buffer": b"%PDF"}]
    )
    page.click("#answer-dispute")
    page.wait_for_url(f"{base}/disputes/{dispute.public_id}/")
    expect(page.locator(".messages")).to_contain_text(words["answered"])
    expect(page.locator("#dispute-clocks")).to_contain_text(words["answered_badge"])
    assert dispute.covered.get().state == "answered"
    sign_out(page)


def _download(page, base: str, clerk: Member, order, words: dict) -> None:
    """A clerk of the court opens the order, now ready, and downloads the encrypted package."""
    from playwright.sync_api import expect

    sign_in(page, base, clerk)
    page.goto(f"{base}/disclosures/{order.public_id}/")
    expect(page.locator("#status")).to_contain_text(words["ready"])
    with page.expect_download() as downloading:
        page.get_by_role("link", name=words["download"]).click()
    package = downloading.value
    assert package.suggested_filename == f"disclosure-{order.public_id}.zip.age"
    with open(package.path(), "rb") as f:
        assert f.read(22) == b"age-encryption.org/v1\n"


@pytest.mark.usefixtures("eager_celery")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_report_goes_from_filing_to_a_court_package(live_server, browser, tmp_path, language):
    court_words = COURT_WORDS[language]
    owner = with_password(persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER, country="FR"))
    reviewer = with_password(persona(OrganisationKind.OPERATOR, Role.REVIEWER))
    analyst = with_password(persona(OrganisationKind.PLATFORM, Role.ANALYST))
    clerk = with_password(persona(OrganisationKind.COURT, Role.ANALYST, country="CN"))
    court_key_pair(clerk.organisation)
    colleague = with_password(member_make(clerk.organisation, Role.ANALYST))
    first = with_password(persona(OrganisationKind.OPERATOR, Role.DISCLOSURE_OFFICER))
    second = with_password(member_make(first.organisation, Role.DISCLOSURE_OFFICER))
    cast = Cast(clerk, colleague, (first, second), SELLER_EMAIL)

    context = browser.new_context(
        locale=court_words["locale"],
        extra_http_headers={"Accept-Language": court_words["accept"]},
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    base = live_server.url
    try:
        report = _file_report(page, base, owner, OWNER_WORDS[language])
        _review(page, base, reviewer, report, REVIEW_WORDS[language])
        dispute = _check_and_dispute(page, base, analyst, ANALYST_WORDS[language])
        assert dispute.covered.get().report_id == report.pk
        _answer(page, base, owner, dispute, OWNER_WORDS[language])

        order = _file_by_identifier(page, base, cast, court_words, tmp_path, language)
        for officer in cast.officers:
            _officer_approves(page, base, officer, order, court_words, tmp_path, language)
        order.refresh_from_db()
        assert order.status == DisclosureStatus.PACKAGE_READY
        opened = AuditEvent.objects.filter(action=AuditTag.DISCLOSURE_ORDER_DOCUMENT_OPENED)
        assert {e.actor_member_id for e in opened} == {first.pk, second.pk}

        _download(page, base, colleague, order, court_words)
    finally:
        context.close()

"""A platform analyst in a real browser, in English and in Chinese: checks a listed seller and sees
it listed with the explanation in their language, watches it, and files a dispute for it."""

from __future__ import annotations

import re

import pytest

from accounts.models import Member
from accounts.roles import OrganisationKind, Role
from sharing.models import Dispute, HitFeedback, WatchEntry
from tests.e2e.steps import at_both_widths, sign_in, with_password
from tests.factories import persona, report_make_accepted

PHONE = "+86 138 0013 8000"  # tests/factories.py seller_identifiers(0)
WORDS = {
    "en": {
        "header": "en",
        "listed": "Listed",
        "explanation": "Matched 1 subject directly, by a shared phone number; 2 live reports from 2 independent organisations.",
        "action": "Review before acting",
        "watched": "The seller is watched by 1 identifier.",
        "disputed": "Open: waiting for the reporter",
    },
    "zh-hans": {
        "header": "zh-Hans,zh;q=0.9",
        "listed": "已列入",
        "explanation": "通过共同的电话号码直接匹配到 1 个主体；2 份有效举报，来自 2 家独立机构。",
        "action": "先复核再处置",
        "watched": "已通过 1 个标识符关注该卖家。",
        "disputed": "进行中：等待举报方答复",
    },
}


def _seed() -> Member:
    reviewer = persona(OrganisationKind.OPERATOR, Role.REVIEWER)
    for _ in range(2):
        report_make_accepted(persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER), reviewer)
    analyst = persona(OrganisationKind.PLATFORM, Role.ANALYST)
    with_password(analyst)
    return analyst


def _browsing_in(browser, language: str):
    """A browser context whose person reads `language` (its locale and Accept-Language), and its page."""
    context = browser.new_context(
        locale="en-GB" if language == "en" else "zh-CN",
        extra_http_headers={"Accept-Language": WORDS[language]["header"]},
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _check(page, words: dict) -> None:
    from playwright.sync_api import expect

    page.select_option("#identifier-0-type", "phone")
    page.fill("#identifier-0-value", PHONE)
    page.select_option("#id-purpose", "seller_onboarding")
    page.locator("#check-form button[type=submit]").click()
    expect(page.locator("#check-level")).to_have_text(words["listed"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_analyst_checks_a_listed_seller_watches_it_and_disputes_it(
    live_server, browser, tmp_path, language
):
    from playwright.sync_api import expect

    words = WORDS[language]
    analyst = _seed()
    context, page = _browsing_in(browser, language)
    base = live_server.url

    sign_in(page, base, analyst)
    page.locator("#portal-check-page").click()
    at_both_widths(page, tmp_path, f"check-form-{language}")
    _check(page, words)
    expect(page.locator("#check-explanation")).to_have_text(words["explanation"])
    expect(page.locator("#check-action strong")).to_have_text(words["action"])
    assert PHONE not in page.url and "?" not in page.url
    at_both_widths(page, tmp_path, f"check-answer-{language}")

    page.fill("#id-watch-ref", "merchant-1042")
    page.locator("#watch-form button[type=submit]").click()
    page.wait_for_url(f"{base}/watchlist/")
    expect(page.locator(".messages")).to_contain_text(words["watched"])
    expect(page.locator("#watch-entries")).to_contain_text("merchant-1042")
    at_both_widths(page, tmp_path, f"watchlist-{language}")

    page.goto(f"{base}/check/")
    _check(page, words)
    page.fill("#id-dispute-grounds", "The seller is the brand's licensee.")
    page.locator("#dispute-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/disputes/filed/[0-9a-f-]{36}/$"))
    expect(page.locator("#dispute-state")).to_have_text(words["disputed"])
    at_both_widths(page, tmp_path, f"dispute-{language}")
    page.goto(f"{base}/disputes/filed/")
    at_both_widths(page, tmp_path, f"disputes-{language}")
    context.close()

    assert WatchEntry.objects.filter(organisation=analyst.organisation, ref="merchant-1042").count() == 1
    assert Dispute.objects.filter(filed_by=analyst.organisation).count() == 1


FEEDBACK_WORDS = {
    # One member acted: below the suppression threshold (3), so the count reads "fewer than 3".
    "en": {
        "recorded": "Your feedback was recorded.",
        "outcome": "We acted on this seller",
        "acted": "fewer than 3",
    },
    "zh-hans": {"recorded": "您的反馈已记录。", "outcome": "我们已对该卖家采取措施", "acted": "少于 3"},
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_analyst_checks_a_seller_and_marks_it_acted(live_server, browser, tmp_path, language):
    """The feedback form on the check's answer, in a real browser: axe-clean, then acted on; a
    colleague's next check counts nobody (one's own feedback is not independent of nothing: it is
    the organisation's own), another platform's check counts one member that acted: both read
    "fewer than 3" (small-count suppression), and neither shows the note."""
    from playwright.sync_api import expect

    from tests.e2e.test_page_quality import _axe_blocking

    words, feedback_words = WORDS[language], FEEDBACK_WORDS[language]
    analyst = _seed()
    context, page = _browsing_in(browser, language)
    base = live_server.url

    sign_in(page, base, analyst)
    page.goto(f"{base}/check/")
    _check(page, words)
    expect(page.locator("#check-acted")).to_have_text(feedback_words["acted"])
    assert _axe_blocking(page) == []
    page.locator("#id-feedback-outcome-acted").check()
    page.select_option("#id-feedback-action", "blocked")
    page.locator("#id-feedback-reason-test_purchase").check()
    page.fill("#id-feedback-note", "Refunded three buyers.")
    at_both_widths(page, tmp_path, f"feedback-form-{language}")
    page.locator("#feedback-form button[type=submit]").click()
    page.wait_for_url(f"{base}/feedback/")
    expect(page.locator(".messages")).to_contain_text(feedback_words["recorded"])
    expect(page.locator("#feedback-rows")).to_contain_text(feedback_words["outcome"])
    expect(page.locator("#feedback-rows")).to_contain_text("Refunded three buyers.")
    assert _axe_blocking(page) == []
    at_both_widths(page, tmp_path, f"feedback-{language}")
    context.close()

    other = persona(OrganisationKind.PLATFORM, Role.ANALYST)
    with_password(other)
    context, page = _browsing_in(browser, language)
    sign_in(page, base, other)
    page.goto(f"{base}/check/")
    _check(page, words)
    expect(page.locator("#check-acted")).to_have_text(feedback_words["acted"])
    assert "Refunded three buyers." not in page.content()
    context.close()

    assert HitFeedback.objects.get(organisation=analyst.organisation).action == "blocked"


ADMIN_WORDS = {
    "en": {
        "header": "en",
        "saved": "The action policy is saved",
        "summary": "Block at 2 live reports within 12 months",
    },
    "zh-hans": {
        "header": "zh-Hans,zh;q=0.9",
        "saved": "处置政策已保存",
        "summary": "12 个月内有 2 份有效举报即封禁",
    },
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_admin_registers_a_webhook_sets_the_policy_and_screens_a_file(
    live_server, browser, tmp_path, language
):
    from playwright.sync_api import expect

    words = ADMIN_WORDS[language]
    _seed()
    admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    with_password(admin)
    context, page = _browsing_in(browser, language)
    base = live_server.url

    sign_in(page, base, admin)
    page.locator("#portal-webhooks-page").click()
    page.fill("#id-url", "http://127.0.0.1:9/hook")
    page.locator("#webhook-register button[type=submit]").click()
    expect(page.locator("#webhook-secret code")).not_to_be_empty()
    at_both_widths(page, tmp_path, f"webhooks-{language}")
    page.locator("#webhooks a").first.click()
    at_both_widths(page, tmp_path, f"webhook-deliveries-{language}")

    page.goto(f"{base}/organisation/policy/")
    page.fill("#id-strikes", "2")
    page.fill("#id-window", "12")
    page.locator("#policy-form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text(words["saved"])
    expect(page.locator("#policy-summary")).to_contain_text(words["summary"])
    at_both_widths(page, tmp_path, f"policy-{language}")

    page.goto(f"{base}/bulk/")
    page.set_input_files(
        "#id_file",
        files=[
            {"name": "s.csv", "mimeType": "text/csv", "buffer": f"ref,phone\nseller-0,{PHONE}\n".encode()}
        ],
    )
    page.select_option("#id-purpose", "seller_onboarding")
    page.locator("#bulk-upload button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/bulk/[0-9a-f-]{36}/$"))
    expect(page.locator("#bulk-summary")).to_be_visible()
    at_both_widths(page, tmp_path, f"bulk-job-{language}")
    page.goto(f"{base}/bulk/")
    at_both_widths(page, tmp_path, f"bulk-list-{language}")
    context.close()

"""The existing pages in a real browser, in English and in Simplified Chinese (chosen by the
browser's Accept-Language, then by the language switch): an auditor logs in, reads the audit log
and meets a 404; an administrator opens the members page. Each page is photographed at 1280 and
360 px wide and never scrolls sideways (wide tables scroll inside their .table-wrap)."""

from __future__ import annotations

import pytest

from accounts.audit.checkpoints import checkpoint_create
from accounts.models import Member
from accounts.roles import OrganisationKind, Role
from tests.e2e.steps import at_both_widths, sign_in, with_password
from tests.factories import persona, report_make, seller_identifiers

ACCEPT = {"en": "en-GB,en;q=0.8", "zh-hans": "zh-CN,zh;q=0.9"}
WORDS = {
    "en": {"login": "Log in", "audit": "Audit log", "members": "Members of", "404": "Page not found"},
    "zh-hans": {"login": "登录", "audit": "审计日志", "members": "的成员", "404": "页面不存在"},
}


def _member(kind: str, role: str) -> Member:
    return with_password(persona(kind, role))


def _log_in(page, base: str, member: Member, language: str) -> None:
    """The sign-in page first speaks the browser's language; then the member signs in."""
    from playwright.sync_api import expect

    page.goto(f"{base}/accounts/login/")
    expect(page.locator("h1")).to_have_text(WORDS[language]["login"])
    sign_in(page, base, member)


@pytest.fixture
def context_in(browser):
    contexts = []

    def opened(language: str):
        context = browser.new_context(
            locale="zh-CN" if language == "zh-hans" else "en-GB",
            extra_http_headers={"Accept-Language": ACCEPT[language]},
            viewport={"width": 1280, "height": 900},
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield opened
    for context in contexts:
        context.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_auditor_reads_the_log_and_meets_a_404_in_either_language(
    live_server, context_in, tmp_path, language
):
    from playwright.sync_api import expect

    reporter = persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER, country="FR")
    for n in range(3):
        report_make(reporter, seller_identifiers(n))
    checkpoint_create()
    auditor = _member(OrganisationKind.AUDITOR, Role.ANALYST)
    page, base = context_in(language), live_server.url

    page.goto(f"{base}/accounts/login/")
    at_both_widths(page, tmp_path, f"login-{language}")
    _log_in(page, base, auditor, language)
    page.locator("#portal-audit-log").click()

    expect(page.locator("h1")).to_have_text(WORDS[language]["audit"])
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#filter-apply")).to_have_text("Filter" if language == "en" else "筛选")
    assert page.locator("#audit-events tbody tr").count() >= 3
    at_both_widths(page, tmp_path, f"audit-log-{language}")
    page.locator("#audit-events a.event-link").first.click()
    expect(page.locator("#inclusion")).to_contain_text("Inclusion proof" if language == "en" else "包含证明")
    at_both_widths(page, tmp_path, f"audit-event-{language}")

    page.goto(f"{base}/no-such-page/")
    expect(page.locator("h1")).to_have_text(WORDS[language]["404"])
    at_both_widths(page, tmp_path, f"404-{language}")


@pytest.mark.django_db(transaction=True)
def test_the_switch_turns_the_members_page_into_chinese_and_back(live_server, context_in, tmp_path):
    from playwright.sync_api import expect

    admin = _member(OrganisationKind.PLATFORM, Role.ADMIN)
    page, base = context_in("en"), live_server.url
    _log_in(page, base, admin, "en")
    page.goto(f"{base}/organisation/members/")
    expect(page.locator("h1")).to_contain_text(WORDS["en"]["members"])
    at_both_widths(page, tmp_path, "members-en")

    page.select_option("#language-select", "zh-hans")
    page.locator(".language-switch button").click()

    expect(page.locator("h1")).to_contain_text(WORDS["zh-hans"]["members"])
    expect(page.locator("#invite button[type=submit]")).to_have_text("发送邀请")
    expect(page.locator(f'tr[data-member="{admin.public_id}"] td').nth(1)).to_have_text("管理员")
    at_both_widths(page, tmp_path, "members-zh-hans")

    page.select_option("#language-select", "en")
    page.locator(".language-switch button").click()
    expect(page.locator("#invite button[type=submit]")).to_have_text("Send invitation")

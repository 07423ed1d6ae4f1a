"""The existing pages in a real browser, in English and in Simplified Chinese (chosen by the
browser's Accept-Language, then by the language switch): an auditor logs in, reads the audit log
and meets a 404; an administrator opens the members page. Each page is photographed at 1280 and
360 px wide and never scrolls sideways (wide tables scroll inside their .table-wrap)."""

from __future__ import annotations

import re

import pytest

from accounts.audit.checkpoints import checkpoint_create
from accounts.models import Member
from accounts.roles import OrganisationKind, Role, second_factor_required
from tests.factories import persona, report_make, seller_identifiers, totp_code, totp_device_for

PASSWORD = "correct horse battery staple"
ACCEPT = {"en": "en-GB,en;q=0.8", "zh-hans": "zh-CN,zh;q=0.9"}
WORDS = {
    "en": {"login": "Log in", "audit": "Audit log", "members": "Members of", "404": "Page not found"},
    "zh-hans": {"login": "登录", "audit": "审计日志", "members": "的成员", "404": "页面不存在"},
}


def _member(kind: str, role: str) -> Member:
    member = persona(kind, role)
    member.user.set_password(PASSWORD)
    member.user.save()
    return member


def _log_in(page, base: str, member: Member, language: str) -> None:
    needs_code = second_factor_required(member.organisation_kind, member.role)
    device = totp_device_for(member) if needs_code else None  # enrolled before, as in test_audit_review
    page.goto(f"{base}/accounts/login/")
    from playwright.sync_api import expect

    expect(page.locator("h1")).to_have_text(WORDS[language]["login"])
    page.fill("#id_username", member.user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    if device is not None:
        page.wait_for_url(re.compile(r".*/account/two-factor/verify/.*"))
        page.fill("#id_code", totp_code(device))
        page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/")


STICKING_OUT = """Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap'))
  .slice(0, 8).map(e => `${e.tagName}#${e.id}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""


def _photograph(page, tmp_path, name: str) -> None:
    """At 1280 and 360 px: a screenshot, and no horizontal overflow of the page itself."""
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(tmp_path / f"{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"{name} overflows the page at {width} px: {page.evaluate(STICKING_OUT)}"
        )
    page.set_viewport_size({"width": 1280, "height": 900})


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
    _photograph(page, tmp_path, f"login-{language}")
    _log_in(page, base, auditor, language)
    page.locator("#portal-audit-log").click()

    expect(page.locator("h1")).to_have_text(WORDS[language]["audit"])
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#filter-apply")).to_have_text("Filter" if language == "en" else "筛选")
    assert page.locator("#audit-events tbody tr").count() >= 3
    _photograph(page, tmp_path, f"audit-log-{language}")
    page.locator("#audit-events a.event-link").first.click()
    expect(page.locator("#inclusion")).to_contain_text("Inclusion proof" if language == "en" else "包含证明")
    _photograph(page, tmp_path, f"audit-event-{language}")

    page.goto(f"{base}/no-such-page/")
    expect(page.locator("h1")).to_have_text(WORDS[language]["404"])
    _photograph(page, tmp_path, f"404-{language}")


@pytest.mark.django_db(transaction=True)
def test_the_switch_turns_the_members_page_into_chinese_and_back(live_server, context_in, tmp_path):
    from playwright.sync_api import expect

    admin = _member(OrganisationKind.PLATFORM, Role.ADMIN)
    page, base = context_in("en"), live_server.url
    _log_in(page, base, admin, "en")
    page.goto(f"{base}/organisation/members/")
    expect(page.locator("h1")).to_contain_text(WORDS["en"]["members"])
    _photograph(page, tmp_path, "members-en")

    page.select_option("#language-select", "zh-hans")
    page.locator(".language-switch button").click()

    expect(page.locator("h1")).to_contain_text(WORDS["zh-hans"]["members"])
    expect(page.locator("#invite button[type=submit]")).to_have_text("发送邀请")
    expect(page.locator(f'tr[data-member="{admin.public_id}"] td').nth(1)).to_have_text("管理员")
    _photograph(page, tmp_path, "members-zh-hans")

    page.select_option("#language-select", "en")
    page.locator(".language-switch button").click()
    expect(page.locator("#invite button[type=submit]")).to_have_text("Send invitation")

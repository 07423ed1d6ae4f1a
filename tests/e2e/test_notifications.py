"""A rights owner reads their notifications in a real browser, in English and in Chinese: the header
shows the unread count, marking one read (a plain POST, no JavaScript) clears it, and the page fits 360 px."""

from __future__ import annotations

import pytest

from accounts.roles import OrganisationKind, Role
from sharing.reports.services.notifications import notify
from tests.e2e.pages import session_cookie
from tests.factories import persona

WORDS = {
    "en": {
        "title": "Notifications",
        "mark": "Mark as read",
        "done": "The notification is marked read.",
        "message": "Show by 2026-12-14 that a complaint or suit was filed",
    },
    "zh-hans": {
        "title": "通知",
        "mark": "标为已读",
        "done": "该通知已标为已读。",
        "message": "请在 2026-12-14 之前证明已提起投诉或诉讼",
    },
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", list(WORDS))
def test_a_rights_owner_reads_and_marks_a_notification(live_server, browser, language, tmp_path):
    from playwright.sync_api import expect

    member = persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER)
    notify(
        organisation_id=member.organisation_id,
        kind="dispute.filed",
        data={"dispute": "00000000-0000-4000-8000-000000000001", "due": "2026-12-14"},
    )
    context = browser.new_context(extra_http_headers={"Accept-Language": language}, java_script_enabled=False)
    context.add_cookies([session_cookie(member, live_server.url)])
    page = context.new_page()
    words = WORDS[language]

    page.goto(f"{live_server.url}/")
    expect(page.locator("#unread-count")).to_contain_text("1")
    page.locator(".site-nav a[href='/notifications/']").click()
    expect(page.locator("h1")).to_have_text(words["title"])
    expect(page.locator(".notification-message")).to_contain_text(words["message"])  # the reader's language
    page.set_viewport_size({"width": 360, "height": 800})
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(tmp_path / f"notifications-{language}-360.png"), full_page=True)
    page.locator("#notifications button", has_text=words["mark"]).click()

    expect(page.locator(".messages")).to_contain_text(words["done"])
    expect(page.locator("#unread-count")).to_have_count(0)
    expect(page.locator(".notification-unread")).to_have_count(0)
    assert fits
    context.close()

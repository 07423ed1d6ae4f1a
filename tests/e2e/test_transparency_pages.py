"""The public transparency report in a real browser, signed out, in English and in Simplified
Chinese: the list of quarters, then a quarter's charts with their numbers beside them (small counts
read "fewer than 3"), photographed at both widths without sideways scrolling; the language switch
turns the page into the other language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import OrganisationKind, Role
from sharing.transparency.publication import transparency_report_publish
from sharing.transparency.selectors import quarter_of
from tests.e2e.steps import at_both_widths
from tests.factories import persona, report_make, seller_identifiers

ACCEPT = {"en": "en-GB,en;q=0.8", "zh-hans": "zh-CN,zh;q=0.9"}
WORDS = {
    "en": {"title": "Transparency report", "fewer": "fewer than 3", "chart": "Reports filed, by category"},
    "zh-hans": {"title": "透明度报告", "fewer": "少于 3", "chart": "提交的举报（按类别）"},
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_anyone_reads_a_quarters_report_with_its_charts_in_either_language(
    browser, live_server, tmp_path, language
):
    from playwright.sync_api import expect

    for n in range(3):
        report_make(persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER), seller_identifiers(n))
    quarter = quarter_of(timezone.now())
    report = transparency_report_publish(quarter=quarter, now=quarter.end + timedelta(hours=1))
    context = browser.new_context(
        locale="zh-CN" if language == "zh-hans" else "en-GB",
        extra_http_headers={"Accept-Language": ACCEPT[language]},
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    words = WORDS[language]

    page.goto(f"{live_server.url}/transparency/")
    expect(page.locator("h1")).to_have_text(words["title"])
    at_both_widths(page, tmp_path, f"transparency-index-{language}")
    page.get_by_role("link", name=report.period).click()

    expect(page.locator("h1")).to_contain_text(report.period)
    expect(page.locator("figure.chart svg")).to_have_count(7)
    expect(page.locator("#chart-title-categories")).to_have_text(words["chart"])
    expect(page.locator("#table-categories")).to_contain_text("3")
    expect(page.locator("#table-disclosure")).to_contain_text(words["fewer"])
    expect(page.locator("#chart-categories rect")).to_have_count(1)  # counterfeit: 3; the rest withheld
    at_both_widths(page, tmp_path, f"transparency-quarter-{language}")
    other = "zh-hans" if language == "en" else "en"
    page.locator("#language-select").select_option(other)
    page.locator("form.language-switch button[type=submit]").click()
    expect(page.locator("#chart-title-categories")).to_have_text(WORDS[other]["chart"])
    context.close()

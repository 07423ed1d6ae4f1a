"""A rights owner's main flow in a real browser, in English and in Chinese: file a report with an
evidence file (the identifier rows checked live, one row added with the button), find it in My
reports, then answer the dispute a platform files against it, with the clock shown in working days."""

from __future__ import annotations

import re

import pytest

from accounts.actors import Actor
from accounts.models import Member
from accounts.roles import OrganisationKind, Role, second_factor_required
from sharing.due_process.services.disputes import dispute_file
from sharing.models import Report
from sharing.reports.services.reports import report_accept
from sharing.subjects.inputs import raw_identifiers
from tests.e2e.test_audit_review import PASSWORD, _with_password
from tests.factories import persona, totp_code, totp_device_for

TEXT = {
    "en": {
        "new": "File a report",
        "valid": "Valid under the rules of China (mainland) (CN).",
        "filed": "Your report was filed.",
        "mine": "My reports",
        "days": "working days left",
        "answered": "Your answer was recorded",
        "answered_badge": "Answered",
        "trusted": "not a trusted flagger",
    },
    "zh-hans": {
        "new": "提交举报",
        "valid": "按中国（内地） (CN)的规则校验有效。",
        "filed": "您的举报已提交。",
        "mine": "我的举报",
        "days": "个工作日",
        "answered": "您的答复已记录",
        "answered_badge": "已答复",
        "trusted": "不是可信举报人",
    },
}
LOCALES = {"en": "en-GB", "zh-hans": "zh-CN"}


def _sign_in(page, base: str, member: Member) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", member.user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    if second_factor_required(member.organisation_kind, member.role):
        page.wait_for_url(re.compile(r".*/account/two-factor/verify/.*"))
        page.fill("#id_code", totp_code(totp_device_for(member)))
        page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def _shots(page, tmp_path, name: str, language: str) -> None:
    """Each main page at 1280 and 360 px wide: a screenshot, and no horizontal scrolling."""
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(tmp_path / f"{name}-{language}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (name, width)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_rights_owner_files_a_report_and_answers_its_dispute(live_server, browser, tmp_path, language):
    from playwright.sync_api import expect

    text = TEXT[language]
    owner = _with_password(persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER, country="FR"))
    reviewer = persona(OrganisationKind.OPERATOR, Role.REVIEWER, country="GB")
    platform = persona(OrganisationKind.PLATFORM, Role.ANALYST)
    evidence = tmp_path / "receipt.pdf"
    evidence.write_bytes(b"%PDF-1.7 test purchase receipt")
    context = browser.new_context(
        locale=LOCALES[language],
        extra_http_headers={"Accept-Language": LOCALES[language]},
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url

    _sign_in(page, base, owner)
    page.goto(f"{base}/reports/new")
    assert page.locator("h1").inner_text() == text["new"]
    page.select_option("#identifier-0-type", "phone")
    page.select_option("#identifier-0-country", "CN")
    page.fill("#identifier-0-value", "138 0013 8000")
    page.locator("#identifier-0-value").blur()
    expect(page.locator("#identifier-0-verdict")).to_contain_text("+8613800138000")
    assert text["valid"] in page.locator("#identifier-0-verdict").inner_text()
    page.click("#add-identifier")  # a fourth row, added in place by the script
    page.wait_for_selector("#identifier-3-value")
    page.select_option("#identifier-3-type", "email")
    page.fill("#identifier-3-value", "seller@example.com")
    page.select_option("#id_ip_type", "trademark")
    page.fill("#id_right_registration_number", "12345678")
    page.select_option("#id_right_territory", "CN")
    page.fill("#id_right_holder", "Example Brand Co., Ltd.")
    page.select_option("#id_category", "counterfeit")
    page.select_option("#id_verification_level", "rights_owner_verified")
    page.fill("#id_statement", "Test purchase, order 42: counterfeit handbags.")
    page.set_input_files("#id_evidence", str(evidence))
    page.check("#id_authenticity_guaranteed")
    _shots(page, tmp_path, "report-new", language)
    page.click("#submit-report")
    page.wait_for_url(re.compile(r".*/reports/[0-9a-f-]{36}/$"))

    report = Report.objects.get(reporter_organisation=owner.organisation)
    assert text["filed"] in page.locator(".messages").inner_text()
    assert report.evidence_count == 1 and report.identifiers.count() == 2
    assert report.authenticity_guaranteed_at is not None and report.right_holder == "Example Brand Co., Ltd."
    _shots(page, tmp_path, "report-page", language)

    page.goto(f"{base}/reports/")
    assert page.locator("h1").inner_text() == text["mine"]
    assert str(report.public_id)[:8] in page.locator("#report-table").inner_text()
    _shots(page, tmp_path, "my-reports", language)

    report_accept(report=report, reason="Receipt checked.", actor=Actor(member=reviewer))
    dispute = dispute_file(
        identifiers=raw_identifiers([{"type": "phone", "value": "+86 138 0013 8000"}]),
        grounds="The seller holds a licence.",
        evidence=[],
        actor=Actor(member=platform),
    )
    page.goto(f"{base}/disputes/")
    assert text["days"] in page.locator("#dispute-table").inner_text()
    _shots(page, tmp_path, "disputes", language)
    page.click(f"a[href='/disputes/{dispute.public_id}/']")
    page.fill("#id_note", "Suit filed at the IP court on 3 March.")
    page.set_input_files("#id_answer_evidence", str(evidence))
    page.click("#answer-dispute")
    page.wait_for_url(f"{base}/disputes/{dispute.public_id}/")

    assert text["answered"] in page.locator(".messages").inner_text()
    assert text["answered_badge"] in page.locator("#dispute-clocks").inner_text()
    assert dispute.covered.get().state == "answered"
    _shots(page, tmp_path, "dispute", language)

    page.goto(f"{base}/standing/")
    assert text["trusted"] in page.locator("#trusted-flagger").inner_text()
    _shots(page, tmp_path, "standing", language)
    context.close()

"""A rights owner's main flow in a real browser, in English and in Chinese: file a report with an
evidence file (the identifier rows checked live, one row added with the button), find it in My
reports, then answer the dispute a platform files against it, with the clock shown in working days."""

from __future__ import annotations

import re

import pytest

from accounts.actors import Actor
from accounts.models import Member
from accounts.roles import OrganisationKind, Role
from sharing.due_process.services.disputes import dispute_file
from sharing.models import Report
from sharing.reports.services.reports import report_accept
from sharing.subjects.inputs import raw_identifiers
from tests.e2e.steps import at_both_widths, sign_in, with_password
from tests.factories import persona

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


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_rights_owner_files_a_report_and_answers_its_dispute(live_server, browser, tmp_path, language):
    from playwright.sync_api import expect

    text = TEXT[language]
    owner = with_password(persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER, country="FR"))
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

    sign_in(page, base, owner)
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
    at_both_widths(page, tmp_path, f"report-new-{language}")
    page.click("#submit-report")
    page.wait_for_url(re.compile(r".*/reports/[0-9a-f-]{36}/$"))

    report = Report.objects.get(reporter_organisation=owner.organisation)
    assert text["filed"] in page.locator(".messages").inner_text()
    assert report.evidence_count == 1 and report.identifiers.count() == 2
    assert report.authenticity_guaranteed_at is not None and report.right_holder == "Example Brand Co., Ltd."
    at_both_widths(page, tmp_path, f"report-page-{language}")

    page.goto(f"{base}/reports/")
    assert page.locator("h1").inner_text() == text["mine"]
    assert str(report.public_id)[:8] in page.locator("#report-table").inner_text()
    at_both_widths(page, tmp_path, f"my-reports-{language}")

    report_accept(report=report, reason="Receipt checked.", actor=Actor(member=reviewer))
    dispute = dispute_file(
        identifiers=raw_identifiers([{"type": "phone", "value": "+86 138 0013 8000"}]),
        grounds="The seller holds a licence.",
        evidence=[],
        actor=Actor(member=platform),
    )
    page.goto(f"{base}/disputes/")
    assert text["days"] in page.locator("#dispute-table").inner_text()
    at_both_widths(page, tmp_path, f"disputes-{language}")
    page.click(f"a[href='/disputes/{dispute.public_id}/']")
    page.fill("#id_note", "Suit filed at the IP court on 3 March.")
    page.set_input_files("#id_answer_evidence", str(evidence))
    page.click("#answer-dispute")
    page.wait_for_url(f"{base}/disputes/{dispute.public_id}/")

    assert text["answered"] in page.locator(".messages").inner_text()
    assert text["answered_badge"] in page.locator("#dispute-clocks").inner_text()
    assert dispute.covered.get().state == "answered"
    at_both_widths(page, tmp_path, f"dispute-{language}")

    page.goto(f"{base}/standing/")
    assert text["trusted"] in page.locator("#trusted-flagger").inner_text()
    at_both_widths(page, tmp_path, f"standing-{language}")
    context.close()


# --- composite identifiers: a person and a registered address, with the script and without it ---------


def _rest_of_the_report(page) -> None:
    page.fill("#id_right_registration_number", "12345678")
    page.select_option("#id_right_territory", "CN")
    page.fill("#id_right_holder", "Example Brand Co., Ltd.")
    page.fill("#id_statement", "Test purchase, order 43: counterfeit shoes.")
    page.check("#id_authenticity_guaranteed")


def _report_kinds(owner: Member) -> set[str]:
    report = Report.objects.get(reporter_organisation=owner.organisation)
    return set(report.identifiers.values_list("token__identifier_type", flat=True))


def test_a_person_and_an_address_are_checked_field_by_field_as_typed(live_server, browser):
    from playwright.sync_api import expect

    owner = with_password(persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER, country="FR"))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, owner)
    page.goto(f"{live_server.url}/reports/new")

    # With the script, a row shows only its type's inputs.
    expect(page.locator("#identifier-1-person-full_name")).to_be_hidden()
    page.select_option("#identifier-1-type", "person")
    expect(page.locator("#identifier-1-value")).to_be_hidden()
    expect(page.locator("#identifier-1-registered_address-postcode")).to_be_hidden()
    page.fill("#identifier-1-person-full_name", "Zhang Wei")
    page.fill("#identifier-1-person-date_of_birth", "02/03/1985")
    page.locator("#identifier-1-person-date_of_birth").blur()
    expect(page.locator("#identifier-1-person-date_of_birth-problem")).to_have_text(
        "Date of birth: Give the date of birth as YYYY-MM-DD."
    )
    expect(page.locator("#identifier-1-person-full_name-problem")).to_have_text("")
    page.fill("#identifier-1-person-date_of_birth", "1985-03-02")
    page.locator("#identifier-1-person-date_of_birth").blur()
    expect(page.locator("#identifier-1-person-date_of_birth-problem")).to_have_text("")
    expect(page.locator("#identifier-1-verdict")).to_contain_text("Valid.")

    page.select_option("#identifier-2-type", "registered_address")
    page.fill("#identifier-2-registered_address-country", "DE")
    page.fill("#identifier-2-registered_address-postcode", "1011")
    page.fill("#identifier-2-registered_address-street_address", "Hauptstraße 5, Berlin")
    page.locator("#identifier-2-registered_address-street_address").blur()
    expect(page.locator("#identifier-2-verdict")).to_contain_text("Checked under the rules of Germany (DE)")
    expect(page.locator("#identifier-2-registered_address-postcode-problem")).to_contain_text("Postcode: ")
    page.fill("#identifier-2-registered_address-postcode", "10115")
    page.locator("#identifier-2-registered_address-postcode").blur()
    expect(page.locator("#identifier-2-verdict")).to_contain_text("Valid under the rules of Germany (DE).")

    page.fill("#identifier-0-value", "seller@example.com")
    page.select_option("#identifier-0-type", "email")
    _rest_of_the_report(page)
    page.click("#submit-report")
    page.wait_for_url(re.compile(r".*/reports/[0-9a-f-]{36}/$"))

    assert _report_kinds(owner) == {"email", "person", "registered_address"}
    context.close()


def test_without_javascript_a_person_is_filed_after_a_per_field_message(live_server, browser):
    owner = with_password(persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER, country="FR"))
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, owner)
    page.goto(f"{live_server.url}/reports/new")

    # Without the script every input is there; the ones that do not apply to the chosen type are ignored.
    assert page.locator("#identifier-0-value").is_visible()
    assert page.locator("#identifier-0-person-date_of_birth").is_visible()
    page.select_option("#identifier-0-type", "person")
    page.fill("#identifier-0-person-full_name", "Zhang Wei")
    page.fill("#identifier-0-person-date_of_birth", "1985-02-30")
    page.click("#add-identifier")  # a plain post: the form again, as typed, one row more
    page.wait_for_selector("#identifier-3-type")
    assert page.input_value("#identifier-0-person-full_name") == "Zhang Wei"
    page.select_option("#identifier-3-type", "registered_address")
    page.fill("#identifier-3-registered_address-country", "GB")
    page.fill("#identifier-3-registered_address-postcode", "SW1A 1AA")
    page.fill("#identifier-3-registered_address-street_address", "10 Downing Street")
    _rest_of_the_report(page)
    page.click("#submit-report")
    page.wait_for_load_state()

    assert page.locator("#identifier-0-person-date_of_birth-problem").inner_text() == (
        "Date of birth: The date of birth is not a calendar date."
    )
    assert page.locator("#identifier-0-person-date_of_birth").get_attribute("aria-invalid") == "true"
    assert not Report.objects.exists()
    page.fill("#identifier-0-person-date_of_birth", "1985-03-02")
    page.check("#id_authenticity_guaranteed")
    page.click("#submit-report")
    page.wait_for_url(re.compile(r".*/reports/[0-9a-f-]{36}/$"))

    assert _report_kinds(owner) == {"person", "registered_address"}
    context.close()

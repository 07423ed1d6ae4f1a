"""A court and two disclosure officers in a real browser, in English and in Chinese (issue 15's
"done when"): a court clerk files an order by identifier; two distinct officers each find it under
"awaiting my approval", open the order document and approve; the court downloads the package, with
the commands to open it offline shown beside the link."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.audit.models import AuditEvent
from accounts.audit.tags import AuditTag
from accounts.models import Member
from accounts.roles import OrganisationKind, Role
from sharing.models import DisclosureRequest, DisclosureStatus
from tests.e2e.steps import at_both_widths, sign_in, sign_out, with_password
from tests.factories import court_key_pair, member_make, persona, report_make_accepted, seller_identifiers

ORDER_PDF = b"%PDF-1.7\n% Order to produce evidence, case (2026) 0042\n"
LANGUAGES = {
    "en": {
        "accept": "en",
        "locale": "en-GB",
        "filed": "Filed, awaiting review",
        "awaiting": "Awaiting my approval",
        "approve": "Approve",
        "ready": "Package ready to download",
        "download": "Download the package",
        "one_identifier": "1 identifier, held as a token",
    },
    "zh-hans": {
        "accept": "zh-Hans,zh;q=0.9",
        "locale": "zh-CN",
        "filed": "已提交，等待审核",
        "awaiting": "待我审批",
        "approve": "批准",
        "ready": "数据包可供下载",
        "download": "下载数据包",
        "one_identifier": "1 个标识符（以令牌保存）",
    },
}


@dataclass
class Cast:
    filing_clerk: Member
    downloading_clerk: Member
    officers: tuple[Member, Member]
    seller_email: str


def _cast() -> Cast:
    reporter = persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER)
    identifiers = seller_identifiers(42)
    reviewer = persona(OrganisationKind.OPERATOR, Role.REVIEWER)
    report_make_accepted(reporter, reviewer, identifiers)
    clerk = with_password(persona(OrganisationKind.COURT, Role.ANALYST, country="CN"))
    court_key_pair(clerk.organisation)
    colleague = with_password(member_make(clerk.organisation, Role.ANALYST))
    first = with_password(persona(OrganisationKind.OPERATOR, Role.DISCLOSURE_OFFICER))
    second = with_password(member_make(first.organisation, Role.DISCLOSURE_OFFICER))
    first.user.first_name, first.user.last_name = "Wang", "Fang"
    first.user.save()
    email = next(i["value"] for i in identifiers if i["type"] == "email")
    return Cast(clerk, colleague, (first, second), email)


def _file_by_identifier(page, base: str, cast: Cast, words: dict, tmp_path, lang: str) -> DisclosureRequest:
    from playwright.sync_api import expect

    sign_in(page, base, cast.filing_clerk)
    page.locator("#portal-disclosure-new").click()
    page.wait_for_url(f"{base}/disclosures/new")
    at_both_widths(page, tmp_path, f"order-new-{lang}")
    page.fill("#id_case_number", "(2026) 0042")
    page.fill("#id_issuing_court", "Pudong New Area People's Court")
    page.fill("#id_legal_basis", "CPL art. 67")
    page.select_option("#identifier-0-type", "email")
    page.fill("#identifier-0-value", cast.seller_email)
    page.locator("input[name=fields][value=identifiers]").check()
    page.locator("input[name=fields][value=statement]").check()
    page.fill("#id_deadline", (timezone.now() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"))
    page.set_input_files(
        "#id_order_document",
        files=[{"name": "order.pdf", "mimeType": "application/pdf", "buffer": ORDER_PDF}],
    )
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/disclosures/[0-9a-f-]{36}/$"))
    order = DisclosureRequest.objects.get(case_number="(2026) 0042")
    expect(page.locator("#status")).to_contain_text(words["filed"])
    expect(page.locator("#scope-identifiers")).to_contain_text(words["one_identifier"])
    # The identifier went in the POST body: never in an address, never on the page that follows.
    assert cast.seller_email not in page.url and cast.seller_email not in page.content()
    assert order.scope_reports == [] and len(order.scope_tokens) == 1
    at_both_widths(page, tmp_path, f"order-detail-court-{lang}")
    sign_out(page)
    return order


def _officer_approves(
    page, base: str, officer: Member, order: DisclosureRequest, words: dict, tmp_path, lang
):
    from playwright.sync_api import expect

    sign_in(page, base, officer)
    page.locator("#portal-disclosure-awaiting").click()
    expect(page.locator("h1")).to_have_text(words["awaiting"])
    at_both_widths(page, tmp_path, f"awaiting-{lang}-{officer.pk}")
    page.get_by_role("link", name=order.order_reference).click()
    page.wait_for_url(f"{base}/disclosures/{order.public_id}/")
    # The order document opens in the browser: served inline as a PDF, to this signed-in officer.
    # It opens in a tab of its own: the browser's response there is the document, served inline.
    with page.context.expect_event("response", lambda r: r.url.endswith("/order-document")) as opening:
        page.locator("#order-document").click()
    document = opening.value
    assert document.status == 200 and document.headers["content-type"] == "application/pdf"
    assert document.headers["content-disposition"].startswith("inline")
    # (Chromium hands the PDF to its viewer, so the tab's body is the viewer; fetch the bytes themselves.)
    assert page.request.get(document.url).body() == ORDER_PDF
    for tab in page.context.pages[1:]:
        tab.close()
    at_both_widths(page, tmp_path, f"order-detail-officer-{lang}-{officer.pk}")
    page.get_by_role("button", name=words["approve"], exact=True).click()
    page.wait_for_url(f"{base}/disclosures/{order.public_id}/")
    expect(page.locator("#approvals")).to_contain_text(officer.user.get_full_name() or officer.user.username)
    sign_out(page)


@pytest.mark.usefixtures("eager_celery")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_a_court_files_by_identifier_two_officers_approve_the_court_downloads(
    live_server, browser, tmp_path, lang
):
    from playwright.sync_api import expect

    words, cast, base = LANGUAGES[lang], _cast(), live_server.url
    context = browser.new_context(
        locale=words["locale"],
        extra_http_headers={"Accept-Language": words["accept"]},
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(20_000)

    order = _file_by_identifier(page, base, cast, words, tmp_path, lang)
    for officer in cast.officers:
        _officer_approves(page, base, officer, order, words, tmp_path, lang)

    order.refresh_from_db()
    assert order.status == DisclosureStatus.PACKAGE_READY
    opened = AuditEvent.objects.filter(action=AuditTag.DISCLOSURE_ORDER_DOCUMENT_OPENED)
    assert {e.actor_member_id for e in opened} == {o.pk for o in cast.officers}

    sign_in(page, base, cast.downloading_clerk)
    page.goto(f"{base}/disclosures/{order.public_id}/")
    expect(page.locator("#status")).to_contain_text(words["ready"])
    expect(page.locator("#approvals")).to_contain_text("Wang Fang")
    expect(page.locator("#open-commands")).to_contain_text(
        f"age -d -i court.key -o package.zip disclosure-{order.public_id}.zip.age"
    )
    expect(page.locator("#open-commands")).to_contain_text("ssh-keygen -Y verify")
    at_both_widths(page, tmp_path, f"order-download-{lang}")
    with page.expect_download() as downloading:
        page.get_by_role("link", name=words["download"]).click()
    package = downloading.value
    assert package.suggested_filename == f"disclosure-{order.public_id}.zip.age"
    with open(package.path(), "rb") as f:
        assert f.read(22) == b"age-encryption.org/v1\n"
    context.close()


def test_without_javascript_a_court_names_a_person_and_an_address_field_by_field(live_server, browser):
    """The order form's identifier rows are the report form's: a plain post, a bad field's message on it."""
    clerk = with_password(persona(OrganisationKind.COURT, Role.ANALYST, country="CN"))
    court_key_pair(clerk.organisation)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, clerk)
    page.goto(f"{live_server.url}/disclosures/new")
    page.fill("#id_case_number", "(2026) 0043")
    page.fill("#id_issuing_court", "Pudong New Area People's Court")
    page.fill("#id_legal_basis", "CPL art. 67")
    page.select_option("#identifier-0-type", "person")
    page.fill("#identifier-0-person-full_name", "张伟")
    page.fill("#identifier-0-person-date_of_birth", "2/3/1985")
    page.select_option("#identifier-1-type", "registered_address")
    page.fill("#identifier-1-registered_address-country", "CN")
    page.fill("#identifier-1-registered_address-postcode", "200120")
    page.fill("#identifier-1-registered_address-street_address", "世纪大道 100 号")
    page.locator("input[name=fields][value=identifiers]").check()
    page.fill("#id_deadline", (timezone.now() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"))
    page.set_input_files(
        "#id_order_document",
        files=[{"name": "order.pdf", "mimeType": "application/pdf", "buffer": ORDER_PDF}],
    )
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

    assert page.locator("#identifier-0-person-date_of_birth-problem").inner_text() == (
        "Date of birth: Give the date of birth as YYYY-MM-DD."
    )
    assert page.input_value("#identifier-1-registered_address-street_address") == "世纪大道 100 号"
    assert not DisclosureRequest.objects.exists()
    page.fill("#identifier-0-person-date_of_birth", "1985-03-02")
    page.set_input_files(
        "#id_order_document",
        files=[{"name": "order.pdf", "mimeType": "application/pdf", "buffer": ORDER_PDF}],
    )
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/disclosures/[0-9a-f-]{36}/$"))

    order = DisclosureRequest.objects.get(case_number="(2026) 0043")
    assert len(order.scope_tokens) == 2 and "张伟" not in page.content()
    context.close()

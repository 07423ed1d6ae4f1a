"""A rights owner's pages: file a report (rows, live checks, evidence, the right, the guarantee), my
reports, a report's page (renew, retract, appeal), disputes to answer, and standing."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.audit.models import AuditEvent
from accounts.audit.tags import AuditTag
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.models import CoverageState, Report, ReportAppeal, ReportStatus
from tests.factories import (
    dispute_make,
    persona,
    report_make,
    report_make_accepted,
    report_make_rejected,
    web_login,
)

pytestmark = pytest.mark.django_db

GUARANTEE = "written guarantee that this notice is authentic"


def _form(**overrides) -> dict:
    body = {
        "rows": "3",
        "identifier-0-type": "phone",
        "identifier-0-value": "138 0013 8000",
        "identifier-0-country": "CN",
        "identifier-1-type": "email",
        "identifier-1-value": "seller@example.com",
        "identifier-1-country": "",
        "identifier-2-type": "phone",
        "identifier-2-value": "",
        "identifier-2-country": "",
        "ip_type": "trademark",
        "category": "counterfeit",
        "verification_level": "rights_owner_verified",
        "statement": "Test purchase, order 42: counterfeit handbags.",
        "right_registration_number": "12345678",
        "right_territory": "CN",
        "right_holder": "Example Brand Co., Ltd.",
        "authenticity_guaranteed": "on",
    }
    return {**body, **overrides}


def _signed_in(client, member):
    web_login(client, member)
    return client


def _events(tag: AuditTag, after: int = 0):
    return AuditEvent.objects.filter(action=tag.value, pk__gt=after)


def _last() -> int:
    last = AuditEvent.objects.order_by("-pk").first()
    return last.pk if last else 0


# --- file a report --------------------------------------------------------------------------


def test_the_form_offers_rows_a_country_chooser_and_the_guarantee(client, brand_reporter):
    html = _signed_in(client, brand_reporter).get("/reports/new").content.decode()

    assert html.count('class="identifier-row"') == 3
    assert (
        'name="identifier-0-country"' in html and "(FR)" in html
    )  # the organisation's country is the default
    assert GUARANTEE in html
    assert 'enctype="multipart/form-data"' in html and "identifier-rows.js" in html


def test_a_report_is_filed_with_its_evidence_right_and_guarantee(client, brand_reporter):
    evidence = SimpleUploadedFile("receipt.pdf", b"%PDF-1.7 receipt", content_type="application/pdf")
    before = _last()

    response = _signed_in(client, brand_reporter).post("/reports/new", {**_form(), "evidence": [evidence]})

    report = Report.objects.get(reporter_organisation=brand_reporter.organisation)
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.public_id}/"
    assert report.evidence_count == 1 and report.identifiers.count() == 2
    assert (report.right_registration_number, report.right_territory, report.right_holder) == (
        "12345678",
        "CN",
        "Example Brand Co., Ltd.",
    )
    assert report.authenticity_guaranteed_at is not None
    assert _events(AuditTag.REPORT_SUBMITTED, before).count() == 1


def test_without_the_guarantee_the_form_comes_back_and_nothing_is_filed(client, brand_reporter):
    body = _form()
    del body["authenticity_guaranteed"]

    response = _signed_in(client, brand_reporter).post("/reports/new", body)

    assert response.status_code == 400
    assert "Give the written guarantee of authenticity." in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("statement", "", "This field may not be blank."),
        ("ip_type", "nonsense", "Unknown IP type"),
        ("category", "nonsense", "Unknown category"),
        ("verification_level", "nonsense", "Unknown verification level"),
        ("right_territory", "France", "two-letter ISO country code"),
        ("right_registration_number", "9" * 101, "no more than 100 characters"),
        ("right_holder", "x" * 201, "no more than 200 characters"),
    ],
)
def test_each_bad_field_is_named_and_nothing_is_filed(client, brand_reporter, field, value, message):
    response = _signed_in(client, brand_reporter).post("/reports/new", _form(**{field: value}))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert f'data-field="{field}"' in response.content.decode()
    assert not Report.objects.exists()


def test_a_bad_identifier_says_which_countrys_rules_were_used_and_keeps_the_rest(client, brand_reporter):
    body = _form(**{"identifier-0-value": "12345", "identifier-0-country": ""})

    response = _signed_in(client, brand_reporter).post("/reports/new", body)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Checked under the rules of France (FR): Not a valid phone number for the country given." in html
    assert 'value="seller@example.com"' in html  # what was typed stays
    assert "12345" in html  # in its own input only, for its author to correct
    assert not Report.objects.exists()


def test_add_another_identifier_without_javascript_keeps_what_was_typed(client, brand_reporter):
    response = _signed_in(client, brand_reporter).post("/reports/new/more", _form())

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="identifier-row"') == 4 and 'value="4"' in html
    assert 'value="seller@example.com"' in html and "Example Brand Co., Ltd." in html
    assert not Report.objects.exists()


# --- composite identifiers: a person, a registered address -----------------------------------------


def _person_row(date_of_birth: str) -> dict:
    return {
        "identifier-2-type": "person",
        "identifier-2-person-full_name": "Zhang Wei",
        "identifier-2-person-date_of_birth": date_of_birth,
        "identifier-2-value": "ignored: the type is a person",
    }


def _address_row(postcode: str) -> dict:
    return {
        "identifier-2-type": "registered_address",
        "identifier-2-registered_address-country": "DE",
        "identifier-2-registered_address-postcode": postcode,
        "identifier-2-registered_address-street_address": "Hauptstraße 5, Berlin",
    }


def test_the_form_offers_the_composite_types_with_their_named_fields(client, brand_reporter):
    html = _signed_in(client, brand_reporter).get("/reports/new").content.decode()

    assert '<option value="person">' in html and '<option value="registered_address">' in html
    # Every row has every field's labelled input, so the form works without JavaScript.
    for name in ("person-full_name", "person-date_of_birth", "registered_address-postcode"):
        assert f'<label for="identifier-0-{name}">' in html and f'name="identifier-2-{name}"' in html
    assert ">Date of birth</label>" in html and ">Street address</label>" in html


@pytest.mark.parametrize("row", [_person_row("1985-03-02"), _address_row("10115")], ids=["person", "address"])
def test_a_report_is_filed_with_a_composite_identifier(client, brand_reporter, row):
    from sharing.models import ReportIdentifier

    response = _signed_in(client, brand_reporter).post("/reports/new", _form(**row))

    assert response.status_code == 302, response.content.decode()[-3000:]
    report = Report.objects.get()
    kinds = set(
        ReportIdentifier.objects.filter(report=report).values_list("token__identifier_type", flat=True)
    )
    assert kinds == {"phone", "email", row["identifier-2-type"]}
    # The values are tokens: no audit row holds one.
    assert not any("Zhang" in str(e.details) or "Haupt" in str(e.details) for e in AuditEvent.objects.all())


def test_a_bad_date_of_birth_is_a_400_on_its_own_field(client, brand_reporter):
    response = _signed_in(client, brand_reporter).post("/reports/new", _form(**_person_row("02/03/1985")))

    html = response.content.decode()
    assert response.status_code == 400
    assert (
        'data-field="identifier-2-person-date_of_birth">Date of birth: Give the date of birth as YYYY-MM-DD.'
        in html
    )
    assert 'data-field="identifier-2-person-full_name"' not in html  # the name was fine
    assert 'value="Zhang Wei"' in html and 'value="02/03/1985"' in html  # what was typed stays
    assert not Report.objects.exists()


def test_a_bad_postcode_says_whose_rules_and_a_missing_field_is_named(client, brand_reporter):
    row = _address_row("1011") | {"identifier-2-registered_address-street_address": ""}

    response = _signed_in(client, brand_reporter).post("/reports/new", _form(**row))

    html = response.content.decode()
    assert response.status_code == 400
    assert "Checked under the rules of Germany (DE)" in html
    assert 'data-field="identifier-2-registered_address-postcode">Postcode: ' in html
    assert (
        'data-field="identifier-2-registered_address-street_address">Street address: This field is required.'
        in html
    )
    assert not Report.objects.exists()


def test_the_live_check_takes_a_composites_fields(client, brand_reporter):
    _signed_in(client, brand_reporter)
    before = _last()

    person = client.post(
        "/reports/identifiers/check",
        {"type": "person", "full_name": "Zhang Wei", "date_of_birth": "1985-3-2"},
    )
    bad = client.post(
        "/reports/identifiers/check",
        {"type": "person", "full_name": "Zhang Wei", "date_of_birth": "2/3/1985"},
    )
    address = client.post(
        "/reports/identifiers/check",
        {
            "type": "registered_address",
            "country": "gb",
            "postcode": "sw1a 1aa",
            "street_address": "10 Downing St",
        },
    )
    wrong = client.post(
        "/reports/identifiers/check",
        {"type": "registered_address", "country": "DE", "postcode": "1011", "street_address": "Hauptstr. 5"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert person.json()["valid"] is True and person.json()["normalised"] == "zhang wei · 1985-03-02"
    assert bad.json()["valid"] is False and "2/3/1985" not in bad.content.decode()
    assert bad.json()["fields"] == {"date_of_birth": "Date of birth: Give the date of birth as YYYY-MM-DD."}
    assert address.json()["country"] == "GB" and address.json()["normalised"].startswith("GB · SW1A1AA")
    assert address.json()["message"] == "Valid under the rules of United Kingdom (GB)."
    assert wrong.json()["country"] == "DE" and set(wrong.json()["fields"]) == {"postcode"}
    assert wrong.json()["message"].startswith("按德国 (DE)的规则校验")
    assert not AuditEvent.objects.filter(pk__gt=before).exists()


def test_the_live_check_says_when_no_postcode_format_is_known_for_the_country(client, brand_reporter):
    _signed_in(client, brand_reporter)

    answer = client.post(
        "/reports/identifiers/check",
        {
            "type": "registered_address",
            "country": "BR",
            "postcode": "01310-100",
            "street_address": "Av. Paulista 1",
        },
    ).json()

    assert answer["valid"] is True and answer["country"] == ""
    assert answer["message"] == (
        "Valid. No postcode format is known for BR: the postcode was checked as 2 to 10 letters or digits."
    )


# --- the live check ----------------------------------------------------------------------------


def test_the_live_check_gives_the_normalised_form_and_the_country_without_auditing(client, brand_reporter):
    _signed_in(client, brand_reporter)
    before = _last()

    valid = client.post(
        "/reports/identifiers/check", {"type": "phone", "value": "138 0013 8000", "country": "CN"}
    )
    invalid = client.post("/reports/identifiers/check", {"type": "phone", "value": "138 0013 8000"})

    assert valid.status_code == 200
    assert valid.json() == {
        "valid": True,
        "country": "CN",
        "normalised": "+8613800138000",
        "message": "Valid under the rules of China (mainland) (CN).",
        "fields": {},
    }
    assert invalid.json()["valid"] is False and invalid.json()["country"] == "FR"
    assert "138" not in invalid.content.decode()
    assert not AuditEvent.objects.filter(pk__gt=before).exists()


def test_the_live_check_takes_only_post_and_is_throttled(client, brand_reporter):
    _signed_in(client, brand_reporter)
    cache.clear()

    get = client.get("/reports/identifiers/check")
    answers = [
        client.post("/reports/identifiers/check", {"type": "email", "value": "a@example.com"}).status_code
        for _ in range(61)
    ]

    assert get.status_code == 405
    assert answers[:60] == [200] * 60 and answers[60] == 429


# --- who may see the pages -----------------------------------------------------------------------

_SOME_ID = "8b0d7f3e-2a4c-4f61-9d3b-5c1e2f7a9b10"
OWNER_PAGES = [
    "/reports/new",
    "/reports/new/more",
    "/reports/identifiers/check",
    "/reports/",
    f"/reports/{_SOME_ID}/",
    f"/reports/{_SOME_ID}/renew",
    f"/reports/{_SOME_ID}/retract",
    f"/reports/{_SOME_ID}/appeal",
    "/disputes/",
    f"/disputes/{_SOME_ID}/",
    f"/disputes/{_SOME_ID}/answer",
    "/standing/",
]


@pytest.mark.parametrize("path", OWNER_PAGES)
@pytest.mark.parametrize("method", ["get", "head", "options", "post", "put", "delete"])
def test_a_member_without_the_capability_gets_403_on_every_method(client, auditor, path, method):
    response = getattr(_signed_in(client, auditor), method)(path)

    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/reports/new", "/disputes/"])
def test_a_rights_owner_analyst_reads_reports_but_cannot_file_or_answer(client, path):
    analyst = persona(K.RIGHTS_OWNER, R.ANALYST)

    assert _signed_in(client, analyst).get("/reports/").status_code == 200
    assert client.get(path).status_code == 403
    assert client.post(path).status_code == 403


def test_another_organisations_report_is_a_404_audited_as_a_probe(
    client, brand_reporter, other_brand_reporter
):
    theirs = report_make(other_brand_reporter)
    before = _last()

    response = _signed_in(client, brand_reporter).get(f"/reports/{theirs.public_id}/")
    retract = client.post(f"/reports/{theirs.public_id}/retract")

    assert response.status_code == 404 and retract.status_code == 404
    assert AuditEvent.objects.filter(pk__gt=before, outcome="denied").count() == 2
    assert Report.objects.get(pk=theirs.pk).status == ReportStatus.PENDING


# --- my reports and a report's page ----------------------------------------------------------------


def test_my_reports_filter_by_state_and_page(client, brand_reporter, reviewer):
    accepted = report_make_accepted(brand_reporter, reviewer)
    pending = [
        report_make(brand_reporter, [{"type": "phone", "value": f"+86 138 0013 {8100 + n:04d}"}])
        for n in range(26)
    ]

    first = _signed_in(client, brand_reporter).get("/reports/?state=pending").content.decode()
    second = client.get("/reports/?state=pending&page=2").content.decode()
    only_accepted = client.get("/reports/?state=accepted").content.decode()
    unknown = client.get("/reports/?state=nonsense")

    assert first.count("/reports/") > 25 and str(accepted.public_id)[:8] not in first
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert str(pending[0].public_id)[:8] in second
    assert str(accepted.public_id)[:8] in only_accepted
    assert unknown.status_code == 200 and "No reports here yet." in unknown.content.decode()


def test_a_report_page_shows_its_history_and_renews_and_retracts(client, brand_reporter, reviewer):
    report = report_make_accepted(brand_reporter, reviewer)
    page = f"/reports/{report.public_id}/"

    html = _signed_in(client, brand_reporter).get(page).content.decode()
    renewed = client.post(f"{page}renew")
    retracted = client.post(f"{page}retract")

    report.refresh_from_db()
    assert "Submitted" in html and "Accepted" in html and "Renew for another period" in html
    assert renewed.status_code == 302 and retracted.status_code == 302
    assert report.renewed_at is not None and report.status == ReportStatus.RETRACTED
    assert "Retracted by your organisation" in client.get(page).content.decode()


def test_a_refused_action_shows_the_services_message(client, brand_reporter):
    report = report_make(brand_reporter)

    response = _signed_in(client, brand_reporter).post(f"/reports/{report.public_id}/renew")

    assert response.status_code == 409
    assert "Only an accepted report can be renewed; this one is pending." in response.content.decode()


def test_a_rejected_report_is_appealed_from_its_page(client, brand_reporter):
    report = report_make_rejected(brand_reporter)
    page = f"/reports/{report.public_id}/"

    html = _signed_in(client, brand_reporter).get(page).content.decode()
    too_short = client.post(f"{page}appeal", {"grounds": "x"})
    appealed = client.post(f"{page}appeal", {"grounds": "The receipt was attached late."})

    assert "Appeal the rejection" in html
    assert too_short.status_code == 400 and 'data-field="grounds"' in too_short.content.decode()
    assert appealed.status_code == 302 and ReportAppeal.objects.filter(report=report).exists()
    assert "Appeal the rejection" not in client.get(page).content.decode()


# --- disputes and standing ------------------------------------------------------------------------


def test_disputes_show_working_days_left_and_take_an_answer_with_a_document(client, brand_reporter):
    dispute, _ = dispute_make(reporter=brand_reporter)
    page = f"/disputes/{dispute.public_id}/"

    listing = _signed_in(client, brand_reporter).get("/disputes/").content.decode()
    no_file = client.post(f"{page}answer", {"note": "Suit filed."})
    answered = client.post(
        f"{page}answer",
        {
            "note": "Suit filed.",
            "evidence": [SimpleUploadedFile("suit.pdf", b"%PDF", content_type="application/pdf")],
        },
    )

    assert "working days left" in listing and str(dispute.public_id)[:8] in listing
    assert no_file.status_code == 400 and 'data-field="evidence"' in no_file.content.decode()
    assert answered.status_code == 302
    assert dispute.covered.get().state == CoverageState.ANSWERED
    assert "Answered" in client.get(page).content.decode()


def test_the_standing_page_reads_as_the_api_does(client, brand_reporter):
    before = _last()

    html = _signed_in(client, brand_reporter).get("/standing/").content.decode()

    assert "not a trusted flagger" in html and "Reports accepted" in html
    assert _events(AuditTag.REPUTATION_READ, before).count() == 1


def test_a_form_without_any_identifier_is_refused_on_the_identifiers(client, brand_reporter):
    body = _form(**{"identifier-0-value": "", "identifier-1-value": ""})

    response = _signed_in(client, brand_reporter).post("/reports/new", body)

    assert response.status_code == 400
    assert 'data-field="identifiers"' in response.content.decode()
    assert not Report.objects.exists()


def test_the_api_records_and_returns_the_right_and_the_guarantee(brand_reporter):
    from tests.factories import client_for, report_body

    body = {
        **report_body(),
        "right_registration_number": "12345678",
        "right_territory": "cn",
        "right_holder": "Example Brand Co., Ltd.",
        "authenticity_guaranteed": True,
    }

    created = client_for(brand_reporter).post("/api/v1/reports", body, format="json")
    without = client_for(brand_reporter).post(
        "/api/v1/reports", {**report_body(), "authenticity_guaranteed": False}, format="json"
    )

    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["right_registration_number"], data["right_territory"], data["right_holder"]) == (
        "12345678",
        "CN",
        "Example Brand Co., Ltd.",
    )
    assert data["authenticity_guaranteed_at"] is not None
    # A notice without the guarantee is not a valid notice, on the API as on the page.
    assert without.status_code == 400
    assert list(without.json()["error"]["fields"]) == ["authenticity_guaranteed"]


def test_the_live_check_answers_in_the_readers_language(client, brand_reporter):
    _signed_in(client, brand_reporter)

    answer = client.post(
        "/reports/identifiers/check", {"type": "phone", "value": "12345"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    # The problem, then how to record the value as seen on a parcel, naming the type by its label.
    assert answer.json()["message"] == (
        "按法国 (FR)的规则校验：按所给国家的规则，这不是有效的电话号码。 "
        "如果这是在包裹或寄件人账户上看到的原样数值，请选择类型“电话号码（观察所得，未核实）”："
        "观察值按原样记录，绝不会与经核验的数值匹配。"
    )


def test_an_overlong_identifier_is_refused_not_cut(client, brand_reporter):
    _signed_in(client, brand_reporter)

    posted = client.post("/reports/new", _form(**{"identifier-1-value": "a" * 501}))
    checked = client.post("/reports/identifiers/check", {"type": "email", "value": "a" * 501})

    assert posted.status_code == 400 and not Report.objects.exists()
    assert "longer than 500 characters" in posted.content.decode()
    assert checked.json()["valid"] is False and "longer than 500 characters" in checked.json()["message"]

"""The officers' and the court's disclosure pages (issue 15): the order document opened in the browser,
the "awaiting my approval" filter, narrowing, identifiers in an order's scope, approvers by name."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.audit.models import AuditEvent, DataClass, Outcome
from accounts.audit.tags import AuditTag
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.disclosure.services.restricted_access import restricted_access_violations
from sharing.models import DisclosureRequest, DisclosureScopeChange, DisclosureStatus
from tests.factories import court_key_pair, disclosure_make, member_make, persona, report_make, web_login

pytestmark = pytest.mark.django_db


def _signed_in(client, member):
    web_login(client, member)
    return client


def _officer():
    return persona(K.OPERATOR, R.DISCLOSURE_OFFICER)


# --- the order document ------------------------------------------------------------------------


def test_an_officer_opens_the_order_document_inline_and_the_read_is_audited(client):
    order = disclosure_make()
    officer = _officer()

    response = _signed_in(client, officer).get(f"/disclosures/{order.public_id}/order-document")

    event = AuditEvent.objects.get(action=AuditTag.DISCLOSURE_ORDER_DOCUMENT_OPENED)
    assert response.status_code == 200 and response.content == b"%PDF-1.7 court order"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Cache-Control"] == "no-store"
    assert (event.actor_member, event.data_class, event.legal_basis, event.object_id) == (
        officer,
        DataClass.RESTRICTED,
        order.legal_basis_tag,
        str(order.public_id),
    )
    # Read before any approval, on the order itself: the restricted-access invariant still holds.
    assert restricted_access_violations() == []


def test_the_page_and_the_api_read_the_document_alike_and_audit_it_alike(client):
    from tests.factories import client_for

    order = disclosure_make()
    officer = _officer()

    by_page = _signed_in(client, officer).get(f"/disclosures/{order.public_id}/order-document")
    by_api = client_for(officer).get(f"/api/v1/disclosure-requests/{order.public_id}/order-document")

    rows = AuditEvent.objects.filter(action=AuditTag.DISCLOSURE_ORDER_DOCUMENT_OPENED).order_by("seq")
    shapes = {(e.actor_member_id, e.data_class, e.legal_basis, e.object_type, e.object_id) for e in rows}
    assert by_page.content == by_api.content == b"%PDF-1.7 court order"
    assert by_page["Content-Type"] == by_api["Content-Type"] == "application/pdf"
    assert rows.count() == 2 and len(shapes) == 1


def test_a_document_that_is_not_a_pdf_is_only_ever_a_download(client):
    import base64

    from accounts.actors import Actor
    from sharing.disclosure.inputs import disclosure_submit_validated
    from tests.factories import disclosure_body

    clerk = _clerk()
    body = disclosure_body([str(report_make(persona(K.RIGHTS_OWNER, R.REPORTER)).public_id)])
    body["order_document"] = {
        "name": "order.html",
        "content_type": "text/html",
        "content_base64": base64.b64encode(b"<script>alert(1)</script>").decode(),
    }
    order = disclosure_submit_validated(body, actor=Actor(member=clerk))

    response = _signed_in(client, clerk).get(f"/disclosures/{order.public_id}/order-document")

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_the_court_that_filed_opens_its_document_another_court_gets_a_404(client):
    clerk = persona(K.COURT, R.ANALYST)
    order = disclosure_make(clerk)
    stranger = persona(K.COURT, R.ANALYST)

    own = _signed_in(client, clerk).get(f"/disclosures/{order.public_id}/order-document")
    client.logout()
    other = _signed_in(client, stranger).get(f"/disclosures/{order.public_id}/order-document")

    assert own.status_code == 200 and own.content.startswith(b"%PDF")
    assert other.status_code == 404
    assert AuditEvent.objects.filter(action=AuditTag.DISCLOSURE_ORDER_DOCUMENT_OPENED).count() == 1
    assert restricted_access_violations() == []


def test_a_document_read_by_anyone_else_under_the_order_breaks_the_invariant():
    """The invariant's exemption is for the deciding officers and the filing court only."""
    from accounts.actors import Actor
    from accounts.audit.services import audit_record

    order = disclosure_make()
    outsider = persona(K.PLATFORM, R.ADMIN)

    audit_record(
        actor=Actor(member=outsider),
        tag=AuditTag.DISCLOSURE_ORDER_DOCUMENT_OPENED,
        target=order,
        data_class=DataClass.RESTRICTED,
        legal_basis=order.legal_basis_tag,
    )

    [violation] = restricted_access_violations()
    assert "neither an officer nor its court" in violation.reason


def test_the_service_refuses_a_member_without_disclosure_read():
    from accounts.actors import Actor
    from hub.errors import DomainError
    from sharing.disclosure.services.order_document import disclosure_order_document_open

    order = disclosure_make()

    with pytest.raises(DomainError):
        disclosure_order_document_open(request=order, actor=Actor(member=persona(K.AUDITOR, R.ANALYST)))

    assert not AuditEvent.objects.filter(
        action=AuditTag.DISCLOSURE_ORDER_DOCUMENT_OPENED, outcome=Outcome.ALLOWED
    ).exists()


# --- the officers' filter ------------------------------------------------------------------------


def test_awaiting_my_approval_lists_only_open_orders_i_have_not_approved(client):
    officer = _officer()
    mine_to_do = disclosure_make()
    already_approved = disclosure_make()
    closed = disclosure_make()
    _signed_in(client, officer).post(f"/disclosures/{already_approved.public_id}/", {"action": "approve"})
    DisclosureRequest.objects.filter(pk=closed.pk).update(status=DisclosureStatus.WITHDRAWN)

    listed = client.get("/disclosures/awaiting/").content.decode()
    everything = client.get("/disclosures/").content.decode()

    assert f"/disclosures/{mine_to_do.public_id}/" in listed
    assert f"/disclosures/{already_approved.public_id}/" not in listed
    assert f"/disclosures/{closed.public_id}/" not in listed
    assert all(f"/disclosures/{o.public_id}/" in everything for o in (mine_to_do, already_approved, closed))


def test_a_second_officer_still_sees_an_order_the_first_approved(client):
    order = disclosure_make()
    first = _officer()
    second = member_make(first.organisation, R.DISCLOSURE_OFFICER)
    _signed_in(client, first).post(f"/disclosures/{order.public_id}/", {"action": "approve"})
    client.logout()

    listed = _signed_in(client, second).get("/disclosures/awaiting/").content.decode()

    assert f"/disclosures/{order.public_id}/" in listed


# --- approvers by name ----------------------------------------------------------------------------


def test_approvers_are_shown_by_name_and_organisation_not_by_id(client):
    order = disclosure_make()
    first = _officer()
    first.user.first_name, first.user.last_name = "Lin", "Wei"
    first.user.save()
    second = member_make(first.organisation, R.DISCLOSURE_OFFICER)
    for officer in (first, second):
        _signed_in(client, officer).post(f"/disclosures/{order.public_id}/", {"action": "approve"})
        client.logout()

    page = _signed_in(client, order.requested_by).get(f"/disclosures/{order.public_id}/").content.decode()

    assert "Lin Wei" in page and second.user.username in page and first.organisation.name in page
    assert str(first.public_id)[:8] not in page and str(second.public_id)[:8] not in page


# --- narrowing ------------------------------------------------------------------------------------


def _narrow(client, order, **overrides):
    form = {
        "keep_reports": order.scope_reports,
        "keep_fields": ["statement"],
        "reason": "The order names the statement only.",
    }
    form.update(overrides)
    return client.post(
        f"/disclosures/{order.public_id}/narrow", {k: v for k, v in form.items() if v is not None}
    )


def test_an_officer_narrows_the_scope_on_the_page_and_the_history_names_them(client):
    order = disclosure_make(fields=["statement", "evidence"])
    officer = _officer()

    response = _narrow(_signed_in(client, officer), order)

    order.refresh_from_db()
    page = client.get(f"/disclosures/{order.public_id}/").content.decode()
    assert response.status_code == 302 and order.scope_fields == ["statement"]
    assert DisclosureScopeChange.objects.get().officer == officer
    assert "The order names the statement only." in page and officer.user.username in page
    assert AuditEvent.objects.filter(action=AuditTag.DISCLOSURE_NARROWED, actor_member=officer).exists()


NARROW_CASES = {
    "no reason": ({"reason": ""}, "reason"),
    "reason too short": ({"reason": "ab"}, "reason"),
    "nothing asked for": ({"keep_fields": None}, "scope.fields"),
    "a field not asked for": ({"keep_fields": ["reporter"]}, "scope"),
    "an unknown field": ({"keep_fields": ["passwords"]}, "scope.fields.0"),
    "a report not in scope": ({"keep_reports": ["0b9c6a1e-4f7e-4a51-9d5e-0d3c2b1a9f88"]}, "scope"),
    "not a report id": ({"keep_reports": ["not-an-id"]}, "scope.reports.0"),
    "nothing left": ({"keep_reports": None}, "scope"),
}


@pytest.mark.parametrize("case", sorted(NARROW_CASES))
def test_narrowing_with_bad_input_is_refused_per_field_and_changes_nothing(client, case):
    order = disclosure_make(fields=["statement", "evidence"])
    overrides, field = NARROW_CASES[case]

    response = _narrow(_signed_in(client, _officer()), order, **overrides)

    order.refresh_from_db()
    assert response.status_code == 400 and f'data-field="{field}"' in response.content.decode()
    assert order.scope_fields == ["evidence", "statement"] and not DisclosureScopeChange.objects.exists()


def test_a_court_cannot_narrow_its_own_order(client):
    clerk = persona(K.COURT, R.ANALYST)
    order = disclosure_make(clerk, fields=["statement", "evidence"])

    response = _narrow(_signed_in(client, clerk), order)

    assert response.status_code == 403 and not DisclosureScopeChange.objects.exists()


# --- an order scoped by identifiers ----------------------------------------------------------------


def _order_form(**overrides) -> dict:
    form = {
        "case_number": "(2026) 5678",
        "issuing_court": "Pudong Court",
        "legal_basis": "CPL art. 67",
        "report_ids": "",
        "rows": "5",
        "identifier-0-type": "email",
        "identifier-0-value": "seller7@example.com",
        "identifier-2-type": "phone",
        "identifier-2-value": "+86 138 0013 8007",
        "identifier-2-country": "CN",
        "fields": ["identifiers", "statement"],
        "deadline": (timezone.now() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
        "order_document": SimpleUploadedFile("order.pdf", b"%PDF order", content_type="application/pdf"),
    }
    return form | overrides


def _clerk():
    clerk = persona(K.COURT, R.ANALYST)
    court_key_pair(clerk.organisation)
    return clerk


def test_a_court_files_an_order_by_identifiers_alone(client):
    response = _signed_in(client, _clerk()).post("/disclosures/new", _order_form())

    order = DisclosureRequest.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert response.status_code == 302 and response["Location"] == f"/disclosures/{order.public_id}/"
    assert order.scope_reports == [] and len(order.scope_tokens) == 2
    # The court sees how many identifiers, never their values (nor does any audit row hold them).
    assert "2 identifiers, held as tokens" in page and "seller7@example.com" not in page
    assert not any("seller7" in str(e.details) for e in AuditEvent.objects.all())


@pytest.mark.parametrize(
    "row",
    [
        {
            "identifier-1-type": "person",
            "identifier-1-person-full_name": "张伟",
            "identifier-1-person-date_of_birth": "1985年3月2日",
        },
        {
            "identifier-1-type": "registered_address",
            "identifier-1-registered_address-country": "cn",
            "identifier-1-registered_address-postcode": "200 120",
            "identifier-1-registered_address-street_address": "浦东新区世纪大道 100 号",
        },
    ],
    ids=["person", "address"],
)
def test_a_court_files_an_order_naming_a_composite_identifier(client, row):
    response = _signed_in(client, _clerk()).post("/disclosures/new", _order_form(**row))

    assert response.status_code == 302, response.content.decode()[-3000:]
    order = DisclosureRequest.objects.get()
    assert len(order.scope_tokens) == 3  # the email, the phone and the composite, as tokens
    assert not any("张伟" in str(e.details) or "世纪大道" in str(e.details) for e in AuditEvent.objects.all())


IDENTIFIER_CASES = {
    "an unknown type in the third row": (
        {"identifier-2-type": "fax"},
        "identifier-2-type",
    ),
    "a bad country": (
        {"identifier-2-country": "China"},
        "identifier-2-country",
    ),
    "an email that is not one": (
        {"identifier-0-value": "not an email"},
        "identifier-0-value",
    ),
    "a person with a bad date of birth": (
        {
            "identifier-1-type": "person",
            "identifier-1-person-full_name": "Zhang Wei",
            "identifier-1-person-date_of_birth": "1985-02-30",
        },
        "identifier-1-person-date_of_birth",
    ),
    "an address without its street": (
        {
            "identifier-3-type": "registered_address",
            "identifier-3-registered_address-country": "CN",
            "identifier-3-registered_address-postcode": "200120",
        },
        "identifier-3-registered_address-street_address",
    ),
    "neither reports nor identifiers": (
        {"identifier-0-value": "", "identifier-2-value": ""},
        "report_ids",
    ),
}


@pytest.mark.parametrize("case", sorted(IDENTIFIER_CASES))
def test_identifiers_in_an_order_are_validated_per_field_of_their_row(client, case):
    overrides, field = IDENTIFIER_CASES[case]

    response = _signed_in(client, _clerk()).post("/disclosures/new", _order_form(**overrides))

    body = response.content.decode()
    assert response.status_code == 400, body[-2000:]
    assert any(name == field or name.startswith(f"{field}.") for name in _refused_fields(body)), body[-2000:]
    assert not DisclosureRequest.objects.exists()


def _refused_fields(body: str) -> list[str]:
    import re

    return re.findall(r'data-field="([^"]+)"', body)


def test_an_order_by_report_and_identifier_together(client):
    report = report_make(persona(K.RIGHTS_OWNER, R.REPORTER))

    response = _signed_in(client, _clerk()).post(
        "/disclosures/new", _order_form(report_ids=str(report.public_id))
    )

    order = DisclosureRequest.objects.get()
    assert response.status_code == 302
    assert order.scope_reports == [str(report.public_id)] and len(order.scope_tokens) == 2


# --- the court's download and the commands beside it ------------------------------------------------


def test_the_download_shows_the_commands_to_open_the_package_offline(client):
    clerk = persona(K.COURT, R.ANALYST)
    order = disclosure_make(clerk, approvals=2, built=True)

    page = _signed_in(client, clerk).get(f"/disclosures/{order.public_id}/").content.decode()

    assert f"/disclosures/{order.public_id}/package" in page
    for command in (
        f"age -d -i court.key -o package.zip disclosure-{order.public_id}.zip.age",
        "unzip -d disclosed package.zip",
        "ssh-keygen -Y verify -f ../allowed_signers -I iih-hub -n iih-disclosure -s SHA256SUMS.sig &lt; SHA256SUMS",
        "sha256sum -c SHA256SUMS",
        "/api/v1/keys | jq -r .package_allowed_signers &gt; allowed_signers",
    ):
        assert command in page, command


# --- a role without the capability: 403 whatever the method -------------------------------------------


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("platform", "/disclosures/awaiting/"),
        ("court", "/disclosures/awaiting/"),
        ("platform", "/disclosures/{id}/order-document"),
        ("platform", "/disclosures/{id}/narrow"),
        ("court", "/disclosures/{id}/narrow"),
        ("officer", "/disclosures/new"),
    ],
)
def test_a_role_without_the_capability_is_refused_every_method(client, method, who, path):
    order = disclosure_make()
    member = {
        "platform": lambda: persona(K.PLATFORM, R.ADMIN),
        "court": lambda: order.requested_by,
        "officer": _officer,
    }[who]()

    response = getattr(_signed_in(client, member), method)(path.format(id=order.public_id))

    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=AuditTag.ACCESS_DENIED, outcome=Outcome.DENIED).exists()
    assert not AuditEvent.objects.filter(action=AuditTag.DISCLOSURE_ORDER_DOCUMENT_OPENED).exists()


def test_an_officer_who_approved_is_told_so_and_offered_no_second_approval(client):
    order = disclosure_make()
    officer = _officer()
    _signed_in(client, officer).post(f"/disclosures/{order.public_id}/", {"action": "approve"})

    page = client.get(f"/disclosures/{order.public_id}/").content.decode()

    assert 'id="approved-by-me"' in page and 'value="approve"' not in page


def test_an_officer_narrows_an_order_by_identifiers_to_one_of_them(client):
    _signed_in(client, _clerk()).post("/disclosures/new", _order_form())
    order = DisclosureRequest.objects.get()
    kept = order.scope_tokens[0]
    client.logout()

    response = _narrow(_signed_in(client, _officer()), order, keep_reports=None, keep_tokens=[kept])

    order.refresh_from_db()
    page = client.get(f"/disclosures/{order.public_id}/").content.decode()
    assert response.status_code == 302 and order.scope_tokens == [kept]
    assert 'id="narrowings"' in page and "2 identifiers" in page and "1 identifier;" in page


def test_the_commands_beside_the_download_are_the_readmes_tested_walk_through():
    """README's "A court opens a package" runs in tests/sharing/test_package_stock_tools.py; the page copies it."""
    import re
    from pathlib import Path

    from sharing.disclosure.web import OPEN_COMMANDS, TRUST_COMMAND

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = readme.split("### A court opens a package", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    lines = [re.sub(r"\s+#.*$", "", line).strip() for line in block.replace("\\\n", " ").splitlines()]
    commands = [
        re.sub(r"\s+", " ", line) for line in lines if line and not line.startswith("#") and line != "cd .."
    ]

    page = [TRUST_COMMAND.format(keys_url="$HUB_URL/api/v1/keys")]
    page += [line.format(request_id="$REQUEST_ID") for line in OPEN_COMMANDS]
    assert page == commands

"""Sales totals (sharing/sales_totals/): who may ask and answer, per-field 400s for bad input (short
keys, unknown currencies, overlapping periods, ciphertexts not for the key), one answer per task,
the audit trail (the release restricted-class under the request's legal basis) and the deadline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit.models import AuditEvent, DataClass
from accounts.audit.tags import AuditTag
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from hubcore import paillier
from sharing.models import SalesTotalsRequest, SalesTotalsTask, Subject
from sharing.reports.services.reports import report_retract
from sharing.sales_totals.services.sales_totals import sales_totals_close_due
from tests.factories import client_for, persona, report_make_accepted, seller_identifiers

SELLER = seller_identifiers(61)


@pytest.fixture(scope="module")
def key():
    """One 3072-bit key pair for the module."""
    return paillier.keypair_generate()


@pytest.fixture
def listed(db, brand_reporter, reviewer):
    """A seller the brand reported (accepted) and three platforms matched with a check."""
    report_make_accepted(brand_reporter, reviewer, SELLER)
    platforms = [persona(K.PLATFORM, R.ANALYST) for _ in range(3)]
    for platform in platforms:
        assert (
            client_for(platform)
            .post("/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": SELLER}, format="json")
            .status_code
            == 200
        )
    subject = client_for(brand_reporter).get("/api/v1/outcomes").json()["results"][0]["subject_id"]
    return subject, platforms


def _body(subject, key, **fields) -> dict:
    public_key, _ = key
    return {
        "subject": subject,
        "period_start": "2025-01-01",
        "period_end": "2025-06-30",
        "currency": "EUR",
        "public_key": str(public_key.n),
        **fields,
    }


def _ask(member, body):
    return client_for(member).post("/api/v1/sales-totals", body, format="json")


def _fields(response) -> dict:
    return response.json()["error"]["fields"]


def _task(member) -> dict:
    (task,) = client_for(member).get("/api/v1/sales-totals-tasks").json()["results"]
    return task


def _submit(member, key, figures=(100, 2, 3), accounts=1):
    public_key, _ = key
    task = _task(member)
    ciphertexts = paillier.figures_encrypt(public_key.n, dict(zip(paillier.FIGURES, figures, strict=True)))
    return client_for(member).post(
        f"/api/v1/sales-totals-tasks/{task['id']}/submit",
        {"ciphertexts": ciphertexts, "accounts": accounts},
        format="json",
    )


@pytest.mark.django_db
def test_a_request_gives_every_matching_platform_a_task_and_no_one_else(listed, key, brand_reporter):
    subject, platforms = listed
    bystander = persona(K.PLATFORM, R.ANALYST)

    response = _ask(brand_reporter, _body(subject, key))

    assert response.status_code == 201, response.content
    assert response.json()["k"] == 3 and response.json()["aggregate"] is None
    assert SalesTotalsTask.objects.filter(request__public_id=response.json()["id"]).count() == 3
    assert all(_task(p)["public_key"] == str(key[0].n) for p in platforms)
    assert client_for(bystander).get("/api/v1/sales-totals-tasks").json()["results"] == []
    requested = AuditEvent.objects.get(action=AuditTag.SALES_TOTALS_REQUESTED)
    assert requested.details["tasks"] == 3 and requested.details["key_bits"] >= 3072


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change,field",
    [
        ({"public_key": str((1 << 3070) + 1)}, "public_key"),  # 3071 bits: one short
        ({"public_key": "0x1234"}, "public_key"),
        ({"public_key": "²" * 925}, "public_key"),  # digits to str.isdigit, not to int()
        ({"public_key": "٣" * 925}, "public_key"),  # Arabic-Indic digits: not a decimal modulus here
        ({"public_key": str((1 << 3100) + 2)}, "public_key"),
        ({"currency": "EUX"}, "currency"),
        ({"currency": "eur"}, "currency"),
        ({"period_end": "2024-12-31"}, "period_end"),
        ({"period_end": (date.today() + timedelta(days=2)).isoformat()}, "period_end"),
        ({"k": 2}, "k"),
        ({"subject": "not-a-uuid"}, "subject"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(listed, key, brand_reporter, change, field):
    subject, _ = listed

    response = _ask(brand_reporter, {**_body(subject, key), **change})

    assert response.status_code == 400, response.content
    assert field in _fields(response)
    assert not SalesTotalsRequest.objects.exists()


@pytest.mark.django_db
def test_overlapping_periods_for_the_same_seller_are_refused_so_no_one_differences(
    listed, key, brand_reporter, other_brand_reporter, reviewer
):
    subject, _ = listed
    report_make_accepted(other_brand_reporter, reviewer, SELLER)
    assert _ask(brand_reporter, _body(subject, key)).status_code == 201

    overlapping = _ask(
        other_brand_reporter, _body(subject, key, period_start="2025-06-30", period_end="2025-07-31")
    )
    inside = _ask(brand_reporter, _body(subject, key, period_start="2025-02-01", period_end="2025-02-28"))
    after = _ask(brand_reporter, _body(subject, key, period_start="2025-07-01", period_end="2025-07-31"))

    assert overlapping.status_code == inside.status_code == 400
    assert "period_start" in _fields(overlapping) and "period_start" in _fields(inside)
    assert after.status_code == 201


@pytest.mark.django_db
def test_a_rights_owners_request_does_not_block_a_courts_order_for_the_same_period(
    listed, key, brand_reporter
):
    """Each result is encrypted to its own requester's key: a court's order and a rights owner's
    request cannot be subtracted from each other by either, so neither blocks the other. Courts
    among themselves still may not overlap."""
    subject, _ = listed
    clerk, other_clerk = persona(K.COURT, R.ANALYST), persona(K.COURT, R.ANALYST)
    case = {"case_reference": "(2026) Hu 0115 Min Chu 9"}
    assert _ask(brand_reporter, _body(subject, key)).status_code == 201

    court = _ask(clerk, _body(subject, key, **case))
    second_court = _ask(other_clerk, _body(subject, key, **case))
    brand_again = _ask(brand_reporter, _body(subject, key, period_start="2025-03-01"))

    assert court.status_code == 201, court.content
    assert second_court.status_code == 400 and "period_start" in _fields(second_court)
    assert brand_again.status_code == 400


@pytest.mark.django_db
def test_a_refused_request_released_nothing_so_its_period_may_be_asked_again(
    key, brand_reporter, other_brand_reporter, reviewer
):
    seller = seller_identifiers(77)
    report_make_accepted(brand_reporter, reviewer, seller)
    report_make_accepted(other_brand_reporter, reviewer, seller)
    client_for(persona(K.PLATFORM, R.ANALYST)).post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": seller}, format="json"
    )
    (subject,) = Subject.objects.all()
    assert _ask(brand_reporter, _body(str(subject.public_id), key)).status_code == 201
    blocked = _ask(other_brand_reporter, _body(str(subject.public_id), key))

    assert sales_totals_close_due(now=timezone.now() + timedelta(days=15)) == 1  # one member: refused
    again = _ask(other_brand_reporter, _body(str(subject.public_id), key))

    assert blocked.status_code == 400
    assert SalesTotalsRequest.objects.filter(status="refused").count() == 1
    assert again.status_code == 201, again.content


@pytest.mark.django_db
def test_no_part_of_a_seller_split_in_three_may_be_asked_about_again_for_the_same_period(
    key, brand_reporter, reviewer
):
    parts = [seller_identifiers(900 + n) for n in range(3)]
    linking = report_make_accepted(brand_reporter, reviewer, [i for part in parts for i in part])
    for part in parts:  # each part stays listed on its own once the linking report goes
        report_make_accepted(brand_reporter, reviewer, part)
        for _ in range(2):
            checked = client_for(persona(K.PLATFORM, R.ANALYST)).post(
                "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": part}, format="json"
            )
            assert checked.status_code == 200
    (whole,) = Subject.objects.all()
    assert _ask(brand_reporter, _body(str(whole.public_id), key)).status_code == 201

    report_retract(report=linking, actor=Actor(member=brand_reporter))
    split = list(Subject.objects.all())
    again = [_ask(brand_reporter, _body(str(part.public_id), key)) for part in split]
    later = _ask(
        brand_reporter,
        _body(str(split[-1].public_id), key, period_start="2025-07-01", period_end="2025-09-30"),
    )

    assert len(split) == 3
    assert [answer.status_code for answer in again] == [400, 400, 400]
    assert all("period_start" in _fields(answer) for answer in again)
    assert later.status_code == 201  # a period no request covered is still askable


@pytest.mark.django_db
def test_only_a_seller_the_rights_owner_reported_may_be_asked_about(listed, key, other_brand_reporter):
    subject, _ = listed

    response = _ask(other_brand_reporter, _body(subject, key))

    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=AuditTag.SALES_TOTALS_REQUESTED, outcome="denied").exists()


@pytest.mark.django_db
def test_a_court_names_its_case(listed, key):
    subject, _ = listed
    clerk = persona(K.COURT, R.ANALYST)

    without = _ask(clerk, _body(subject, key))
    with_case = _ask(clerk, _body(subject, key, case_reference="(2026) Hu 0115 Min Chu 9"))

    assert without.status_code == 400 and "case_reference" in _fields(without)
    assert with_case.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["0", "n", "n2", "abc", "superscript"])
def test_ciphertexts_not_well_formed_for_the_key_are_refused(listed, key, brand_reporter, bad):
    subject, platforms = listed
    _ask(brand_reporter, _body(subject, key))
    n = key[0].n
    value = {"0": "0", "n": str(n), "n2": str(n * n), "abc": "abc", "superscript": "²"}[bad]
    good = paillier.figures_encrypt(n, {"gross_minor": 1, "orders": 1, "units": 1})
    task = _task(platforms[0])

    response = client_for(platforms[0]).post(
        f"/api/v1/sales-totals-tasks/{task['id']}/submit",
        {"ciphertexts": {**good, "orders": value}, "accounts": 1},
        format="json",
    )

    assert response.status_code == 400 and "orders" in _fields(response)
    assert SalesTotalsTask.objects.get(public_id=task["id"]).status == "pending"


@pytest.mark.django_db
def test_a_ciphertext_under_another_key_is_refused(listed, key, brand_reporter):
    subject, platforms = listed
    _ask(brand_reporter, _body(subject, key))
    other, _ = paillier.keypair_generate()
    foreign = paillier.figures_encrypt(other.n, {"gross_minor": 1, "orders": 1, "units": 1})
    # A ciphertext under a larger modulus is usually out of range for this key.
    foreign = {name: str(int(c) + key[0].n * key[0].n) for name, c in foreign.items()}
    task = _task(platforms[0])

    response = client_for(platforms[0]).post(
        f"/api/v1/sales-totals-tasks/{task['id']}/submit",
        {"ciphertexts": foreign, "accounts": 1},
        format="json",
    )

    assert response.status_code == 400 and set(_fields(response)) >= set(paillier.FIGURES)


@pytest.mark.django_db
def test_a_task_is_answered_once_and_a_decline_needs_a_reason(listed, key, brand_reporter):
    subject, platforms = listed
    _ask(brand_reporter, _body(subject, key))
    task = _task(platforms[1])
    decline = f"/api/v1/sales-totals-tasks/{task['id']}/decline"

    blank = client_for(platforms[1]).post(decline, {"reason": "  "}, format="json")
    first = _submit(platforms[0], key)
    again = _submit(platforms[0], key)
    declined = client_for(platforms[1]).post(decline, {"reason": "no sales in the period"}, format="json")
    other = client_for(platforms[0]).post(decline, {"reason": "not mine"}, format="json")

    assert blank.status_code == 400 and "reason" in _fields(blank)
    assert (first.status_code, again.status_code, declined.status_code) == (200, 409, 200)
    assert other.status_code == 404  # another member's task is not there
    submitted = AuditEvent.objects.get(action=AuditTag.SALES_TOTALS_SUBMITTED)
    assert submitted.data_class == DataClass.RESTRICTED and submitted.legal_basis.startswith(
        "sales_totals_request:"
    )


@pytest.mark.django_db
def test_the_release_is_audited_restricted_with_its_legal_basis_and_only_at_the_deadline(
    listed, key, brand_reporter
):
    subject, platforms = listed
    created = _ask(brand_reporter, _body(subject, key)).json()
    for n, platform in enumerate(platforms):
        assert (
            _submit(platform, key, figures=(1000 * (n + 1), n + 1, 2 * n + 1), accounts=n + 1).status_code
            == 200
        )

    assert sales_totals_close_due() == 0
    assert sales_totals_close_due(now=timezone.now() + timedelta(days=15)) == 1
    assert sales_totals_close_due(now=timezone.now() + timedelta(days=16)) == 0  # closed once

    read = client_for(brand_reporter).get(f"/api/v1/sales-totals/{created['id']}").json()
    assert paillier.aggregate_decrypt(key[1], read["aggregate"]) == {
        "gross_minor": 6000,
        "orders": 6,
        "units": 9,
    }
    released = AuditEvent.objects.get(action=AuditTag.SALES_TOTALS_RELEASED)
    assert released.data_class == DataClass.RESTRICTED
    assert released.legal_basis == f"sales_totals_request:{created['id']}"
    assert released.details["aggregate_sha256"] == paillier.aggregate_sha256(read["aggregate"])
    assert AuditEvent.objects.filter(
        action=AuditTag.SALES_TOTALS_READ, data_class=DataClass.RESTRICTED
    ).exists()


@pytest.mark.django_db
def test_the_database_refuses_a_k_below_three(listed, key, brand_reporter):
    from django.db import IntegrityError, transaction

    subject, _ = listed
    created = _ask(brand_reporter, _body(subject, key)).json()

    with pytest.raises(IntegrityError), transaction.atomic():
        SalesTotalsRequest.objects.filter(public_id=created["id"]).update(k=2)


# The pages: the requester follows its requests; a member declines on the page (no JavaScript).


def _web(member):
    from django.test import Client

    from tests.factories import web_login

    client = Client()
    web_login(client, member)
    return client


@pytest.mark.django_db
def test_the_requester_follows_its_requests_on_the_page(listed, key, brand_reporter, platform_analyst):
    subject, _ = listed
    created = _ask(brand_reporter, _body(subject, key)).json()

    page = _web(brand_reporter).get("/sales-totals/")

    assert page.status_code == 200 and created["id"] in page.content.decode()
    assert "hubctl sales-totals decrypt" in page.content.decode()
    assert _web(platform_analyst).get("/sales-totals/").status_code == 403
    assert AuditEvent.objects.filter(
        action=AuditTag.SALES_TOTALS_LISTED, actor_member=brand_reporter
    ).exists()


@pytest.mark.django_db
def test_a_members_task_names_the_seller_and_its_own_matches_only(listed, key, brand_reporter):
    from sharing.models import SubjectMatch

    subject, platforms = listed
    _ask(brand_reporter, _body(subject, key))
    own = SubjectMatch.objects.get(organisation=platforms[0].organisation)
    other = SubjectMatch.objects.get(organisation=platforms[1].organisation)

    html = _web(platforms[0]).get("/sales-totals/tasks/").content.decode()

    assert subject in html  # the seller, as its subject id
    assert f"<code>{own.reference}</code>" in html  # the check it can look its accounts up by
    assert other.reference not in html


@pytest.mark.django_db
def test_the_task_api_names_the_members_own_matches_only(listed, key, brand_reporter):
    from sharing.models import SubjectMatch

    subject, platforms = listed
    _ask(brand_reporter, _body(subject, key))
    own = SubjectMatch.objects.get(organisation=platforms[0].organisation)
    other = SubjectMatch.objects.get(organisation=platforms[1].organisation)
    api = client_for(platforms[0])

    listed_tasks = api.get("/api/v1/sales-totals-tasks").json()["results"]
    one = api.get(f"/api/v1/sales-totals-tasks/{listed_tasks[0]['id']}").json()

    assert listed_tasks[0]["own_matches"] == [{"source": "check", "reference": own.reference}]
    assert one["own_matches"] == listed_tasks[0]["own_matches"]
    assert other.reference not in str(listed_tasks) + str(one)


@pytest.mark.django_db
def test_declining_on_the_page_follows_the_apis_reason_rule(listed, key, brand_reporter):
    subject, platforms = listed
    _ask(brand_reporter, _body(subject, key))
    task = _task(platforms[0])
    web = _web(platforms[0])

    listed_page = web.get("/sales-totals/tasks/")
    blank = web.post("/sales-totals/tasks/", {"task_id": task["id"], "reason": "   "})
    theirs = _web(persona(K.PLATFORM, R.ANALYST)).post(
        "/sales-totals/tasks/", {"task_id": task["id"], "reason": "not ours"}
    )
    declined = web.post("/sales-totals/tasks/", {"task_id": task["id"], "reason": "no sales in the period"})

    assert listed_page.status_code == 200 and task["id"] in listed_page.content.decode()
    assert blank.status_code == 400 and 'data-field="reason"' in blank.content.decode()
    assert theirs.status_code == 404
    assert declined.status_code == 302
    assert SalesTotalsTask.objects.get(public_id=task["id"]).status == "declined"


@pytest.mark.django_db
@pytest.mark.skipif(not __import__("shutil").which("ssh-keygen"), reason="needs OpenSSH's ssh-keygen")
def test_the_statement_verifies_with_stock_ssh_keygen_and_names_the_served_aggregate(
    listed, key, brand_reporter, tmp_path
):
    import hashlib
    import json
    import subprocess

    from hub.keys import signing_key
    from hubcore.packages import raw_public, ssh_public_key

    subject, platforms = listed
    created = _ask(brand_reporter, _body(subject, key)).json()
    for platform in platforms:
        assert _submit(platform, key).status_code == 200
    sales_totals_close_due(now=timezone.now() + timedelta(days=15))
    read = client_for(brand_reporter).get(f"/api/v1/sales-totals/{created['id']}").json()
    (tmp_path / "statement.json").write_text(read["statement"], encoding="utf-8")
    (tmp_path / "statement.json.sig").write_text(read["statement_signature"])
    (tmp_path / "hub.pub").write_text(ssh_public_key(raw_public(signing_key().public_key())) + "\n")

    def check(namespace: str) -> int:
        with open(tmp_path / "statement.json", "rb") as statement:
            return subprocess.run(
                [
                    "ssh-keygen",
                    "-Y",
                    "check-novalidate",
                    "-n",
                    namespace,
                    "-f",
                    str(tmp_path / "hub.pub"),
                    "-s",
                    str(tmp_path / "statement.json.sig"),
                ],
                stdin=statement,
                capture_output=True,
                timeout=30,
            ).returncode

    assert check("iih-sales-totals") == 0
    assert check("iih-disclosure") != 0  # a statement is no package signature
    statement = json.loads(read["statement"])
    canonical = json.dumps(read["aggregate"], sort_keys=True, separators=(",", ":")).encode()
    assert statement["aggregate_sha256"] == hashlib.sha256(canonical).hexdigest()
    assert sorted(c["accounts"] for c in statement["contributors"]) == [1, 1, 1]
    assert statement["public_key_sha256"] == hashlib.sha256(str(key[0].n).encode()).hexdigest()


@pytest.mark.django_db
def test_a_member_with_a_webhook_hears_of_its_task(listed, key, brand_reporter):
    import json

    from sharing.models import WebhookOutbox
    from tests.factories import member_make

    subject, platforms = listed
    admin = member_make(platforms[0].organisation, R.ADMIN)
    registered = client_for(admin).post(
        "/api/v1/webhooks", {"url": "https://hooks.example.com/hub"}, format="json"
    )
    assert registered.status_code == 201, registered.content

    created = _ask(brand_reporter, _body(subject, key)).json()

    (event,) = WebhookOutbox.objects.filter(event_type="sales_totals.task_created")
    data = json.loads(event.body)["data"]
    assert event.endpoint.organisation == platforms[0].organisation
    assert data["request"] == created["id"] and data["task"] == _task(platforms[0])["id"]
    assert data["currency"] == "EUR" and str(key[0].n) not in event.body


@pytest.mark.django_db
def test_a_request_follows_its_seller_merged_into_another_and_still_blocks_the_period(
    key, brand_reporter, reviewer
):
    """Two listed sellers turn out to be one: a request on the one merged away still covers its period
    on the survivor, so the survivor cannot be asked about that period again (no differencing)."""
    first, second = seller_identifiers(73), seller_identifiers(74)
    for seller in (first, second):
        report_make_accepted(brand_reporter, reviewer, seller)
    subjects = {
        row["subject_id"] for row in client_for(brand_reporter).get("/api/v1/outcomes").json()["results"]
    }
    assert len(subjects) == 2
    periods = dict(
        zip(sorted(subjects), [("2025-01-01", "2025-03-31"), ("2025-07-01", "2025-09-30")], strict=True)
    )
    for subject, (start, end) in periods.items():
        assert (
            _ask(brand_reporter, _body(subject, key, period_start=start, period_end=end)).status_code == 201
        )
    report_make_accepted(brand_reporter, reviewer, [first[0], second[1]])  # links the two
    (survivor,) = {
        row["subject_id"] for row in client_for(brand_reporter).get("/api/v1/outcomes").json()["results"]
    }
    (merged,) = subjects - {survivor}
    start, end = periods[merged]

    again = _ask(brand_reporter, _body(survivor, key, period_start=start, period_end=end))

    assert again.status_code == 400 and "period_start" in _fields(again)
    assert {str(r.subject.public_id) for r in SalesTotalsRequest.objects.all()} == {survivor}


@pytest.mark.django_db
def test_released_totals_go_abroad_only_under_a_transfer_basis_and_are_recorded(
    listed, key, brand_reporter, settings
):
    from accounts.models import Organisation
    from accounts.transfers.models import CrossBorderTransfer

    subject, platforms = listed
    asked = _ask(brand_reporter, _body(subject, key)).json()
    for platform in platforms:
        assert _submit(platform, key).status_code == 200
    sales_totals_close_due(now=timezone.now() + timedelta(days=15))
    Organisation.objects.filter(pk=brand_reporter.organisation_id).update(jurisdiction="US")
    settings.HUB_TRANSFER_BASES = {}
    api = client_for(brand_reporter)

    refused = api.get(f"/api/v1/sales-totals/{asked['id']}")
    listing_refused = api.get("/api/v1/sales-totals")
    settings.HUB_TRANSFER_BASES = {"US": "standard_contract"}
    allowed = api.get(f"/api/v1/sales-totals/{asked['id']}")

    assert refused.status_code == listing_refused.status_code == 403
    assert allowed.status_code == 200 and allowed.json()["aggregate"]
    (transfer,) = CrossBorderTransfer.objects.all()
    assert (transfer.channel, transfer.basis, transfer.destination) == (
        "sales_totals",
        "standard_contract",
        "US",
    )

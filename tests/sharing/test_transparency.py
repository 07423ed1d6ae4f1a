"""The public transparency report: figures per quarter with small counts suppressed (tested at the
threshold), published once and signed, verified with the hub's published key, served to anyone;
the operators' draft and per-member indicators are not there (404) for members."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import DatabaseError, IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.actors import Actor
from accounts.audit.models import AuditEvent, Outcome
from accounts.audit.tags import AuditTag
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from hubcore.transparency import TransparencyError, signature_verify
from sharing.models import Report, TransparencyReport
from sharing.transparency.publication import transparency_report_publish
from sharing.transparency.selectors import Quarter, quarter_figures, quarter_of, quarter_parse
from sharing.transparency.tasks import transparency_reports_publish_task
from tests.factories import (
    client_for,
    disclosure_make,
    dispute_make,
    persona,
    report_make,
    report_make_accepted,
    report_make_rejected,
    seller_identifiers,
    web_login,
)

pytestmark = pytest.mark.django_db

THRESHOLD = 3


@pytest.fixture
def reviewer():
    return persona(K.OPERATOR, R.REVIEWER)


def _this_quarter() -> Quarter:
    return quarter_of(timezone.now())


def _published(quarter: Quarter | None = None) -> TransparencyReport:
    """Publish the quarter holding today's data, as the task will the day after it ends."""
    quarter = quarter or _this_quarter()
    report = transparency_report_publish(quarter=quarter, now=quarter.end + timedelta(hours=1))
    assert report is not None
    return report


def _checked_by(n: int, identifiers: list[dict]) -> None:
    for i in range(n):
        analyst = persona(K.PLATFORM, R.ANALYST, name=f"Checking Platform {i}")
        answer = client_for(analyst).post(
            "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": identifiers}, format="json"
        )
        assert answer.status_code == 200, answer.content


# --- figures and suppression -------------------------------------------------------------------


@pytest.mark.parametrize("checkers,shown", [(THRESHOLD - 1, None), (THRESHOLD, THRESHOLD)])
def test_checks_are_shown_only_when_enough_organisations_checked(reviewer, checkers, shown):
    identifiers = seller_identifiers(1)
    report_make_accepted(persona(K.RIGHTS_OWNER, R.REPORTER), reviewer, identifiers)
    _checked_by(checkers, identifiers)

    figures = quarter_figures(_this_quarter())
    document = json.loads(_published().document)

    assert figures.checks.value == shown
    assert document["figures"]["checks"] == shown
    assert document["suppression_threshold"] == THRESHOLD


@pytest.mark.parametrize("reporters,shown", [(THRESHOLD - 1, None), (THRESHOLD, THRESHOLD)])
def test_reports_by_category_and_level_are_suppressed_below_the_threshold_of_reporters(reporters, shown):
    for i in range(reporters):
        report_make(persona(K.RIGHTS_OWNER, R.REPORTER), seller_identifiers(10 + i))

    figures = json.loads(_published().document)["figures"]

    assert figures["reports_filed"] == shown
    assert figures["reports_by_category"]["counterfeit"] == shown
    assert figures["reports_by_verification_level"]["rights_owner_verified"] == shown
    assert figures["reports_by_category"]["piracy"] is None  # none: below the threshold as well


def test_a_hidden_category_cannot_be_had_by_subtracting_the_shown_ones_from_the_total():
    # Counterfeit: four reporters; piracy: one reporter. The total (five reporters) is published.
    for i in range(THRESHOLD + 1):
        report_make(persona(K.RIGHTS_OWNER, R.REPORTER), seller_identifiers(110 + i))
    lone = report_make(persona(K.RIGHTS_OWNER, R.REPORTER), seller_identifiers(120))
    Report.objects.filter(pk=lone.pk).update(category="piracy")

    figures = json.loads(_published().document)["figures"]
    categories = figures["reports_by_category"]

    assert figures["reports_filed"] == THRESHOLD + 2
    assert categories["piracy"] is None
    # The smallest other cell is withheld too, so total minus the shown cells is no one reporter's count.
    shown = sum(value for value in categories.values() if value is not None)
    assert figures["reports_filed"] - shown >= THRESHOLD or all(v is None for v in categories.values())
    assert categories["counterfeit"] is None


def test_one_reporter_filing_many_reports_stays_suppressed():
    reporter = persona(K.RIGHTS_OWNER, R.REPORTER)
    for i in range(THRESHOLD + 2):
        report_make(reporter, seller_identifiers(20 + i))

    assert quarter_figures(_this_quarter()).reports_filed.value is None


def test_review_disputes_and_their_median_are_counted(reviewer):
    reporters = [persona(K.RIGHTS_OWNER, R.REPORTER) for _ in range(THRESHOLD)]
    for i, reporter in enumerate(reporters):
        report_make_accepted(reporter, reviewer, seller_identifiers(30 + i))
        report_make_rejected(reporter, reviewer, seller_identifiers(40 + i))
    for i in range(THRESHOLD):
        dispute_make(n=50 + i)

    figures = quarter_figures(_this_quarter())

    # dispute_make files each dispute against a freshly accepted report of its own
    assert figures.accepted.value == THRESHOLD * 2
    assert figures.rejected.value == THRESHOLD
    assert figures.disputes_filed.value == THRESHOLD
    assert figures.median_review_hours is not None and figures.median_review_hours >= 0


@pytest.mark.parametrize("orders,shown", [(THRESHOLD - 1, None), (THRESHOLD, THRESHOLD)])
def test_disclosure_orders_are_counts_only_never_the_case_or_the_court(orders, shown):
    requests = [disclosure_make() for _ in range(orders)]

    report = _published()
    figures = json.loads(report.document)["figures"]

    assert figures["disclosure_orders"]["received"] == shown
    text = report.document + report.signature
    for request in requests:
        assert request.case_number not in text
        assert request.issuing_court not in text
        assert request.court.name not in text
        assert str(request.public_id) not in text


def test_one_courts_orders_stay_suppressed_however_many():
    clerk = persona(K.COURT, R.ANALYST)
    for _ in range(THRESHOLD + 1):
        disclosure_make(clerk=clerk)

    assert quarter_figures(_this_quarter()).disclosure_orders["received"].value is None


@pytest.mark.parametrize("organisations,shown", [(1, None), (THRESHOLD, THRESHOLD)])
def test_reporter_suspensions_are_shown_by_the_organisations_suspended(organisations, shown):
    from accounts.audit.models import DataClass, LegalBasis
    from accounts.audit.services import audit_record

    reporters = [persona(K.RIGHTS_OWNER, R.REPORTER) for _ in range(organisations)]
    for n in range(THRESHOLD):  # THRESHOLD suspensions: of one organisation, or one each
        audit_record(
            actor=None,
            tag=AuditTag.REPUTATION_CHANGED,
            target_type="organisation",
            target_id=str(reporters[n % organisations].organisation.public_id),
            data_class=DataClass.ADMINISTRATIVE,
            legal_basis=LegalBasis.OPERATOR_DUTY,
            details={"reporting_suspended_until": "2027-01-01T00:00:00Z"},
        )

    assert quarter_figures(_this_quarter()).reporter_suspensions.value == shown


def test_the_document_never_carries_an_identifier_or_an_organisation_name(reviewer):
    identifiers = seller_identifiers(60)
    owners = [persona(K.RIGHTS_OWNER, R.REPORTER, name=f"Brand Owner {i}") for i in range(THRESHOLD)]
    for owner in owners:
        report_make_accepted(owner, reviewer, identifiers)
    _checked_by(THRESHOLD, identifiers)
    dispute_make(n=61)

    text = _published().document

    assert json.loads(text)["figures"]["checks"] == THRESHOLD
    for identifier in identifiers:
        assert identifier["value"] not in text
    assert "Brand Owner" not in text and "Checking Platform" not in text
    assert "13800138" not in text and "@example.com" not in text


# --- publication, signature, immutability -------------------------------------------------------


def test_the_running_quarter_is_not_published_and_the_task_publishes_the_last_ended_one():
    assert transparency_report_publish(quarter=_this_quarter()) is None

    assert transparency_reports_publish_task() == 1
    assert transparency_reports_publish_task() == 0

    [report] = TransparencyReport.objects.all()
    assert report.period == _this_quarter().previous().label
    assert (
        AuditEvent.objects.filter(action=AuditTag.TRANSPARENCY_PUBLISHED, object_id=report.period).count()
        == 1
    )


def test_publishing_twice_keeps_the_first_and_the_database_refuses_a_change():
    first = _published()
    report_make(persona(K.RIGHTS_OWNER, R.REPORTER))

    again = _published()

    assert again.pk == first.pk and again.document == first.document
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        TransparencyReport.objects.filter(pk=first.pk).update(document="{}")


def _published_key() -> bytes:
    keys = APIClient().get("/api/v1/keys")
    assert keys.status_code == 200
    return bytes.fromhex(keys.json()["signing_public_key"])


def test_anyone_verifies_the_signature_with_the_published_key_using_cryptography_alone():
    report = _published()
    anonymous = Client()

    document = anonymous.get(f"/transparency/{report.period}.json")
    note = anonymous.get(f"/transparency/{report.period}.json.sig").content.decode()

    assert document.status_code == 200 and document["Content-Type"] == "application/json"
    signed_text, _, signature_lines = note.partition("\n\n")
    fmt, origin, period, digest = signed_text.split("\n")
    assert (fmt, period) == ("iih-transparency-report/1", report.period)
    assert base64.b64decode(digest) == hashlib.sha256(document.content).digest()
    dash, name, blob = signature_lines.strip().split(" ")
    assert name == origin
    # Raises InvalidSignature when it does not verify.
    Ed25519PublicKey.from_public_bytes(_published_key()).verify(
        base64.b64decode(blob)[4:], (signed_text + "\n").encode()
    )
    assert signature_verify(document.content, note, _published_key()).period == report.period


def test_an_altered_document_or_another_quarters_signature_does_not_verify():
    report = _published()
    older = _published(_this_quarter().previous())
    key = _published_key()

    altered = report.document.replace('"status":"final"', '"status":"draft"').encode()

    with pytest.raises(TransparencyError):
        signature_verify(altered, report.signature, key)
    with pytest.raises(TransparencyError):
        signature_verify(report.document.encode(), older.signature, key)
    with pytest.raises(TransparencyError):
        signature_verify(report.document.encode(), report.signature, bytes(32))


def test_an_audit_checkpoint_note_is_not_a_transparency_signature():
    from accounts.audit.checkpoints import checkpoint_create

    report = _published()
    checkpoint = checkpoint_create(force=True)

    with pytest.raises(TransparencyError):
        signature_verify(report.document.encode(), checkpoint.note, _published_key())


# --- the public pages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language,title,fewer",
    [("en", "Transparency report", "fewer than 3"), ("zh-hans", "透明度报告", "少于 3")],
)
def test_anonymous_visitors_see_the_quarters_and_a_quarter_with_charts_in_both_languages(
    language, title, fewer
):
    report = _published()
    anonymous = Client(headers={"accept-language": language})

    index = anonymous.get("/transparency/")
    page = anonymous.get(f"/transparency/{report.period}/")

    assert index.status_code == 200 and title in index.content.decode()
    assert report.period in index.content.decode()
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<svg") == 7 and 'id="table-disclosure"' in html
    assert fewer in html


@pytest.mark.parametrize("period", ["2026-Q5", "nonsense", "1999-Q1", "0000-Q1", "9999-Q4"])
def test_an_unknown_or_malformed_quarter_is_404(period):
    _published()
    assert Client().get(f"/transparency/{period}/").status_code == 404
    assert Client().get(f"/transparency/{period}.json").status_code == 404


def test_the_public_pages_take_no_post():
    report = _published()
    assert Client().post(f"/transparency/{report.period}/").status_code == 405
    assert Client().post("/transparency/").status_code == 405


# --- operators: draft and per-member indicators -------------------------------------------------


@pytest.mark.parametrize(
    "kind,role",
    [(K.PLATFORM, R.ADMIN), (K.RIGHTS_OWNER, R.ADMIN), (K.COURT, R.ANALYST), (K.AUDITOR, R.ADMIN)],
)
def test_members_cannot_see_the_indicators_or_the_draft(kind, role):
    member = persona(kind, role)
    client = Client()
    web_login(client, member)

    assert client.get("/transparency/indicators/").status_code == 404
    assert client.get("/transparency/draft/").status_code == 404
    assert client.get("/transparency/").status_code == 200
    denied = AuditEvent.objects.filter(
        actor_member=member, action=AuditTag.ACCESS_DENIED, outcome=Outcome.DENIED
    )
    assert denied.count() == 2


def test_anonymous_visitors_are_sent_to_sign_in_for_the_operators_pages():
    answer = Client().get("/transparency/indicators/")
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_operators_see_per_member_indicators_from_matches_and_feedback(reviewer):
    identifiers = seller_identifiers(70)
    report_make_accepted(persona(K.RIGHTS_OWNER, R.REPORTER), reviewer, identifiers)
    analyst = persona(K.PLATFORM, R.ANALYST, name="Acting Platform")
    check = (
        client_for(analyst)
        .post("/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": identifiers}, format="json")
        .json()
    )
    given = client_for(analyst).post(
        "/api/v1/feedback",
        {"check_id": check["check_id"], "outcome": "acted", "action": "blocked"},
        format="json",
    )
    assert given.status_code == 201, given.content
    idle = persona(K.PLATFORM, R.ANALYST, name="Idle Platform")
    client_for(idle).post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": identifiers}, format="json"
    )
    client = Client()
    web_login(client, reviewer)

    page = client.get("/transparency/indicators/")

    html = page.content.decode()
    assert page.status_code == 200
    acting = html[html.index(f'data-member="{analyst.organisation.public_id}"') :].split("</tr>")[0]
    assert "Acting Platform" in acting and "<td>1</td>" in acting and "100%" in acting
    quiet = html[html.index(f'data-member="{idle.organisation.public_id}"') :].split("</tr>")[0]
    assert "0%" in quiet
    [row] = AuditEvent.objects.filter(action=AuditTag.INDICATORS_READ, actor_member=reviewer)
    assert str(analyst.organisation.public_id) in row.details["organisations"]
    assert "Acting Platform" not in json.dumps(row.details)


def test_operators_draw_up_the_running_quarter_as_a_signed_draft(reviewer):
    client = Client()
    web_login(client, reviewer)

    page = client.get("/transparency/draft/")

    html = page.content.decode()
    assert page.status_code == 200 and 'id="transparency-draft-notice"' in html
    assert not TransparencyReport.objects.exists()
    assert (
        AuditEvent.objects.filter(action=AuditTag.TRANSPARENCY_DRAFT_READ, actor_member=reviewer).count() == 1
    )


def test_a_draft_never_verifies_as_the_published_report(reviewer):
    from sharing.transparency.publication import transparency_draft

    _, body, note = transparency_draft(actor=Actor(member=reviewer))
    key = _published_key()

    with pytest.raises(TransparencyError, match="draft"):
        signature_verify(body, note, key)
    assert signature_verify(body, note, key, draft_allowed=True).draft
    # A draft's document under the published report's header does not pass either.
    from django.conf import settings

    from hub.keys import signing_key
    from hubcore.transparency import signature_make

    period = json.loads(body)["period"]
    as_final = signature_make(body, period=period, origin=settings.HUB_AUDIT_ORIGIN, key=signing_key())
    with pytest.raises(TransparencyError, match="status"):
        signature_verify(body, as_final, key)


def test_quarters_parse_and_step():
    assert quarter_parse("2026-Q4") == Quarter(2026, 4)
    assert quarter_parse("2026-Q0") is None
    assert Quarter(2026, 4).next() == Quarter(2027, 1) and Quarter(2027, 1).previous() == Quarter(2026, 4)
    assert Quarter(2026, 2).start.month == 4 and Quarter(2026, 2).end.month == 7


@pytest.mark.parametrize("period", ["0000-Q1", "9999-Q4", "2026-Q9", "x"])
def test_the_indicators_page_takes_any_period_text_without_a_500(reviewer, period):
    client = Client()
    web_login(client, reviewer)

    page = client.get("/transparency/indicators/", {"period": period})

    assert page.status_code == 200  # an unusable period falls back to the running quarter

"""The listed person's own route: prove an identifier by a one-time code, read the statement of
reasons, appeal, ask for a correction, download what the shareable tier holds."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from accounts.audit.models import Alert, AuditEvent, LegalBasis, Outcome
from accounts.audit.tags import AuditTag
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.models import (
    Dispute,
    DisputedReport,
    DisputeStatus,
    FeedObjectVersion,
    IdentifierChallenge,
    Notification,
    RectificationRequest,
    Report,
    ReportStatus,
    RestrictedRecord,
    SubjectMatch,
    WebhookOutbox,
)
from tests.factories import client_for, member_make, persona, report_make_accepted
from tests.sharing.test_raw_value_leak import _all_table_text
from tests.webhook_receiver import receiver  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

EMAIL = "Listed.Person.QX@Example.net"
PHONE = "+86 139 1234 5678"


def _listed(n: int = 41, email: str = EMAIL):
    reporter = persona(K.RIGHTS_OWNER, R.REPORTER)
    reviewer = persona(K.OPERATOR, R.REVIEWER)
    identifiers = _identifiers(n, email)
    report = report_make_accepted(reporter, reviewer, identifiers)
    return report, reporter, identifiers


def _identifiers(n: int = 41, email: str = EMAIL) -> list[dict]:
    return [{"type": "email", "value": email}, {"type": "phone", "value": f"+86 138 0013 {8000 + n:04d}"}]


def _code_in_mail(address: str) -> str:
    [message] = [m for m in mail.outbox if address.lower() in [a.lower() for a in m.to]][-1:]
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def _proven_client(address: str = EMAIL) -> Client:
    client = Client()
    client.post("/my-listing/", {"identifier_type": "email", "value": address})
    answered = client.post("/my-listing/code/", {"code": _code_in_mail(address.lower())})
    assert answered.status_code == 302 and answered["Location"].endswith("/my-listing/statement/")
    return client


def test_a_code_by_email_proves_the_address_and_the_statement_gives_the_checks_answer():
    _listed()

    client = _proven_client()
    page = client.get("/my-listing/statement/")

    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="subject-level"' in body and "subject-not-listed" not in body
    assert re.search(r'id="subject-reporters">1<', body)
    assert "Counterfeit" in body and "working days" in body
    session = client.session["subject_access_proven"]
    assert [item["type"] for item in session] == ["email"] and "listed.person" not in json.dumps(
        session
    ).lower()
    tags = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        AuditTag.SUBJECT_CODE_SENT,
        AuditTag.SUBJECT_CODE_VERIFIED,
        AuditTag.SUBJECT_STATEMENT_READ,
    } <= tags
    assert AuditEvent.objects.filter(legal_basis=LegalBasis.DATA_SUBJECT_RIGHTS).count() >= 3


def test_sending_a_code_answers_the_same_whether_or_not_the_identifier_is_listed():
    _listed()

    listed = Client().post("/my-listing/", {"identifier_type": "email", "value": EMAIL})
    unlisted = Client().post("/my-listing/", {"identifier_type": "email", "value": "nobody.here@example.net"})

    assert (listed.status_code, listed["Location"]) == (unlisted.status_code, unlisted["Location"])
    assert len(mail.outbox) == 2
    assert mail.outbox[0].body.replace(_code_in_mail(EMAIL), "") == mail.outbox[1].body.replace(
        _code_in_mail("nobody.here@example.net"), ""
    )


def test_a_wrong_code_is_refused_on_its_field_and_counted():
    client = Client()
    client.post("/my-listing/", {"identifier_type": "email", "value": EMAIL})
    right = _code_in_mail(EMAIL)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    answered = client.post("/my-listing/code/", {"code": wrong})

    assert answered.status_code == 400 and "That code is wrong" in answered.content.decode()
    assert 'data-field="code"' in answered.content.decode()
    assert IdentifierChallenge.objects.get().attempts == 1
    assert AuditEvent.objects.filter(action=AuditTag.SUBJECT_CODE_FAILED, outcome=Outcome.DENIED).exists()
    assert "subject_access_proven" not in client.session


def test_an_expired_code_is_refused():
    client = Client()
    client.post("/my-listing/", {"identifier_type": "email", "value": EMAIL})
    IdentifierChallenge.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    answered = client.post("/my-listing/code/", {"code": _code_in_mail(EMAIL)})

    assert answered.status_code == 400 and "expired" in answered.content.decode()
    assert IdentifierChallenge.objects.get().proven_at is None


def test_after_five_wrong_codes_even_the_right_one_is_refused():
    client = Client()
    client.post("/my-listing/", {"identifier_type": "email", "value": EMAIL})
    right = _code_in_mail(EMAIL)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    for _ in range(5):
        client.post("/my-listing/code/", {"code": wrong})
    answered = client.post("/my-listing/code/", {"code": right})

    assert answered.status_code == 400 and "Five wrong codes" in answered.content.decode()
    assert IdentifierChallenge.objects.get().attempts == 5 and "subject_access_proven" not in client.session


def test_a_challenge_never_holds_more_than_five_attempts():
    client = Client()
    client.post("/my-listing/", {"identifier_type": "email", "value": EMAIL})

    with pytest.raises(IntegrityError), transaction.atomic():
        IdentifierChallenge.objects.update(attempts=6)


def test_code_requests_are_rate_limited_per_identifier_with_a_clear_message(settings):
    settings.HUB_SUBJECT_CODE_REQUEST_RATE_TOKEN = "2/hour"

    answers = [Client().post("/my-listing/", {"identifier_type": "email", "value": EMAIL}) for _ in range(3)]

    assert [a.status_code for a in answers] == [302, 302, 429]
    assert "Too many requests" in answers[2].content.decode() and int(answers[2]["Retry-After"]) > 0
    assert len(mail.outbox) == 2
    assert AuditEvent.objects.filter(action=AuditTag.SUBJECT_CODE_THROTTLED).count() == 1


def test_code_attempts_are_rate_limited_per_address(settings):
    settings.HUB_SUBJECT_CODE_ATTEMPT_RATE_ADDRESS = "2/hour"
    client = Client()
    client.post("/my-listing/", {"identifier_type": "email", "value": EMAIL})

    answers = [client.post("/my-listing/code/", {"code": "000000"}) for _ in range(3)]

    assert answers[2].status_code == 429 and "Too many requests" in answers[2].content.decode()


def test_a_bad_address_is_named_on_its_field_never_a_500():
    answered = Client().post("/my-listing/", {"identifier_type": "email", "value": "no-at-sign.example"})
    unknown = Client().post("/my-listing/", {"identifier_type": "national_id", "value": "x"})

    assert answered.status_code == 400 and 'data-field="value"' in answered.content.decode()
    assert unknown.status_code == 400 and 'data-field="identifier_type"' in unknown.content.decode()
    assert not IdentifierChallenge.objects.exists()


def test_a_phone_code_goes_through_the_sms_file_backend(settings, tmp_path):
    settings.HUB_SMS_FILE_PATH = str(tmp_path / "sms")
    client = Client()

    client.post("/my-listing/", {"identifier_type": "phone", "value": PHONE})
    [written] = list((tmp_path / "sms").iterdir())
    text = written.read_text()
    code = re.search(r"\b(\d{6})\b", text.split("\n\n", 1)[1]).group(1)
    answered = client.post("/my-listing/code/", {"code": code})

    assert text.startswith("To: +8613912345678\n") and not mail.outbox
    assert answered.status_code == 302
    # The phone, then its observed twin (the same number as a courier records it seen on a parcel).
    assert [p["type"] for p in client.session["subject_access_proven"]] == ["phone", "observed_phone"]


def test_pages_after_the_code_need_a_proven_identifier():
    client = Client()

    assert client.get("/my-listing/code/")["Location"].endswith("/my-listing/")
    assert client.get("/my-listing/statement/")["Location"].endswith("/my-listing/")
    assert client.get("/my-listing/export.json")["Location"].endswith("/my-listing/")
    assert client.post("/my-listing/appeal/", {"grounds": "x" * 20})["Location"].endswith("/my-listing/")


def test_no_raw_identifier_or_code_is_kept_outside_the_restricted_tier(caplog):
    _listed()
    client = Client()
    client.post("/my-listing/", {"identifier_type": "email", "value": EMAIL})
    code = _code_in_mail(EMAIL)
    client.post("/my-listing/code/", {"code": code})
    client.post("/my-listing/correction/", {"text": "LEAKCANARY-5521 the category is wrong"})
    client.post("/my-listing/appeal/", {"grounds": "LEAKCANARY-7713 I sell licensed goods"})
    export = client.get("/my-listing/export.json")
    mail.outbox.clear()

    stored = _all_table_text()
    from django.contrib.sessions.models import Session

    sessions = "\n".join(json.dumps(s.get_decoded()) for s in Session.objects.all())
    audit = "\n".join(str(e.__dict__) for e in AuditEvent.objects.all())
    for haystack in (stored, sessions, audit, caplog.text, export.content.decode()):
        for needle in ("listed.person.qx", "Listed.Person.QX", "LEAKCANARY", f"subject-code:{code}"):
            assert needle not in haystack
    assert code not in audit and code not in sessions


def test_the_export_lists_the_shareable_tier_and_describes_the_restricted_one():
    report, reporter, _ = _listed()
    client = _proven_client()

    response = client.get("/my-listing/export.json")

    document = json.loads(response.content)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert document["format"] == "hub-subject-access-export/1"
    assert document["identifiers_proven"] == [{"type": "email", "on_file": True}]
    [entry] = document["reports"]
    assert entry["id"] == str(report.public_id) and entry["category"] == "counterfeit"
    assert entry["status"] == "accepted" and entry["reporter_kind"] == "rights_owner"
    assert document["check_answer"]["independent_reporters"] == 1
    assert document["identifiers_on_file"][0]["accounts_linked_in_subject"] == {"email": 1, "phone": 1}
    restricted = document["restricted_tier"]
    assert restricted["records_held"] >= 3 and "Art. 15(4)" in restricted["exemption"]
    assert "relies on" in restricted["exemption"] and "court" in " ".join(restricted["who_may_open"])
    assert reporter.organisation.name not in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditTag.SUBJECT_EXPORT_DOWNLOADED).count() == 1


def test_the_exports_match_counts_are_suppressed_per_source_by_that_sources_organisations(settings):
    settings.HUB_OUTCOME_SUPPRESSION_THRESHOLD = 3
    report, _, _ = _listed()
    subject = report.identifiers.first().token.subject
    for n in range(3):
        SubjectMatch.objects.create(
            organisation=persona(K.PLATFORM, R.ANALYST).organisation,
            subject=subject,
            source="check",
            reference=f"c-{n}",
        )
    SubjectMatch.objects.create(
        organisation=persona(K.LOGISTICS, R.ANALYST).organisation,
        subject=subject,
        source="watch",
        reference="w",
    )

    document = json.loads(_proven_client().get("/my-listing/export.json").content)

    # Four organisations matched in all, but only one watched: its count is not shown.
    assert document["matches_by_members"] == {
        "check": {"value": 3, "suppressed": False, "fewer_than": 3},
        "watch": {"value": None, "suppressed": True, "fewer_than": 3},
    }


def test_a_correction_reaches_the_reporter_and_the_operators_sealed():
    report, reporter, _ = _listed()
    client = _proven_client()

    answered = client.post("/my-listing/correction/", {"text": "The phone number is not mine any more."})

    request = RectificationRequest.objects.get()
    assert answered.status_code == 302
    assert list(request.reports.all()) == [report]
    note = Notification.objects.get(organisation=reporter.organisation, kind="rectification.requested")
    assert str(request.public_id) in note.message and "not mine" not in note.message
    alert = Alert.objects.get(kind="rectification_requested")
    assert alert.details == {"request": str(request.public_id), "reports": 1}
    assert RestrictedRecord.objects.filter(
        owner_type="rectification", owner_id=str(request.public_id)
    ).exists()
    row = AuditEvent.objects.get(action=AuditTag.SUBJECT_RECTIFICATION_REQUESTED)
    assert "not mine" not in json.dumps(row.details)


def test_a_too_short_correction_or_appeal_is_named_on_its_field():
    _listed()
    client = _proven_client()

    correction = client.post("/my-listing/correction/", {"text": "short"})
    appeal = client.post("/my-listing/appeal/", {"grounds": ""})

    assert correction.status_code == 400 and 'data-field="text"' in correction.content.decode()
    assert appeal.status_code == 400 and 'data-field="grounds"' in appeal.content.decode()
    assert not Dispute.objects.exists() and not RectificationRequest.objects.exists()


def _late_answer(reporter, dispute: Dispute):
    """The reporter answers through the API after its window ended."""
    DisputedReport.objects.filter(dispute=dispute).update(
        response_due=timezone.localdate() - timedelta(days=1)
    )
    return client_for(reporter).post(
        f"/api/v1/disputes/{dispute.public_id}/answer",
        {
            "note": "Suit filed.",
            "evidence": [{"name": "suit.pdf", "content_base64": base64.b64encode(b"%PDF").decode()}],
        },
        format="json",
    )


def _watched(identifiers, url: str) -> None:
    from accounts.actors import Actor
    from sharing.watchlists.services.watchlists import watchlist_add
    from sharing.watchlists.services.webhooks import webhook_register

    analyst = persona(K.PLATFORM, R.ANALYST)
    webhook_register(url=url, actor=Actor(member=member_make(analyst.organisation, R.ADMIN)))
    watchlist_add(
        identifiers=_raw(identifiers),
        ref="seller-77",
        purpose="seller_onboarding",
        actor=Actor(member=analyst),
    )


def _raw(identifiers):
    from sharing.subjects.services.tokens import RawIdentifier

    return [RawIdentifier(i["type"], i["value"]) for i in identifiers]


def _check_level(identifiers) -> str:
    analyst = persona(K.PLATFORM, R.ANALYST)
    return (
        client_for(analyst)
        .post("/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": identifiers}, format="json")
        .json()["level"]
    )


def test_a_direct_appeal_follows_the_dispute_rules_and_its_lapse_withdraws_the_listing_everywhere():
    report, reporter, identifiers = _listed()
    client = _proven_client()

    filed = client.post("/my-listing/appeal/", {"grounds": "I sell licensed goods; the licence is attached."})

    dispute = Dispute.objects.get()
    assert filed.status_code == 302
    assert dispute.filed_by_subject and dispute.filed_by is None and dispute.status == DisputeStatus.OPEN
    assert Notification.objects.filter(organisation=reporter.organisation, kind="dispute.filed").exists()
    assert "licence" not in dispute.grounds
    assert client.post("/my-listing/appeal/", {"grounds": "again and again, please"}).status_code == 409

    revoked_before = FeedObjectVersion.objects.filter(revoked=True).count()
    late = _late_answer(reporter, dispute)

    dispute.refresh_from_db()
    report.refresh_from_db()
    assert late.status_code == 409
    assert dispute.status == DisputeStatus.LAPSED and report.status == ReportStatus.SUSPENDED
    assert _check_level(identifiers) == "none"
    assert FeedObjectVersion.objects.filter(revoked=True).count() > revoked_before
    page = client.get("/my-listing/statement/").content.decode()
    assert "subject-not-listed" in page and "Lapsed" in page


def test_a_failure_after_the_lapse_rolls_back_checks_feed_and_watch_events_together(monkeypatch, receiver):
    from sharing.due_process.services import disputes

    _watched(_identifiers(), receiver.url)  # before the report: the watcher heard it listed
    report, reporter, identifiers = _listed()
    client = _proven_client()
    client.post("/my-listing/appeal/", {"grounds": "I sell licensed goods; the licence is attached."})
    dispute = Dispute.objects.get()
    DisputedReport.objects.update(response_due=timezone.localdate() - timedelta(days=1))
    feed_before, outbox_before = FeedObjectVersion.objects.count(), WebhookOutbox.objects.count()

    def failing_settle(_dispute):
        raise RuntimeError("injected after the decision")

    monkeypatch.setattr(disputes, "_status_settle", failing_settle)
    with pytest.raises(RuntimeError):
        disputes.disputes_lapse()

    assert Report.objects.get(pk=report.pk).status == ReportStatus.ACCEPTED
    assert (FeedObjectVersion.objects.count(), WebhookOutbox.objects.count()) == (feed_before, outbox_before)
    assert _check_level(identifiers) != "none"
    monkeypatch.undo()

    disputes.disputes_lapse()

    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUSPENDED
    assert FeedObjectVersion.objects.count() > feed_before and WebhookOutbox.objects.count() > outbox_before
    assert _check_level(identifiers) == "none"
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.LAPSED


def test_a_dispute_has_exactly_one_filer():
    report, reporter, _ = _listed()
    platform = persona(K.PLATFORM, R.ANALYST)

    with pytest.raises(IntegrityError), transaction.atomic():
        Dispute.objects.create(
            filed_by=platform.organisation,
            filed_by_member=platform,
            filed_by_subject=True,
            grounds="x",
            response_due=timezone.localdate(),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispute.objects.create(grounds="x", response_due=timezone.localdate())


def test_an_answered_appeal_is_decided_with_reasons_and_the_reviewer_sees_the_sealed_grounds():
    from accounts.actors import Actor
    from sharing.due_process.services.disputes import dispute_answer, dispute_decide
    from sharing.reports.services.reports import EvidenceFile
    from tests.factories import web_login

    report, reporter, identifiers = _listed()
    client = _proven_client()
    client.post("/my-listing/appeal/", {"grounds": "I sell licensed goods; the licence is attached."})
    dispute = dispute_answer(
        dispute=Dispute.objects.get(),
        note="Suit filed.",
        evidence=[EvidenceFile("suit.pdf", "application/pdf", b"%PDF")],
        actor=Actor(member=reporter),
    )
    reviewer = persona(K.OPERATOR, R.REVIEWER)
    web_login(reviewer_page := Client(), reviewer)

    shown = reviewer_page.get(f"/review/disputes/{dispute.public_id}/").content.decode()
    decided = dispute_decide(
        dispute=dispute, upheld=False, reason="The licence is genuine.", actor=Actor(member=reviewer)
    )

    assert "Filed by the listed person" in shown
    assert decided.status == DisputeStatus.OVERTURNED
    assert Report.objects.get(pk=report.pk).status == ReportStatus.OVERTURNED
    assert _check_level(identifiers) == "none"
    assert Notification.objects.filter(organisation=reporter.organisation, kind="dispute.overturned").exists()
    page = client.get("/my-listing/statement/").content.decode()
    assert "The licence is genuine." in page and "subject-not-listed" in page


def test_a_failure_after_a_decision_rolls_back_checks_feed_and_watch_events_together(
    monkeypatch,
    receiver,  # noqa: F811
):
    from accounts.actors import Actor
    from sharing.due_process.services import disputes
    from sharing.reports.services.reports import EvidenceFile

    _watched(_identifiers(), receiver.url)
    report, reporter, identifiers = _listed()
    client = _proven_client()
    client.post("/my-listing/appeal/", {"grounds": "I sell licensed goods; the licence is attached."})
    dispute = disputes.dispute_answer(
        dispute=Dispute.objects.get(),
        note="Suit filed.",
        evidence=[EvidenceFile("suit.pdf", "application/pdf", b"%PDF")],
        actor=Actor(member=reporter),
    )
    reviewer = Actor(member=persona(K.OPERATOR, R.REVIEWER))
    feed_before, outbox_before = FeedObjectVersion.objects.count(), WebhookOutbox.objects.count()

    def failing(_dispute):
        raise RuntimeError("injected after the decision")

    monkeypatch.setattr(disputes, "_after_decision", failing)
    with pytest.raises(RuntimeError):
        disputes.dispute_decide(
            dispute=dispute, upheld=False, reason="The licence is genuine.", actor=reviewer
        )

    assert Report.objects.get(pk=report.pk).status == ReportStatus.ACCEPTED
    assert (FeedObjectVersion.objects.count(), WebhookOutbox.objects.count()) == (feed_before, outbox_before)
    assert _check_level(identifiers) != "none"
    monkeypatch.undo()

    disputes.dispute_decide(dispute=dispute, upheld=False, reason="The licence is genuine.", actor=reviewer)

    assert Report.objects.get(pk=report.pk).status == ReportStatus.OVERTURNED
    assert FeedObjectVersion.objects.count() > feed_before and WebhookOutbox.objects.count() > outbox_before
    assert _check_level(identifiers) == "none"


def test_a_proven_phone_also_sees_and_can_appeal_reports_naming_it_as_observed(settings, tmp_path):
    """A fake sender printed a real person's number on parcels and a courier recorded it as observed: the
    number's holder, once they prove it, sees that report (it is about them) and may appeal it."""
    settings.HUB_SMS_FILE_PATH = str(tmp_path / "sms")
    courier = persona(K.LOGISTICS, R.REPORTER)
    reviewer = persona(K.OPERATOR, R.REVIEWER)
    report = report_make_accepted(
        courier,
        reviewer,
        [
            {"type": "observed_phone", "value": "+86 139 1234 5678"},
            {"type": "courier_sender_account", "value": "sf:fake01"},
        ],
    )
    client = Client()
    client.post("/my-listing/", {"identifier_type": "phone", "value": "139 1234 5678"})
    [written] = list((tmp_path / "sms").iterdir())
    code = re.search(r"\b(\d{6})\b", written.read_text().split("\n\n", 1)[1]).group(1)
    assert client.post("/my-listing/code/", {"code": code}).status_code == 302

    document = json.loads(client.get("/my-listing/export.json").content)
    statement = client.get("/my-listing/statement/").content.decode()
    appeal = client.post(
        "/my-listing/appeal/", {"grounds": "That number is mine; I never sent those parcels."}
    )

    assert [r["id"] for r in document["reports"]] == [str(report.public_id)]
    assert {"type": "observed_phone", "on_file": True} in document["identifiers_proven"]
    assert "1234 5678" not in statement and "12345678" not in json.dumps(document)
    assert appeal.status_code == 302
    assert Dispute.objects.filter(filed_by_subject=True, reports=report).exists()

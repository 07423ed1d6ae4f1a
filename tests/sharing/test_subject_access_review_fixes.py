"""The listed person's route after review: the export's on_file and tip-off, the client address behind
proxies, the daily caps, the repeated appeal, and tokens stored sealed."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from accounts.audit.models import Alert, AuditEvent, Outcome
from accounts.audit.tags import AuditTag
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.models import Dispute, DisputedReport, IdentifierChallenge, RectificationRequest
from sharing.models.disputes import LIVE_COVERAGE_STATES
from tests.factories import persona, report_make, report_make_accepted, report_make_rejected
from tests.sharing.test_subject_access import EMAIL, _code_in_mail, _identifiers, _listed

pytestmark = pytest.mark.django_db

UNLISTED = "Nobody.Listed.ZQ@Example.org"


def _prove(client: Client, address: str) -> None:
    client.post("/my-listing/", {"identifier_type": "email", "value": address})
    answered = client.post("/my-listing/code/", {"code": _code_in_mail(address.lower())})
    assert answered.status_code == 302


def test_the_export_says_on_file_only_for_the_proven_identifier_actually_listed():
    _listed()
    client = Client()
    _prove(client, EMAIL)
    _prove(client, UNLISTED)

    document = json.loads(client.get("/my-listing/export.json").content)

    assert sorted((p["type"], p["on_file"]) for p in document["identifiers_proven"]) == [
        ("email", False),
        ("email", True),
    ]


def test_the_export_says_only_under_review_for_a_pending_report_and_marks_a_rejected_one():
    reporter = persona(K.RIGHTS_OWNER, R.REPORTER)
    accepted = report_make_accepted(reporter, persona(K.OPERATOR, R.REVIEWER), _identifiers(41))
    pending = report_make(persona(K.RIGHTS_OWNER, R.REPORTER), _identifiers(42))
    rejected = report_make_rejected(reporter, identifiers=_identifiers(43))
    client = Client()
    _prove(client, EMAIL)

    document = json.loads(client.get("/my-listing/export.json").content)

    entries = {e["id"]: e for e in document["reports"]}
    assert entries[str(pending.public_id)] == {
        "id": str(pending.public_id),
        "status": "pending",
        "under_review": True,
        "submitted_at": pending.submitted_at.isoformat(),
    }
    assert entries[str(rejected.public_id)]["status"] == "rejected"
    assert entries[str(rejected.public_id)]["held_against_you"] is False
    assert entries[str(accepted.public_id)]["held_against_you"] is True
    assert entries[str(accepted.public_id)]["reporter_kind"] == "rights_owner"


def _ask(address: str, forwarded: str, remote: str = "203.0.113.9") -> int:
    return (
        Client(REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
        .post("/my-listing/", {"identifier_type": "email", "value": address})
        .status_code
    )


def test_rotating_x_forwarded_for_does_not_escape_the_per_address_limit(settings):
    settings.HUB_SUBJECT_CODE_REQUEST_RATE_ADDRESS = "2/hour"

    answers = [_ask(f"person.{n}@example.org", f"198.51.100.{n}") for n in range(3)]

    assert answers == [302, 302, 429]


def test_behind_one_trusted_proxy_the_address_it_saw_counts_not_what_the_client_wrote(settings):
    settings.HUB_SUBJECT_CODE_REQUEST_RATE_ADDRESS = "2/hour"
    settings.HUB_TRUSTED_PROXIES = 1

    spoofed = [_ask(f"person.{n}@example.org", f"198.51.100.{n}, 192.0.2.7") for n in range(3)]
    other_client = _ask("person.9@example.org", "192.0.2.8")

    assert spoofed == [302, 302, 429] and other_client == 302


def test_the_applications_throttle_ignores_a_client_written_x_forwarded_for(settings):
    settings.HUB_APPLICATION_RATE = "1/hour"

    answers = [
        Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").post("/join/", {})
        for n in range(2)
    ]

    assert answers[1].status_code == 429


def test_codes_sent_to_one_identifier_are_capped_per_day_whatever_the_address(settings):
    settings.HUB_SUBJECT_CODE_REQUEST_RATE_TOKEN = "100/hour"
    settings.HUB_SUBJECT_CODE_REQUEST_RATE_TOKEN_DAY = "3/day"

    answers = [_ask(EMAIL, "", remote=f"198.51.100.{n}") for n in range(4)]

    assert answers == [302, 302, 302, 429]
    assert len([m for m in mail.outbox if EMAIL.lower() in [a.lower() for a in m.to]]) == 3


def _decide_appeal(reporter, *, upheld: bool) -> None:
    from accounts.actors import Actor
    from sharing.due_process.services.disputes import dispute_answer, dispute_decide
    from sharing.reports.services.reports import EvidenceFile

    dispute = dispute_answer(
        dispute=Dispute.objects.get(status__in=["open", "answered"]),
        note="Suit filed.",
        evidence=[EvidenceFile("suit.pdf", "application/pdf", b"%PDF")],
        actor=Actor(member=reporter),
    )
    reviewer = persona(K.OPERATOR, R.REVIEWER)
    dispute_decide(
        dispute=dispute, upheld=upheld, reason="The test purchase holds.", actor=Actor(member=reviewer)
    )


def test_a_report_whose_appeal_was_decided_cannot_be_appealed_again():
    report, reporter, _ = _listed()
    client = Client()
    _prove(client, EMAIL)
    client.post("/my-listing/appeal/", {"grounds": "I sell licensed goods; the licence is attached."})
    _decide_appeal(reporter, upheld=True)

    again = client.post("/my-listing/appeal/", {"grounds": "I sell licensed goods; see the licence again."})

    assert again.status_code == 409
    assert "was decided" in again.content.decode() and "correction request" in again.content.decode()
    assert Dispute.objects.count() == 1
    assert not DisputedReport.objects.filter(report=report, state__in=LIVE_COVERAGE_STATES).exists()
    assert AuditEvent.objects.filter(action=AuditTag.DISPUTE_FILED, outcome=Outcome.DENIED).exists()


def test_a_new_report_can_still_be_appealed_after_an_earlier_appeal_was_decided():
    first, reporter, _ = _listed()
    client = Client()
    _prove(client, EMAIL)
    client.post("/my-listing/appeal/", {"grounds": "I sell licensed goods; the licence is attached."})
    _decide_appeal(reporter, upheld=True)
    second = report_make_accepted(
        persona(K.RIGHTS_OWNER, R.REPORTER), persona(K.OPERATOR, R.REVIEWER), _identifiers(44)
    )

    answered = client.post("/my-listing/appeal/", {"grounds": "The second report is wrong as well, see."})

    assert answered.status_code == 302
    latest = Dispute.objects.order_by("-pk").first()
    assert [row.report for row in latest.covered.all()] == [second]
    assert first.pk != second.pk


def test_one_correction_request_per_identifier_a_day_refused_with_a_clear_message():
    _listed()
    client = Client()
    _prove(client, EMAIL)
    text = "The phone number is not mine any more."

    first = client.post("/my-listing/correction/", {"text": text})
    second = client.post("/my-listing/correction/", {"text": text})

    assert first.status_code == 302 and second.status_code == 429
    assert "already sent a correction request" in second.content.decode() and int(second["Retry-After"]) > 0
    assert RectificationRequest.objects.count() == 1
    assert AuditEvent.objects.filter(
        action=AuditTag.SUBJECT_RECTIFICATION_REQUESTED, outcome=Outcome.DENIED
    ).exists()


def test_the_operators_alert_is_one_per_identifier_not_one_per_request(settings):
    settings.HUB_SUBJECT_RECTIFICATION_RATE_TOKEN = "5/day"
    _listed()
    client = Client()
    _prove(client, EMAIL)

    for _ in range(3):
        client.post("/my-listing/correction/", {"text": "The phone number is not mine any more."})

    [alert] = Alert.objects.filter(kind="rectification_requested")
    assert RectificationRequest.objects.count() == 3 and alert.occurrences == 3
    assert EMAIL.lower() not in alert.dedupe_key


def _bare_email_token() -> str:
    from hub.keys import token_storage_keys
    from sharing.crypto.tokens import token_unseal
    from sharing.models import IdentifierToken

    row = IdentifierToken.objects.get(identifier_type="email")
    return token_unseal(row.token, keys=token_storage_keys())


def test_challenges_correction_requests_and_the_session_hold_no_bare_token():
    from django.contrib.sessions.models import Session

    from sharing.models import IdentifierChallenge

    _listed()
    client = Client()
    _prove(client, EMAIL)
    client.post("/my-listing/correction/", {"text": "The phone number is not mine any more."})
    bare = _bare_email_token()

    stored = [c.token for c in IdentifierChallenge.objects.all()] + [
        r.token for r in RectificationRequest.objects.all()
    ]
    sessions = json.dumps([s.get_decoded() for s in Session.objects.all()])
    assert len(stored) == 2 and all(token.startswith("1:") for token in stored)
    assert all(bare not in token for token in stored) and bare not in sessions
    assert client.get("/my-listing/statement/").status_code == 200  # the sealed session still proves


def test_a_storage_key_rotation_keeps_correction_requests_found_and_reseals_them(settings):

    _listed()
    client = Client()
    _prove(client, EMAIL)
    client.post("/my-listing/correction/", {"text": "The phone number is not mine any more."})
    settings.HUB_TOKEN_STORAGE_KEYS += ",2:" + "5a" * 64

    during = json.loads(client.get("/my-listing/export.json").content)["rectification_requests"]
    call_command("rotate_token_storage")  # re-seals them with every other token form
    settings.HUB_TOKEN_STORAGE_KEYS = "2:" + "5a" * 64
    again = Client()
    _prove(again, EMAIL)
    after = json.loads(again.get("/my-listing/export.json").content)["rectification_requests"]

    assert len(during) == 1 and after == during
    assert RectificationRequest.objects.get().token.startswith("2:")
    assert {c.token[:2] for c in IdentifierChallenge.objects.all()} == {"2:"}


def test_the_migration_seals_the_bare_tokens_already_held_and_unseals_them_back():
    import importlib

    from django.apps import apps

    from hub.keys import token_storage_keys
    from sharing.crypto.tokens import token_seal

    migration = importlib.import_module("sharing.migrations.0030_subject_access_sealed_tokens")
    bare = "ab" * 64
    held = RectificationRequest.objects.create(identifier_type="email", token=bare)

    migration.seal(apps, None)
    held.refresh_from_db()
    sealed = held.token
    migration.unseal(apps, None)
    held.refresh_from_db()

    assert sealed == token_seal(bare, keys=token_storage_keys()) and held.token == bare

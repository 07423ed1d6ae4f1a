"""The listed person's route after review: the export's on_file and tip-off, the client address behind
proxies, the daily caps, the repeated appeal, and tokens stored sealed."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client

from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
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

"""The listed person's route after review: the export's on_file and tip-off, the client address behind
proxies, the daily caps, the repeated appeal, and tokens stored sealed."""

from __future__ import annotations

import json

import pytest
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

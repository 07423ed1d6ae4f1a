"""Small-count suppression wherever feedback counts leave the hub to a member (issue 16): the
check answer (API and page), bulk results (JSON and CSV) and the feed's indicator. Below
HUB_OUTCOME_SUPPRESSION_THRESHOLD distinct organisations a count is {"value": null,
"suppressed": true, "fewer_than": N}; at the threshold it is the number."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.conf import settings
from django.test import Client

from accounts.actors import Actor
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.models import Subject
from tests.factories import client_for, persona, report_make_accepted, seller_identifiers, web_login

SELLER = seller_identifiers(31)


@pytest.fixture
def listed(db, brand_reporter, other_brand_reporter, reviewer):
    report_make_accepted(brand_reporter, reviewer, SELLER)
    report_make_accepted(other_brand_reporter, reviewer, SELLER)
    return SELLER


def _check(member) -> dict:
    response = client_for(member).post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": SELLER}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _members_say(n: int, outcome: str = "acted") -> None:
    """n distinct platforms check the seller and give this feedback."""
    for _ in range(n):
        member = persona(K.PLATFORM, R.ANALYST)
        body = {"check_id": _check(member)["check_id"], "outcome": outcome}
        body |= {"action": "delisted"} if outcome == "acted" else {}
        assert client_for(member).post("/api/v1/feedback", body, format="json").status_code == 201


def _hidden(n: int) -> dict:
    return {"value": None, "suppressed": True, "fewer_than": n}


def _shown(value: int, n: int) -> dict:
    return {"value": value, "suppressed": False, "fewer_than": n}


@pytest.mark.django_db
def test_the_check_answer_suppresses_feedback_counts_below_the_threshold(platform_analyst, listed):
    n = settings.HUB_OUTCOME_SUPPRESSION_THRESHOLD
    before = _check(platform_analyst)
    _members_say(n - 1)

    below = _check(platform_analyst)
    _members_say(n - 1, "false_positive")
    _members_say(1)
    _members_say(1, "false_positive")
    at = _check(platform_analyst)

    assert below["members_acted"] == _hidden(n) and below["members_false_positive"] == _hidden(n)
    assert at["members_acted"] == _shown(n, n) and at["members_false_positive"] == _shown(n, n)
    # Nor can the hidden count be read off the risk: feedback moves it only from the threshold on.
    assert below["risk"] == before["risk"]
    assert at["risk"] != before["risk"]


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", ["acted", "false_positive"])
def test_the_risk_moves_with_feedback_only_from_the_threshold_on(platform_analyst, listed, outcome):
    n = settings.HUB_OUTCOME_SUPPRESSION_THRESHOLD
    before = _check(platform_analyst)["risk"]
    _members_say(n - 1, outcome)
    below = _check(platform_analyst)["risk"]
    _members_say(1, outcome)
    at = _check(platform_analyst)["risk"]

    assert below == before
    assert (at > before) if outcome == "acted" else (at < before)


@pytest.mark.django_db
def test_no_feedback_at_all_reads_the_same_as_a_few(platform_analyst, listed):
    n = settings.HUB_OUTCOME_SUPPRESSION_THRESHOLD

    answer = _check(platform_analyst)

    assert answer["members_acted"] == answer["members_false_positive"] == _hidden(n)


@pytest.mark.django_db
def test_the_check_page_says_fewer_than_n_and_then_the_number(platform_analyst, listed):
    n = settings.HUB_OUTCOME_SUPPRESSION_THRESHOLD
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    web_login(client, platform_analyst)
    form = {
        "identifier-0-type": "phone",
        "identifier-0-value": SELLER[0]["value"],
        "purpose": "seller_onboarding",
    }
    _members_say(n - 1)

    below = client.post("/check/", form).content.decode()
    _members_say(1)
    at = client.post("/check/", form).content.decode()

    assert f'id="check-acted">fewer than {n}<' in below
    assert f'id="check-acted">{n}<' in at
    assert f'id="check-false-positive">fewer than {n}<' in at


def _bulk(member):
    from sharing.bulk.services.bulk import bulk_chunk_process, bulk_results_open, bulk_submit
    from sharing.models import BulkChunk

    upload = io.BytesIO((json.dumps({"ref": "shop-31", "identifiers": SELLER}) + "\n").encode())
    job = bulk_submit(purpose="seller_onboarding", upload=upload, actor=Actor(member=member))
    for chunk in BulkChunk.objects.filter(job=job):
        bulk_chunk_process(chunk_id=chunk.pk)
    job.refresh_from_db()
    lines = "".join(bulk_results_open(job=job, actor=Actor(member=member), file_format="jsonl"))
    table = "".join(bulk_results_open(job=job, actor=Actor(member=member), file_format="csv"))
    return json.loads(lines.splitlines()[0]), next(csv.DictReader(io.StringIO(table)))


@pytest.mark.django_db
def test_bulk_results_suppress_the_counts_in_json_and_csv(platform_analyst, listed):
    n = settings.HUB_OUTCOME_SUPPRESSION_THRESHOLD
    _members_say(n - 1)

    below_json, below_csv = _bulk(platform_analyst)
    _members_say(1)
    at_json, at_csv = _bulk(platform_analyst)

    assert below_json["members_acted"] == _hidden(n) and below_csv["members_acted"] == f"<{n}"
    assert at_json["members_acted"] == _shown(n, n) and at_csv["members_acted"] == str(n)
    assert at_csv["members_false_positive"] == f"<{n}"


@pytest.mark.django_db
def test_the_feed_indicator_suppresses_the_counts(listed):
    from sharing.feed.services.content import subject_state

    n = settings.HUB_OUTCOME_SUPPRESSION_THRESHOLD
    subject = Subject.objects.get()
    _members_say(n - 1)

    below = subject_state(subject.pk).state
    _members_say(1)
    at = subject_state(subject.pk).state

    assert below["members_acted"] == _hidden(n) and at["members_acted"] == _shown(n, n)
    assert at["members_false_positive"] == _hidden(n)


def test_the_feed_extension_schema_describes_the_suppressed_counts():
    from sharing.feed.services.content import _EXTENSION_SCHEMA

    assert "fewer_than" in _EXTENSION_SCHEMA and "suppressed" in _EXTENSION_SCHEMA

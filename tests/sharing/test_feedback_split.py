"""After a subject splits, what members matched and said about it follows the part holding the
tokens they matched (issue 16), as a merge's follow-through sends it to the survivor."""

from __future__ import annotations

import pytest

from accounts.actors import Actor
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.models import HitFeedback, IdentifierToken, SubjectMatch
from sharing.reports.services.reports import report_retract
from tests.factories import client_for, persona, report_make_accepted, seller_identifiers

FIRST, SECOND = seller_identifiers(51), seller_identifiers(52)


@pytest.fixture(autouse=True)
def _counts_shown_from_one(settings):
    """The counts themselves are under test; their suppression is tested in test_feedback_suppression.py."""
    settings.HUB_OUTCOME_SUPPRESSION_THRESHOLD = 1


def _check(member, identifiers) -> dict:
    response = client_for(member).post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": identifiers}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _feedback(member, identifiers, **fields) -> None:
    body = {"check_id": _check(member, identifiers)["check_id"], "outcome": "acted", "action": "blocked"}
    response = client_for(member).post("/api/v1/feedback", body | fields, format="json")
    assert response.status_code == 201, response.content


@pytest.fixture
def bridged(db, brand_reporter, other_brand_reporter, reviewer):
    """Two listed sellers one report joins into one subject; returns that report's reporter and report."""
    for seller in (FIRST, SECOND):
        report_make_accepted(brand_reporter, reviewer, seller)
        report_make_accepted(other_brand_reporter, reviewer, seller)
    third = persona(K.RIGHTS_OWNER, R.REPORTER)
    bridge = report_make_accepted(third, reviewer, [FIRST[0], SECOND[1]])
    assert len(set(IdentifierToken.objects.values_list("subject_id", flat=True))) == 1
    return third, bridge


def _subject_of(value_index: int, seller) -> int:
    """The subject holding the seller's identifier (through a fresh check's recorded match)."""
    member = persona(K.PLATFORM, R.ANALYST)
    check_id = _check(member, [seller[value_index]])["check_id"]
    return SubjectMatch.objects.get(reference=check_id).subject_id


@pytest.mark.django_db
def test_feedback_follows_the_part_holding_the_token_it_matched(platform_analyst, courier_analyst, bridged):
    third, bridge = bridged
    _feedback(platform_analyst, FIRST)  # acted, on the joined subject, through the first seller's tokens
    _feedback(courier_analyst, SECOND, outcome="false_positive", action="")

    report_retract(report=bridge, actor=Actor(member=third))

    first, second = _subject_of(0, FIRST), _subject_of(0, SECOND)
    assert first != second
    on_first, on_second = _check(platform_analyst, FIRST), _check(platform_analyst, SECOND)
    assert (on_first["members_acted"]["value"], on_first["members_false_positive"]["value"]) == (1, None)
    assert (on_second["members_acted"]["value"], on_second["members_false_positive"]["value"]) == (None, 1)
    assert HitFeedback.objects.get(organisation=platform_analyst.organisation).subject_id == first
    assert HitFeedback.objects.get(organisation=courier_analyst.organisation).subject_id == second
    assert set(
        SubjectMatch.objects.filter(organisation=courier_analyst.organisation).values_list(
            "subject_id", flat=True
        )
    ) == {second}


@pytest.mark.django_db
def test_a_member_that_matched_both_parts_keeps_its_feedback_on_both(platform_analyst, bridged):
    third, bridge = bridged
    _feedback(platform_analyst, [FIRST[0], SECOND[0]])  # one check reaching both sellers' tokens

    report_retract(report=bridge, actor=Actor(member=third))

    current = HitFeedback.objects.filter(organisation=platform_analyst.organisation, replaced_at__isnull=True)
    assert {row.subject_id for row in current} == {_subject_of(0, FIRST), _subject_of(0, SECOND)}
    assert _check(platform_analyst, SECOND)["members_acted"]["value"] == 1
    # The member may still speak about either part by its check from before the split.
    check_id = SubjectMatch.objects.filter(organisation=platform_analyst.organisation).first().reference
    response = client_for(platform_analyst).post(
        "/api/v1/feedback", {"check_id": check_id, "outcome": "false_positive"}, format="json"
    )
    assert response.status_code == 201 and len(response.json()["feedback"]) == 2

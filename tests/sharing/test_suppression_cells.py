"""Cells of a breakdown are suppressed by the distinct organisations behind each, and beside a shown
total a hidden cell never stands alone (complementary suppression): used by the enforcement statistics'
hits by purpose and by the subject access export's match counts."""

from __future__ import annotations

import pytest
from django.test import override_settings

from accounts.actors import Actor
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.checks.services.suppression import suppressed_by_organisations
from sharing.outcomes.statistics import enforcement_statistics
from tests.factories import client_for, persona, report_make_accepted, seller_identifiers

THRESHOLD = 3


def _values(cells) -> dict:
    return {key: cell.value for key, cell in cells.items()}


@override_settings(HUB_OUTCOME_SUPPRESSION_THRESHOLD=THRESHOLD)
@pytest.mark.parametrize("organisations,shown", [(THRESHOLD - 1, None), (THRESHOLD, THRESHOLD)])
def test_a_cell_is_shown_from_the_threshold_of_organisations_on(organisations, shown):
    rows = [("a", org) for org in range(organisations)]

    cells = suppressed_by_organisations(rows, ["a"])

    assert cells["a"].value == shown and cells["a"].suppressed is (shown is None)


@override_settings(HUB_OUTCOME_SUPPRESSION_THRESHOLD=THRESHOLD)
def test_a_cell_is_suppressed_by_its_organisations_not_by_its_value():
    rows = [("a", 1)] * 10 + [("b", org) for org in range(THRESHOLD)]

    cells = suppressed_by_organisations(rows, ["a", "b"])

    assert _values(cells) == {"a": None, "b": THRESHOLD}


@override_settings(HUB_OUTCOME_SUPPRESSION_THRESHOLD=THRESHOLD)
def test_beside_a_shown_total_a_lone_hidden_cell_takes_the_next_smallest_with_it():
    rows = [("a", 1)] + [("b", org) for org in range(10, 14)] + [("c", org) for org in range(20, 26)]

    alone = suppressed_by_organisations(rows, ["a", "b", "c"])
    beside_total = suppressed_by_organisations(rows, ["a", "b", "c"], of_a_published_total=True)

    assert _values(alone) == {"a": None, "b": 4, "c": 6}  # total 11 - 4 - 6 would give a = 1
    assert _values(beside_total) == {"a": None, "b": None, "c": 6}


@override_settings(HUB_OUTCOME_SUPPRESSION_THRESHOLD=THRESHOLD)
def test_hidden_empty_cells_beside_a_total_hide_nothing_more():
    rows = [("b", org) for org in range(THRESHOLD)]

    cells = suppressed_by_organisations(rows, ["a", "b"], of_a_published_total=True)

    assert _values(cells) == {"a": None, "b": THRESHOLD}


def _check(analyst, identifiers: list[dict], purpose: str) -> None:
    response = client_for(analyst).post(
        "/api/v1/checks", {"purpose": purpose, "identifiers": identifiers}, format="json"
    )
    assert response.status_code == 200, response.content


@pytest.mark.django_db
@override_settings(HUB_OUTCOME_SUPPRESSION_THRESHOLD=THRESHOLD)
def test_the_statistics_never_let_a_lone_purpose_be_had_by_subtraction():
    owner = persona(K.RIGHTS_OWNER, R.REPORTER)
    identifiers = seller_identifiers(31)
    report_make_accepted(owner, persona(K.OPERATOR, R.REVIEWER), identifiers)
    for _ in range(THRESHOLD):
        _check(persona(K.PLATFORM, R.ANALYST), identifiers, "seller_onboarding")
    _check(persona(K.PLATFORM, R.ANALYST), identifiers, "listing_review")

    now = enforcement_statistics(actor=Actor(member=owner)).periods[-1]

    assert now.hits.value == THRESHOLD + 1
    # Shown alone, onboarding's 3 would give listing review's 1 as 4 - 3.
    assert now.hits_by_purpose["listing_review"].value is None
    assert now.hits_by_purpose["seller_onboarding"].value is None

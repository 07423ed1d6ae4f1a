"""Weak corroboration: on a subject a strong or medium identifier reached, a weak identifier the
subject's own live reports also name is listed (type only) and adds a bounded risk bonus. It never
adds an organisation, a report or a level, and a weak token on file anywhere else adds nothing.
"""

from __future__ import annotations

import io

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from accounts.actors import Actor
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.bulk.services.bulk import bulk_submit
from sharing.checks.services.checks import check_run
from sharing.checks.services.risk import CORROBORATION_MAX, CORROBORATION_POINTS
from sharing.models import BulkResult
from sharing.subjects.services.tokens import RawIdentifier
from tests.factories import persona, report_make_accepted
from tests.sharing.test_bulk_match import _jsonl, _run, _single
from tests.sharing.test_scenario_namesakes import NAME, SELLER_A, SELLER_B, WAREHOUSE, _check

OTHER_NAME = {"type": "name", "value": "李娜"}
DEVICE = {"type": "device_id", "value": "35-209900-176148-1"}


@pytest.fixture
def namesakes(reviewer):
    """Seller A reported with the name 张伟 and a warehouse; seller B, another subject, with 张伟 and a device."""
    report_make_accepted(persona(K.RIGHTS_OWNER, R.REPORTER), reviewer, [*SELLER_A, NAME, WAREHOUSE])
    report_make_accepted(persona(K.RIGHTS_OWNER, R.REPORTER), reviewer, [*SELLER_B, NAME, DEVICE])


@pytest.mark.django_db
def test_a_name_on_the_reached_subjects_reports_corroborates_raising_risk_and_naming_the_type(
    api, platform_analyst, namesakes
):
    plain = _check(api, platform_analyst, SELLER_A[0])
    corroborated = _check(api, platform_analyst, SELLER_A[0], NAME)

    assert corroborated["corroborated_types"] == ["name"]
    assert corroborated["risk"] == plain["risk"] + CORROBORATION_POINTS
    assert corroborated["matched_types"] == plain["matched_types"] == ["phone"]
    assert (
        corroborated["level"],
        corroborated["reporting_organisations"],
        corroborated["reports_matched"],
    ) == (plain["level"], plain["reporting_organisations"], plain["reports_matched"])
    assert "also carry the name given" in corroborated["explanation"] and "张伟" not in str(corroborated)


@pytest.mark.django_db
def test_the_corroboration_bonus_is_capped(api, platform_analyst, reviewer, namesakes):
    report_make_accepted(persona(K.RIGHTS_OWNER, R.REPORTER), reviewer, [SELLER_A[0], DEVICE])

    everything = _check(api, platform_analyst, SELLER_A[0], NAME, WAREHOUSE, DEVICE)

    assert everything["corroborated_types"] == ["device_id", "name", "shipping_address"]
    assert (
        everything["reporting_organisations"] == 2
    )  # the second report's organisation, not the weak matches
    again = _check(api, platform_analyst, SELLER_A[0])
    assert everything["risk"] == again["risk"] + CORROBORATION_MAX


@pytest.mark.django_db
@pytest.mark.parametrize(
    "weak", [OTHER_NAME, DEVICE], ids=["name_on_file_nowhere", "device_on_another_subject_only"]
)
def test_a_weak_match_not_on_the_reached_subject_changes_nothing(api, platform_analyst, namesakes, weak):
    plain = _check(api, platform_analyst, SELLER_A[0])
    with_weak = _check(api, platform_analyst, SELLER_A[0], weak)

    # The device is on seller B's report: saying so would let anyone probe which values are on file.
    assert with_weak["corroborated_types"] == [] and "also carry" not in with_weak["explanation"]
    assert {k: v for k, v in with_weak.items() if k != "check_id"} == {
        k: v for k, v in plain.items() if k != "check_id"
    }


@pytest.mark.django_db
def test_weak_identifiers_alone_still_answer_none(api, platform_analyst, namesakes):
    answer = _check(api, platform_analyst, NAME, WAREHOUSE, DEVICE)

    assert (answer["level"], answer["risk"], answer["corroborated_types"], answer["subjects_matched"]) == (
        "none",
        0,
        [],
        0,
    )


@pytest.mark.django_db
def test_corroboration_never_adds_independence(api, platform_analyst, reviewer):
    report_make_accepted(persona(K.RIGHTS_OWNER, R.REPORTER), reviewer, [SELLER_A[0], NAME, WAREHOUSE])
    # A second organisation names the same weak identifiers for another seller: no second reporter of seller A.
    report_make_accepted(persona(K.RIGHTS_OWNER, R.REPORTER), reviewer, [SELLER_B[0], NAME, WAREHOUSE])

    answer = _check(api, platform_analyst, SELLER_A[0], NAME, WAREHOUSE)

    assert (answer["level"], answer["reporting_organisations"], answer["reports_matched"]) == (
        "reported",
        1,
        1,
    )
    assert answer["corroborated_types"] == ["name", "shipping_address"]


@pytest.mark.django_db
def test_a_corroborated_check_keeps_the_single_check_statement_budget(
    platform_analyst, api, namesakes, django_assert_max_num_queries
):
    client = api(platform_analyst)
    client.post(
        "/api/v1/checks",
        {"purpose": "seller_onboarding", "identifiers": [{"type": "phone", "value": "+86 137 0000 0001"}]},
        format="json",
    )

    # 14, + 1 for the subjects' current feedback (risk), + 2 for the match row a hit writes (what the
    # member may give feedback on, sharing/feedback/: on SQLite the matched tokens' current subjects are
    # read first, on PostgreSQL in the same statement) and + 1 for the couriers' parcel events naming the
    # subjects (counted in the answer; their waybills only when there are events). On PostgreSQL the token
    # lookup, its evidence and the policy are one statement (checks.check_lookup).
    with django_assert_max_num_queries(12 if connection.vendor == "postgresql" else 18):
        response = client.post(
            "/api/v1/checks",
            {"purpose": "seller_onboarding", "identifiers": [SELLER_A[0], NAME, WAREHOUSE, DEVICE]},
            format="json",
        )

    assert response.json()["corroborated_types"] == ["name", "shipping_address"]


@pytest.mark.django_db
def test_bulk_rows_corroborate_exactly_as_single_checks(settings, platform_analyst, namesakes):
    settings.HUB_BULK_CHUNK_ROWS = 3
    rows = [
        {"identifiers": SELLER_A[:1] + [NAME]},
        {"identifiers": SELLER_A[:1] + [DEVICE]},
        {"identifiers": [NAME, DEVICE]},
        {"identifiers": SELLER_B[:1] + [NAME, DEVICE, WAREHOUSE]},
        {"identifiers": SELLER_A + [OTHER_NAME, WAREHOUSE]},
        {"identifiers": [SELLER_A[0], SELLER_B[0], NAME, DEVICE]},
        {"identifiers": [SELLER_A[0]]},
    ]
    job = bulk_submit(
        purpose="seller_onboarding", upload=io.BytesIO(_jsonl(rows)), actor=Actor(member=platform_analyst)
    )

    nows = _run(job)

    results = {r.index: r.result for r in BulkResult.objects.filter(job=job)}
    assert results == {
        n: _single(row["identifiers"], platform_analyst, nows[n]) for n, row in enumerate(rows)
    }
    assert [results[n]["corroborated_types"] for n in range(len(rows))] == [
        ["name"],
        [],
        [],
        ["device_id", "name"],
        ["shipping_address"],
        ["device_id", "name"],
        [],
    ]
    assert results[2]["level"] == "none"


LINKING_POOL = [
    ("phone", "+86 138 0013 8001"),
    ("email", "a@example.com"),
    ("bank_account", "DE89 3704 0044 0532 0130 00"),
]
WEAK_POOL = [
    ("name", "张伟"),
    ("name", "李娜"),
    ("shipping_address", "上海市浦东新区金桥路 1888 号 3 号仓库"),
    ("device_id", "35-209900-176148-1"),
]
a_report = st.tuples(
    st.integers(0, 2),
    st.sets(st.sampled_from(LINKING_POOL), min_size=1, max_size=2),
    st.sets(st.sampled_from(WEAK_POOL), max_size=3),
)


class CorroborationProperties(TestCase):
    def setUp(self):
        self.reviewer = persona(K.OPERATOR, R.REVIEWER)
        self.analyst = persona(K.PLATFORM, R.ANALYST)
        self.reporters = [persona(K.RIGHTS_OWNER, R.REPORTER) for _ in range(3)]

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        reports=st.lists(a_report, min_size=1, max_size=4),
        checked=st.sets(st.sampled_from(LINKING_POOL), min_size=1, max_size=2),
        weak=st.sets(st.sampled_from(WEAK_POOL), min_size=1, max_size=4),
    )
    def test_adding_weak_identifiers_never_changes_level_or_independence_nor_lowers_risk(
        self, reports, checked, weak
    ):
        for reporter, linking, weak_named in reports:
            identifiers = [{"type": kind, "value": value} for kind, value in sorted(linking | weak_named)]
            report_make_accepted(self.reporters[reporter], self.reviewer, identifiers)
        actor = Actor(member=self.analyst)

        plain = check_run(
            purpose="seller_onboarding",
            identifiers=[RawIdentifier(*item) for item in sorted(checked)],
            actor=actor,
        )
        more = check_run(
            purpose="seller_onboarding",
            identifiers=[RawIdentifier(*item) for item in sorted(checked | weak)],
            actor=actor,
        )

        assert (more.level, more.reporting_organisations, more.reports_matched) == (
            plain.level,
            plain.reporting_organisations,
            plain.reports_matched,
        )
        assert plain.risk <= more.risk <= plain.risk + CORROBORATION_MAX
        assert set(more.corroborated_types) <= {kind for kind, _ in weak}

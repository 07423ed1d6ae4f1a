"""Properties of linking by strength, for any set of reports and any order of decisions.

- Subjects are exactly the components of live reports joined by shared strong or medium
  identifiers: two reports sharing only weak identifiers never end in one subject.
- A check naming only weak identifiers never answers above "none".
- Accepting, rejecting, retracting and expiring in any order leaves the subjects a recomputation
  from scratch (the pure `components_of` and `subjects_relink_all`) gives.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from accounts.actors import Actor
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.checks.services.checks import check_run
from sharing.models import IdentifierToken, Report, ReportStatus
from sharing.reports.services.reports import report_accept, report_reject, report_retract, reports_expire
from sharing.subjects.services.subjects import components_of, counting, linking_links
from sharing.subjects.services.subjects_relink_all import subjects_relink_all
from sharing.subjects.services.tokens import RawIdentifier
from tests.factories import persona, report_make

LINKING_POOL = [
    ("phone", "+86 138 0013 8001"),
    ("phone", "+86 138 0013 8002"),
    ("email", "a@example.com"),
    ("email", "b@example.com"),
    ("bank_account", "DE89 3704 0044 0532 0130 00"),
]
WEAK_POOL = [
    ("name", "张伟"),
    ("name", "李娜"),
    ("shipping_address", "上海市浦东新区金桥路 1888 号 3 号仓库"),
    ("device_id", "35-209900-176148-1"),
]

a_report = st.tuples(
    st.sets(st.sampled_from(LINKING_POOL), min_size=1, max_size=2),
    st.sets(st.sampled_from(WEAK_POOL), max_size=3),
)
reports_strategy = st.lists(a_report, min_size=2, max_size=5)
decisions = st.lists(
    st.tuples(st.integers(0, 4), st.sampled_from(["accept", "reject", "retract", "expire"])), max_size=8
)
PROPERTY_SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _identifiers(values) -> list[dict]:
    return [{"type": kind, "value": value} for kind, value in sorted(values)]


def _subject_of(report: Report) -> int | None:
    subjects = set(
        IdentifierToken.objects.filter(report_links__report=report, subject__isnull=False).values_list(
            "subject_id", flat=True
        )
    )
    assert len(subjects) <= 1, "a live report's linking tokens sit in one subject"
    return subjects.pop() if subjects else None


def _expected_groups(named: dict[int, set]) -> list[set[int]]:
    """Report pks grouped by shared linking values (report ids stand in for tokens in the pure function)."""
    value_ids = {value: index for index, value in enumerate(LINKING_POOL)}
    links = [(pk, value_ids[value]) for pk, values in named.items() for value in values]
    by_value = {}
    for group in components_of(links):
        for value in group:
            by_value[value] = group
    reports_of: dict[frozenset, set[int]] = {}
    for pk, values in named.items():
        reports_of.setdefault(frozenset(by_value[value_ids[next(iter(values))]]), set()).add(pk)
    return list(reports_of.values())


def _partition() -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for pk, subject in IdentifierToken.objects.filter(subject__isnull=False).values_list("pk", "subject_id"):
        groups.setdefault(subject, set()).add(pk)
    return {frozenset(group) for group in groups.values()}


class LinkingProperties(TestCase):
    def setUp(self):
        self.reviewer = persona(K.OPERATOR, R.REVIEWER)
        self.analyst = persona(K.PLATFORM, R.ANALYST)
        self.reporters = [persona(K.RIGHTS_OWNER, R.REPORTER) for _ in range(2)]

    def _submit(self, reports) -> list[Report]:
        return [
            report_make(self.reporters[index % 2], _identifiers(linking | weak))
            for index, (linking, weak) in enumerate(reports)
        ]

    @PROPERTY_SETTINGS
    @given(reports=reports_strategy)
    def test_reports_sharing_only_weak_identifiers_never_end_in_one_subject(self, reports):
        submitted = self._submit(reports)
        for report in submitted:
            report_accept(report=report, reason="checked", actor=Actor(member=self.reviewer))

        subject_of = {report.pk: _subject_of(report) for report in submitted}
        for group in _expected_groups(
            {report.pk: linking for report, (linking, _) in zip(submitted, reports)}
        ):
            assert len({subject_of[pk] for pk in group}) == 1
        groups = _expected_groups({report.pk: linking for report, (linking, _) in zip(submitted, reports)})
        assert len({subject_of[pk] for pk in subject_of}) == len(groups)
        assert (
            not IdentifierToken.objects.exclude(identifier_type__in=[kind for kind, _ in LINKING_POOL])
            .filter(subject__isnull=False)
            .exists()
        )

    @PROPERTY_SETTINGS
    @given(reports=reports_strategy, checked=st.sets(st.sampled_from(WEAK_POOL), min_size=1, max_size=4))
    def test_a_check_matching_only_weak_tokens_never_answers_above_none(self, reports, checked):
        for report in self._submit(reports):
            report_accept(report=report, reason="checked", actor=Actor(member=self.reviewer))

        answer = check_run(
            purpose="seller_onboarding",
            identifiers=[RawIdentifier(kind, value) for kind, value in sorted(checked)],
            actor=Actor(member=self.analyst),
        )

        assert answer.level == "none" and answer.risk == 0 and answer.reports_matched == 0

    @PROPERTY_SETTINGS
    @given(reports=reports_strategy, steps=decisions)
    def test_decisions_in_any_order_give_the_subjects_a_recomputation_gives(self, reports, steps):
        submitted = self._submit(reports)
        for index, decision in steps:
            self._decide(submitted[index % len(submitted)], decision)

        live_links = linking_links().filter(counting(via="report__")).values_list("report_id", "token_id")
        assert _partition() == {frozenset(group) for group in components_of(live_links)}
        incremental = _partition()
        subjects_relink_all(batch_size=2)
        assert _partition() == incremental
        assert subjects_relink_all(batch_size=2).tokens_moved == 0

    def _decide(self, report: Report, decision: str) -> None:
        report.refresh_from_db()
        reviewer = Actor(member=self.reviewer)
        if decision == "accept" and report.status == ReportStatus.PENDING:
            report_accept(report=report, reason="checked", actor=reviewer)
        elif decision == "reject" and report.status == ReportStatus.PENDING:
            report_reject(report=report, reason="not enough evidence", actor=reviewer)
        elif decision == "retract" and report.status in (ReportStatus.PENDING, ReportStatus.ACCEPTED):
            report_retract(report=report, actor=Actor(member=report.submitted_by))
        elif decision == "expire" and report.status == ReportStatus.ACCEPTED:
            Report.objects.filter(pk=report.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
            reports_expire()

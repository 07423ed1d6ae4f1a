"""Due process that holds up: what a dispute covers, one live dispute per report, per-report clocks,
pauses within 20 working days, the official calendar, no early overturn, couriers filing."""

from __future__ import annotations

import base64
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.actors import Actor
from accounts.audit.models import AuditEvent, Outcome
from accounts.audit.tags import AuditTag
from accounts.roles import OrganisationKind, Role
from hub.errors import DomainError
from sharing.due_process.services.disputes import (
    dispute_answer,
    dispute_decide,
    dispute_decide_urgently,
    dispute_file,
    dispute_invariant_check,
    dispute_pause,
    disputes_lapse,
    status_from_states,
)
from sharing.models import CoverageState, DisputedReport, DisputeStatus, ReportStatus
from sharing.reports.services.calendar import add_working_days
from sharing.reports.services.reports import EvidenceFile
from sharing.subjects.services.tokens import RawIdentifier
from tests.factories import dispute_make, member_make, persona, report_make_accepted, seller_identifiers

pytestmark = pytest.mark.django_db
EVIDENCE = [{"name": "suit.pdf", "content_base64": base64.b64encode(b"%PDF suit").decode()}]
NAMESAKE = {"type": "name", "value": "张伟"}
WAREHOUSE = {"type": "shipping_address", "value": "Building 3, 88 Logistics Road, Yiwu, Zhejiang"}


def _file(api, member, identifiers):
    return api(member).post(
        "/api/v1/disputes", {"identifiers": identifiers, "grounds": "licensed reseller"}, format="json"
    )


def _two_reporters_of_one_seller(reviewer, identifiers):
    reporters = [persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER) for _ in range(2)]
    return reporters, [report_make_accepted(r, reviewer, identifiers) for r in reporters]


def test_a_dispute_covers_only_the_reports_naming_the_sellers_own_strong_or_medium_identifiers(
    api, brand_reporter, other_brand_reporter, reviewer, platform_analyst
):
    own = report_make_accepted(brand_reporter, reviewer, [*seller_identifiers(1), NAMESAKE, WAREHOUSE])
    report_make_accepted(other_brand_reporter, reviewer, [*seller_identifiers(2), NAMESAKE, WAREHOUSE])

    response = _file(api, platform_analyst, [seller_identifiers(1)[0], NAMESAKE, WAREHOUSE])

    assert response.status_code == 201, response.content
    assert response.json()["reports"] == [str(own.public_id)]
    assert [row["report"] for row in response.json()["covered"]] == [str(own.public_id)]


def test_a_dispute_naming_only_weak_identifiers_matches_nothing(
    api, brand_reporter, reviewer, platform_analyst
):
    report_make_accepted(brand_reporter, reviewer, [*seller_identifiers(3), NAMESAKE, WAREHOUSE])

    response = _file(api, platform_analyst, [NAMESAKE, WAREHOUSE])

    assert response.status_code == 404
    assert not DisputedReport.objects.exists()


def test_a_second_live_dispute_of_a_report_by_the_same_organisation_is_a_409_naming_the_open_one(
    api, brand_reporter, reviewer, platform_analyst, courier_analyst
):
    report_make_accepted(brand_reporter, reviewer, seller_identifiers(4))
    first = _file(api, platform_analyst, seller_identifiers(4)).json()

    again = _file(api, member_make(platform_analyst.organisation, Role.ADMIN), seller_identifiers(4)[:1])
    other_organisation = _file(api, courier_analyst, seller_identifiers(4))

    assert again.status_code == 409 and first["id"] in again.json()["error"]["message"]
    assert again.json()["error"]["fields"] == {"open_dispute": [first["id"]]}
    assert AuditEvent.objects.filter(action=AuditTag.DISPUTE_FILED.value, outcome=Outcome.DENIED).count() == 1
    assert other_organisation.status_code == 201
    assert DisputedReport.objects.filter(filed_by=platform_analyst.organisation).count() == 1


def test_a_concurrent_second_filing_caught_by_the_database_is_a_409_not_a_500(
    api, brand_reporter, reviewer, platform_analyst, monkeypatch
):
    from sharing.due_process.services import disputes

    report_make_accepted(brand_reporter, reviewer, seller_identifiers(7))
    first = _file(api, platform_analyst, seller_identifiers(7)).json()
    checks = iter([False, True])  # the racing request's own check ran before the first one committed
    real_check = disputes._refuse_second_live_dispute
    monkeypatch.setattr(
        disputes, "_refuse_second_live_dispute", lambda **kw: next(checks) and real_check(**kw)
    )

    racing = _file(api, member_make(platform_analyst.organisation, Role.ADMIN), seller_identifiers(7))

    assert racing.status_code == 409 and racing.json()["error"]["fields"] == {"open_dispute": [first["id"]]}


def test_the_database_refuses_a_second_live_dispute_row_for_one_report_and_filer(platform_analyst):
    dispute, _ = dispute_make(filer=platform_analyst)
    row = dispute.covered.get()
    other, _ = dispute_make(n=901)

    with pytest.raises(IntegrityError), transaction.atomic():
        DisputedReport.objects.create(
            dispute=other,
            report=row.report,
            filed_by=platform_analyst.organisation,
            working_days=15,
            response_due=row.response_due,
        )


def test_a_disputes_status_can_never_contradict_its_covered_reports_states(platform_analyst):
    dispute, _ = dispute_make(filer=platform_analyst)

    with pytest.raises(IntegrityError), transaction.atomic():
        dispute.covered.update(state=CoverageState.OVERTURNED)  # the report itself still counts
        dispute_invariant_check(dispute)

    dispute.refresh_from_db()
    assert dispute.covered.get().state == CoverageState.OPEN and dispute.status == DisputeStatus.OPEN
    assert status_from_states({CoverageState.OPEN, CoverageState.UPHELD}) is None
    assert status_from_states({CoverageState.UPHELD, CoverageState.OVERTURNED}) is None
    assert status_from_states({CoverageState.ANSWERED, CoverageState.LAPSED}) == DisputeStatus.ANSWERED


def test_each_reporter_answers_for_its_own_reports_and_the_clock_runs_per_report(
    api, reviewer, platform_analyst
):
    (answering, silent), (answered_report, silent_report) = _two_reporters_of_one_seller(
        reviewer, seller_identifiers(5)
    )
    dispute = _file(api, platform_analyst, seller_identifiers(5)).json()
    url = f"/api/v1/disputes/{dispute['id']}"

    answer = api(answering).post(f"{url}/answer", {"note": "suit filed", "evidence": EVIDENCE}, format="json")
    due = date.fromisoformat(dispute["covered"][0]["response_due"])
    disputes_lapse(today=due + timedelta(days=1))

    rows = {row.report_id: row for row in DisputedReport.objects.all()}
    answered_report.refresh_from_db(), silent_report.refresh_from_db()
    assert (
        answer.status_code == 200 and answer.json()["status"] == "open"
    )  # the other reporter's window still ran
    assert rows[answered_report.pk].state == CoverageState.ANSWERED and rows[answered_report.pk].answered_at
    assert rows[silent_report.pk].state == CoverageState.LAPSED and rows[silent_report.pk].answered_at is None
    assert (answered_report.status, silent_report.status) == (ReportStatus.ACCEPTED, ReportStatus.SUSPENDED)
    assert api(reviewer).get(url).json()["status"] == "answered"


def test_the_clock_pauses_for_notarisation_with_a_reason_but_never_beyond_20_working_days(
    api, platform_analyst, settings
):
    reporter = persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER)
    dispute, _ = dispute_make(filer=platform_analyst, reporter=reporter)
    url = f"/api/v1/disputes/{dispute.public_id}/pause"

    no_reason = api(reporter).post(url, {"working_days": 2}, format="json")
    paused = api(reporter).post(
        url, {"working_days": 5, "reason": "the complaint is being notarised"}, format="json"
    )
    beyond = api(reporter).post(url, {"working_days": 1, "reason": "legalisation abroad"}, format="json")
    by_the_filer = api(platform_analyst).post(url, {"working_days": 1, "reason": "x" * 5}, format="json")

    row = paused.json()["covered"][0]
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["error"]["fields"]
    assert paused.status_code == 200 and (row["working_days"], row["paused_working_days"]) == (20, 5)
    assert date.fromisoformat(row["response_due"]) == add_working_days(
        timezone.localdate(dispute.filed_at), 20
    )
    assert beyond.status_code == 400 and "working_days" in beyond.json()["error"]["fields"]
    assert by_the_filer.status_code == 403
    assert AuditEvent.objects.filter(actor_member=reporter, action=AuditTag.DISPUTE_PAUSED.value).count() == 1


def test_a_clock_that_ran_out_cannot_be_paused_and_the_reports_lapse(api, platform_analyst):
    reporter = persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER)
    dispute, _ = dispute_make(filer=platform_analyst, reporter=reporter)
    DisputedReport.objects.filter(dispute=dispute).update(
        response_due=timezone.localdate() - timedelta(days=1)
    )

    late = api(reporter).post(
        f"/api/v1/disputes/{dispute.public_id}/pause",
        {"working_days": 2, "reason": "notarisation"},
        format="json",
    )

    dispute.refresh_from_db()
    assert late.status_code == 409 and "was due by" in late.json()["error"]["message"]
    assert dispute.status == DisputeStatus.LAPSED
    assert set(dispute.reports.values_list("status", flat=True)) == {ReportStatus.SUSPENDED}


def test_working_days_follow_the_official_calendar_with_its_make_up_working_days(settings):
    settings.HUB_CALENDAR_COUNTRY = "CN"
    settings.HUB_HOLIDAYS = []

    assert add_working_days(date(2026, 2, 13), 1) == date(
        2026, 2, 14
    )  # Saturday worked for the Spring Festival (调休)
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)  # National Day week off
    settings.HUB_HOLIDAYS = ["2026-02-14"]  # the override still adds a day off
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 24)


def test_an_operator_cannot_overturn_before_an_unanswered_window_ends_except_urgently_with_a_reason(
    api, platform_analyst, reviewer
):
    dispute, seller = dispute_make(filer=platform_analyst)
    url = f"/api/v1/disputes/{dispute.public_id}"

    early = api(reviewer).post(
        f"{url}/decide", {"outcome": "overturned", "reason": "looks unfounded"}, format="json"
    )
    no_reason = api(reviewer).post(f"{url}/decide-urgently", {"outcome": "overturned"}, format="json")
    urgent = api(reviewer).post(
        f"{url}/decide-urgently",
        {"outcome": "overturned", "reason": "court order of 2026-11-30"},
        format="json",
    )

    assert early.status_code == 409 and "window runs until" in early.json()["error"]["message"]
    assert no_reason.status_code == 400
    assert urgent.status_code == 200 and urgent.json()["status"] == "overturned"
    assert set(dispute.reports.values_list("status", flat=True)) == {ReportStatus.OVERTURNED}
    assert (
        AuditEvent.objects.filter(
            actor_member=reviewer, action=AuditTag.DISPUTE_DECIDED_URGENTLY.value
        ).count()
        == 1
    )
    assert not AuditEvent.objects.filter(action=AuditTag.DISPUTE_DECIDED.value).exists()


def test_an_operator_decides_once_the_reporter_answered_within_its_window(api, platform_analyst, reviewer):
    reporter = persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER)
    dispute, _ = dispute_make(filer=platform_analyst, reporter=reporter, answered=True)

    decided = api(reviewer).post(
        f"/api/v1/disputes/{dispute.public_id}/decide",
        {"outcome": "upheld", "reason": "suit on file"},
        format="json",
    )

    assert decided.status_code == 200 and {r["state"] for r in decided.json()["covered"]} == {"upheld"}


@pytest.mark.parametrize("kind", [OrganisationKind.PLATFORM, OrganisationKind.LOGISTICS])
@pytest.mark.parametrize("role", [Role.ADMIN, Role.ANALYST])
def test_platforms_and_couriers_file_disputes_for_a_seller_or_sender_they_serve(
    api, brand_reporter, reviewer, kind, role
):
    report_make_accepted(brand_reporter, reviewer, seller_identifiers(6))

    response = _file(api, persona(kind, role), seller_identifiers(6))

    assert response.status_code == 201, response.content


_sellers = iter(range(1000, 100000))
_actions = st.lists(
    st.one_of(
        st.tuples(st.just("answer"), st.integers(0, 1)),
        st.tuples(st.just("pause"), st.integers(0, 1), st.integers(1, 8)),
        st.tuples(st.just("lapse"), st.integers(0, 40)),
        st.tuples(st.just("decide"), st.booleans()),
        st.tuples(st.just("urgent"), st.booleans()),
    ),
    max_size=6,
)


@hypothesis_settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=_actions)
def test_no_order_of_answers_pauses_lapses_and_decisions_leaves_a_dispute_contradicting_its_reports(
    reviewer, platform_analyst, steps
):
    seller = seller_identifiers(next(_sellers))
    reporters, _ = _two_reporters_of_one_seller(reviewer, seller)
    dispute = dispute_file(
        identifiers=[RawIdentifier(**i) for i in seller],
        grounds="licensee",
        evidence=[],
        actor=Actor(member=platform_analyst),
    )
    for step in steps:
        try:
            _apply(step, dispute, reporters, reviewer)
        except DomainError:
            pass  # a refusal is a legitimate answer; what matters is the state left behind
        dispute.refresh_from_db()
        assert dispute.status == status_from_states(set(dispute.covered.values_list("state", flat=True)))
        dispute_invariant_check(dispute)


def _apply(step, dispute, reporters, reviewer) -> None:
    kind, *args = step
    evidence = [EvidenceFile("suit.pdf", "application/pdf", b"%PDF")]
    if kind == "answer":
        dispute_answer(
            dispute=dispute, note="suit filed", evidence=evidence, actor=Actor(member=reporters[args[0]])
        )
    elif kind == "pause":
        dispute_pause(
            dispute=dispute,
            working_days=args[1],
            reason="notarisation",
            actor=Actor(member=reporters[args[0]]),
        )
    elif kind == "lapse":
        disputes_lapse(today=dispute.response_due + timedelta(days=args[0]))
    else:
        decide = dispute_decide if kind == "decide" else dispute_decide_urgently
        decide(dispute=dispute, upheld=args[0], reason="decided", actor=Actor(member=reviewer))


def test_a_report_overturned_on_one_dispute_lets_another_organisations_dispute_of_it_close_as_overturned():
    courier = persona(OrganisationKind.LOGISTICS, Role.ANALYST)
    reviewer = persona(OrganisationKind.OPERATOR, Role.REVIEWER)
    first, identifiers = dispute_make(n=975)
    raw = [RawIdentifier(type=i["type"], value=i["value"]) for i in identifiers]
    second = dispute_file(
        identifiers=raw, grounds="The sender is licensed.", evidence=[], actor=Actor(member=courier)
    )
    dispute_decide_urgently(dispute=first, upheld=False, reason="licence shown", actor=Actor(member=reviewer))

    with pytest.raises(DomainError) as refused:
        dispute_decide_urgently(
            dispute=second, upheld=True, reason="no licence", actor=Actor(member=reviewer)
        )
    decided = dispute_decide_urgently(
        dispute=second, upheld=False, reason="as decided before", actor=Actor(member=reviewer)
    )

    assert refused.value.status_code == 409 and "already overturned" in str(refused.value)
    assert decided.status == DisputeStatus.OVERTURNED
    assert set(decided.covered.values_list("state", flat=True)) == {CoverageState.OVERTURNED}
    assert decided.reports.get().status == ReportStatus.OVERTURNED


@pytest.mark.parametrize(
    "action, body", [("", None), ("/pause", {"working_days": 3, "reason": "notarising"})]
)
def test_another_organisations_dispute_is_not_there_and_the_probe_is_audited(api, action, body):
    dispute, _ = dispute_make(n=985)
    stranger = persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER)

    client = api(stranger)
    response = (
        client.get(f"/api/v1/disputes/{dispute.public_id}")
        if body is None
        else client.post(f"/api/v1/disputes/{dispute.public_id}{action}", body, format="json")
    )

    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditTag.DISPUTE_READ, outcome=Outcome.DENIED, organisation=stranger.organisation
    ).exists()

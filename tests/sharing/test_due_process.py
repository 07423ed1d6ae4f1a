"""Due process: disputes and deadlines, reputation and trusted flaggers, retention, policies, explanations."""

from __future__ import annotations

import base64
from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.actors import Actor
from accounts.roles import OrganisationKind, Role
from sharing.due_process.services.disputes import disputes_lapse
from sharing.models import (
    DisputeStatus,
    Notification,
    Report,
    ReporterStanding,
    ReportStatus,
    RestrictedRecord,
)
from sharing.reports.services.calendar import add_working_days
from sharing.reports.services.reputation import reporter_record, reputation_refresh, standing_of
from sharing.restricted.services.retention import restricted_payloads_destroy
from tests.factories import (
    disclosure_make,
    dispute_make,
    persona,
    report_body,
    report_make,
    report_make_accepted,
    seller_identifiers,
)

pytestmark = pytest.mark.django_db
EVIDENCE = [{"name": "complaint.pdf", "content_base64": base64.b64encode(b"%PDF complaint").decode()}]


def _check(api, member, identifiers):
    response = api(member).post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": identifiers}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_working_days_skip_weekends_and_configured_holidays(settings):
    settings.HUB_HOLIDAYS = ["2026-12-25"]

    assert add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Friday → Monday
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 28)  # Christmas Friday skipped
    assert add_working_days(date(2026, 11, 23), 15) == date(2026, 12, 14)


def test_filing_a_dispute_marks_the_reports_and_tells_the_reporter(
    api, brand_reporter, reviewer, platform_analyst
):
    report_make_accepted(brand_reporter, reviewer, seller_identifiers(1))
    before = _check(api, platform_analyst, seller_identifiers(1))

    response = api(platform_analyst).post(
        "/api/v1/disputes",
        {"identifiers": seller_identifiers(1), "grounds": "licensed reseller", "evidence": EVIDENCE},
        format="json",
    )

    after = _check(api, platform_analyst, seller_identifiers(1))
    assert response.status_code == 201 and response.json()["status"] == "open"
    assert date.fromisoformat(response.json()["response_due"]) == add_working_days(timezone.localdate(), 15)
    assert after["disputed"] and after["risk"] < before["risk"] and "disputed" in after["explanation"]
    note = Notification.objects.get(organisation=brand_reporter.organisation)
    assert note.kind == "dispute.filed" and response.json()["response_due"] in note.message
    assert RestrictedRecord.objects.filter(owner_type="dispute", owner_id=response.json()["id"]).exists()


def test_disputing_a_seller_with_no_live_report_is_a_404(api, platform_analyst):
    response = api(platform_analyst).post(
        "/api/v1/disputes", {"identifiers": seller_identifiers(5), "grounds": "x"}, format="json"
    )

    assert response.status_code == 404


def test_an_unanswered_dispute_lapses_and_suspends_the_reports(api, platform_analyst):
    dispute, seller = dispute_make(filer=platform_analyst)
    listed_before = _check(api, platform_analyst, seller)["level"]

    untouched = disputes_lapse(today=dispute.response_due)
    lapsed = disputes_lapse(today=dispute.response_due + timedelta(days=1))

    dispute.refresh_from_db()
    assert (listed_before, untouched, lapsed) == ("reported", 0, 1)
    assert dispute.status == DisputeStatus.LAPSED
    assert set(dispute.reports.values_list("status", flat=True)) == {ReportStatus.SUSPENDED}
    assert _check(api, platform_analyst, seller)["level"] == "none"


def test_an_answered_dispute_does_not_lapse_and_the_operator_decides(api, platform_analyst, reviewer):
    reporter = persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER)
    dispute, seller = dispute_make(filer=platform_analyst, reporter=reporter)
    url = f"/api/v1/disputes/{dispute.public_id}"

    no_evidence = api(reporter).post(f"{url}/answer", {"note": "suit filed", "evidence": []}, format="json")
    answered = api(reporter).post(
        f"{url}/answer", {"note": "suit filed", "evidence": EVIDENCE}, format="json"
    )
    lapsed = disputes_lapse(today=dispute.response_due + timedelta(days=5))
    no_reason = api(reviewer).post(f"{url}/decide", {"outcome": "upheld"}, format="json")
    decided = api(reviewer).post(
        f"{url}/decide", {"outcome": "upheld", "reason": "complaint on file"}, format="json"
    )
    again = api(reviewer).post(
        f"{url}/decide", {"outcome": "overturned", "reason": "changed mind"}, format="json"
    )

    assert no_evidence.status_code == 400 and answered.json()["status"] == "answered" and lapsed == 0
    assert no_reason.status_code == 400 and decided.json()["status"] == "upheld" and again.status_code == 409
    result = _check(api, platform_analyst, seller)
    assert result["level"] == "reported" and not result["disputed"]


def test_an_overturned_dispute_removes_the_reports_from_matching(api, platform_analyst, reviewer):
    dispute, seller = dispute_make(
        filer=platform_analyst, reporter=persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER), answered=True
    )

    api(reviewer).post(
        f"/api/v1/disputes/{dispute.public_id}/decide",
        {"outcome": "overturned", "reason": "no infringement"},
        format="json",
    )

    assert set(dispute.reports.values_list("status", flat=True)) == {ReportStatus.OVERTURNED}
    assert _check(api, platform_analyst, seller)["level"] == "none"


def test_disputes_are_visible_only_to_their_parties(api, platform_analyst, outsider):
    dispute, _ = dispute_make(filer=platform_analyst)

    assert api(outsider).get(f"/api/v1/disputes/{dispute.public_id}").status_code == 404
    assert api(platform_analyst).get(f"/api/v1/disputes/{dispute.public_id}").status_code == 200


def test_a_good_record_earns_trusted_flagger_status_and_fast_tracking(
    api, brand_reporter, reviewer, platform_analyst, settings
):
    settings.HUB_TRUSTED_MIN_REPORTS = 3
    for n in range(3):
        report_make_accepted(brand_reporter, reviewer, seller_identifiers(10 + n))

    standing = reputation_refresh(organisation_id=brand_reporter.organisation.pk)
    fast = report_make(brand_reporter, seller_identifiers(20))

    assert standing.trusted_flagger
    assert fast.status == ReportStatus.ACCEPTED and fast.fast_tracked and fast.reviewed_by is None
    assert _check(api, platform_analyst, seller_identifiers(20))["level"] == "reported"
    record = api(brand_reporter).get("/api/v1/reputation").json()
    assert record["accepted"] == 4 and record["trusted_flagger"] is True


def test_repeatedly_overturned_reports_warn_then_suspend_reporting_and_say_why(
    api, platform_analyst, reviewer
):
    reporter = persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER)
    for n in range(3):
        dispute, _ = dispute_make(filer=platform_analyst, reporter=reporter, n=30 + n, answered=True)
        api(reviewer).post(
            f"/api/v1/disputes/{dispute.public_id}/decide",
            {"outcome": "overturned", "reason": "unfounded"},
            format="json",
        )
    warned = api(reporter).post("/api/v1/reports", report_body(seller_identifiers(41)), format="json")
    _warning_period_passes(reporter.organisation)

    refused = api(reporter).post("/api/v1/reports", report_body(seller_identifiers(40)), format="json")

    assert warned.status_code == 201
    assert refused.status_code == 403 and "misuse rule" in refused.json()["error"]["message"]
    assert reporter_record(organisation_id=reporter.organisation.pk).overturned == 3
    assert Notification.objects.filter(
        organisation=reporter.organisation, kind="reporting.suspended"
    ).exists()


def _warning_period_passes(organisation) -> None:
    """Move the misuse warning's end into the past and re-apply the rule, as the nightly refresh would."""
    ReporterStanding.objects.filter(organisation=organisation).update(
        misuse_warning_until=timezone.now() - timedelta(seconds=1)
    )
    reputation_refresh(organisation_id=organisation.pk)


def test_an_operator_overrides_the_rule_with_a_reason(api, operator_admin, brand_reporter):
    url = f"/api/v1/organisations/{brand_reporter.organisation.public_id}/reputation"

    no_reason = api(operator_admin).post(url, {"override": "grant"}, format="json")
    granted = api(operator_admin).post(
        url, {"override": "grant", "reason": "vetted by the operator"}, format="json"
    )

    assert no_reason.status_code == 400
    assert (
        granted.json()["trusted_flagger"] is True
        and standing_of(brand_reporter.organisation.pk).override == "grant"
    )


def test_renewal_extends_a_report_and_retention_destroys_closed_payloads_unless_held(
    api, brand_reporter, reviewer
):
    kept = report_make_accepted(brand_reporter, reviewer, seller_identifiers(50))
    old_expiry = kept.expires_at
    renewed = api(brand_reporter).post(f"/api/v1/reports/{kept.public_id}/renew")
    closed = report_make(brand_reporter, seller_identifiers(51))
    held = report_make(brand_reporter, seller_identifiers(52))
    for report in (closed, held):
        api(brand_reporter).post(f"/api/v1/reports/{report.public_id}/retract")
    disclosure_make(report_ids=[str(held.public_id)])
    later = timezone.now() + timedelta(days=181)

    too_early = restricted_payloads_destroy(now=timezone.now())
    destroyed = restricted_payloads_destroy(now=later)

    assert renewed.status_code == 200 and Report.objects.get(pk=kept.pk).expires_at > old_expiry
    assert (too_early, destroyed) == (0, 1)
    assert not RestrictedRecord.objects.filter(owner_id=str(closed.public_id)).exists()
    assert RestrictedRecord.objects.filter(owner_id=str(held.public_id)).exists()
    assert RestrictedRecord.objects.filter(owner_id=str(kept.public_id)).exists()


def test_the_check_recommends_an_action_under_the_members_own_policy(
    api, brand_reporter, other_brand_reporter, reviewer
):
    platform_admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    seller = seller_identifiers(60)
    report_make_accepted(brand_reporter, reviewer, seller)
    first = _check(api, platform_admin, seller)["recommended_action"]
    set_policy = api(platform_admin).put(
        "/api/v1/organisation/policy", {"strikes": 1, "window_months": 24}, format="json"
    )
    strict = _check(api, platform_admin, seller)["recommended_action"]
    report_make_accepted(
        other_brand_reporter, reviewer, seller, verification_level="court_judgment", decision_verified=True
    )
    other = persona(OrganisationKind.PLATFORM, Role.ADMIN)

    assert (first, set_policy.status_code, strict) == ("review", 200, "block")
    assert (
        _check(api, other, seller)["recommended_action"] == "block"
    )  # the default: one strike for a court judgment
    assert _check(api, other, seller_identifiers(61))["recommended_action"] == "allow"


def test_a_check_explains_a_match_through_a_linked_account(api, reviewer, courier_analyst):
    platform_a = persona(OrganisationKind.PLATFORM, Role.REPORTER)
    platform_b = persona(OrganisationKind.PLATFORM, Role.REPORTER)
    bank = {"type": "bank_account", "value": "DE89 3704 0044 0532 0130 00"}
    report_make_accepted(
        platform_a, reviewer, [{"type": "store_url", "value": "https://shop111.taobao.com"}, bank]
    )
    report_make_accepted(
        platform_b,
        reviewer,
        [{"type": "store_url", "value": "https://mall.jd.com/index-1000004123.html"}, bank],
    )

    result = _check(api, courier_analyst, [bank, {"type": "phone", "value": "+86 135 0000 0000"}])

    assert result["matched_types"] == ["bank_account"] and result["match"] == "direct"
    assert (
        result["linked_store_accounts"],
        result["linked_platforms"],
        result["reporting_organisations"],
    ) == (2, 2, 2)
    assert (
        "shared bank account" in result["explanation"]
        and "2 store accounts reported on 2 platforms" in result["explanation"]
    )
    via_store = _check(api, courier_analyst, [{"type": "store_url", "value": "https://shop111.taobao.com"}])
    assert via_store["match"] == "linked" and "through a linked account" in via_store["explanation"]


_example_numbers = iter(range(1000, 9999))
actions = st.lists(
    st.tuples(
        st.sampled_from(["submit", "retract", "renew"]),
        st.integers(0, 3),
        st.sampled_from(
            [
                "self_declared",
                "rights_owner_verified",
                "platform_enforcement",
                "administrative_decision",
                "court_judgment",
            ]
        ),
    ),
    min_size=1,
    max_size=12,
)


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=actions)
def test_no_single_organisation_lists_a_subject_on_its_own(api, reviewer, platform_analyst, steps):
    organisation_member = persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER)
    from sharing.reports.services.reports import report_accept, report_renew, report_retract
    from tests.factories import member_make

    users = [
        organisation_member,
        member_make(organisation_member.organisation, Role.REPORTER),
        member_make(organisation_member.organisation, Role.ADMIN),
    ]
    # Examples share one database: give each its own sellers, so only this organisation reports them.
    block = next(_example_numbers)
    made = []
    for index, (action, seller, level) in enumerate(steps):
        user = users[index % len(users)]
        if action == "submit":
            ids = [
                {"type": "phone", "value": f"+86 138 {block} {seller:04d}"},
                {"type": "email", "value": f"s{block}-{seller % 2}@example.com"},
            ]
            made.append(
                report_accept(
                    report=report_make(user, ids, level), reason="looks fine", actor=Actor(member=reviewer)
                )
            )
        elif made and action == "retract" and made[-1].status == "accepted":
            report_retract(report=made.pop(), actor=Actor(member=user))
        elif made and action == "renew":
            report_renew(report=made[-1], actor=Actor(member=user))

    levels = {
        _check(api, platform_analyst, [{"type": "phone", "value": f"+86 138 {block} {s:04d}"}])["level"]
        for s in range(4)
    }
    assert levels <= {"none", "reported"}

"""Standing: counter-notices judged too, each report counted once, a warning before a
misuse suspension, suspensions that end or are lifted, and one appeal of a rejection to
another reviewer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit.models import AuditEvent
from accounts.audit.tags import AuditTag
from accounts.roles import ROLE_CAPABILITIES, Capability, OrganisationKind, Role
from sharing.models import Notification, ReportAppeal, ReporterStanding, ReportStatus, RestrictedRecord
from sharing.reports.services.reputation import reporter_record, reputation_refresh, standing_of
from tests.factories import (
    dispute_make,
    member_make,
    persona,
    report_body,
    report_make,
    report_make_accepted,
    report_make_appealed,
    report_make_rejected,
    reporting_suspended_make,
    seller_identifiers,
)

pytestmark = pytest.mark.django_db


def _decide(api, reviewer, dispute, outcome: str):
    # The reporters' windows are still running here: the urgent route decides at once, and its
    # outcome counts in standing exactly as a decision after the window does.
    response = api(reviewer).post(
        f"/api/v1/disputes/{dispute.public_id}/decide-urgently",
        {"outcome": outcome, "reason": "weighed"},
        format="json",
    )
    assert response.status_code == 200, response.content
    return response


def _overturned_three_times(api, reviewer, platform_analyst, n: int = 300):
    reporter = persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER)
    for offset in range(3):
        dispute, _ = dispute_make(filer=platform_analyst, reporter=reporter, n=n + offset)
        _decide(api, reviewer, dispute, "overturned")
    return reporter


def _can_report(api, reporter, n: int) -> bool:
    return (
        api(reporter).post("/api/v1/reports", report_body(seller_identifiers(n)), format="json").status_code
        == 201
    )


# 1. Counter-notices are judged too.


def test_counter_notices_decided_against_the_filer_count_in_its_standing_shown_to_operators(
    api, platform_analyst, reviewer
):
    failed, _ = dispute_make(filer=platform_analyst, n=200)
    succeeded, _ = dispute_make(filer=platform_analyst, n=201)
    dispute_make(filer=platform_analyst, n=202)  # still open
    _decide(api, reviewer, failed, "upheld")
    _decide(api, reviewer, succeeded, "overturned")

    standing = api(reviewer).get(
        f"/api/v1/organisations/{platform_analyst.organisation.public_id}/reputation"
    )

    assert standing.status_code == 200
    assert standing.json()["counter_notices"] == {"filed": 3, "failed": 1, "succeeded": 1, "lapsed": 0}
    assert AuditEvent.objects.filter(
        action=AuditTag.REPUTATION_READ,
        actor_member=reviewer,
        object_id=str(platform_analyst.organisation.public_id),
    ).exists()


def test_only_operator_roles_read_another_organisations_standing():
    readers = {
        pair
        for pair, capabilities in ROLE_CAPABILITIES.items()
        if Capability.REPUTATION_READ_ANY in capabilities
    }

    assert readers and {kind for kind, _ in readers} == {OrganisationKind.OPERATOR}


def test_a_member_cannot_read_its_own_counter_notice_record_through_its_own_reputation(api, platform_analyst):
    platform_admin = member_make(platform_analyst.organisation, Role.ADMIN)

    own = api(platform_admin).get("/api/v1/reputation")
    other = api(platform_admin).get(
        f"/api/v1/organisations/{platform_analyst.organisation.public_id}/reputation"
    )

    assert own.status_code == 200 and "counter_notices" not in own.json()
    assert other.status_code == 403


# 2. Each report's outcome counts once.


def test_reputation_counts_a_report_disputed_and_decided_twice_once(api, reviewer, brand_reporter):
    first_platform = persona(OrganisationKind.PLATFORM, Role.ANALYST)
    second_platform = persona(OrganisationKind.PLATFORM, Role.ANALYST)
    first, seller = dispute_make(filer=first_platform, reporter=brand_reporter, n=210)
    second_response = api(second_platform).post(
        "/api/v1/disputes", {"identifiers": seller, "grounds": "licensed too"}, format="json"
    )
    assert second_response.status_code == 201, second_response.content

    _decide(api, reviewer, first, "upheld")
    api(reviewer).post(
        f"/api/v1/disputes/{second_response.json()['id']}/decide-urgently",
        {"outcome": "upheld", "reason": "again"},
        format="json",
    )

    record = reporter_record(organisation_id=brand_reporter.organisation.pk)
    assert (record.accepted, record.upheld, record.overturned) == (1, 1, 0)


def test_an_overturned_report_in_two_disputes_counts_as_one_overturned(api, reviewer, brand_reporter):
    first, seller = dispute_make(
        filer=persona(OrganisationKind.PLATFORM, Role.ANALYST), reporter=brand_reporter, n=211
    )
    second = (
        api(persona(OrganisationKind.PLATFORM, Role.ANALYST))
        .post("/api/v1/disputes", {"identifiers": seller, "grounds": "licensed too"}, format="json")
        .json()["id"]
    )

    _decide(api, reviewer, first, "overturned")
    api(reviewer).post(
        f"/api/v1/disputes/{second}/decide", {"outcome": "overturned", "reason": "again"}, format="json"
    )

    record = reporter_record(organisation_id=brand_reporter.organisation.pk)
    assert (record.accepted, record.upheld, record.overturned) == (1, 0, 1)


# 3. A warning before a misuse suspension; suspensions end or are lifted.


def test_misuse_warns_with_the_figures_before_any_suspension(api, reviewer, platform_analyst):
    reporter = _overturned_three_times(api, reviewer, platform_analyst)

    warning = Notification.objects.get(organisation=reporter.organisation, kind="reporting.warned")
    standing = standing_of(reporter.organisation.pk)
    assert "3 of your 3 accepted reports" in warning.message and warning.data["record"]["overturned"] == 3
    assert standing.misuse_warning_until > timezone.now() + timedelta(days=13)
    assert standing.reporting_suspended_until is None and _can_report(api, reporter, 310)
    assert not Notification.objects.filter(
        organisation=reporter.organisation, kind="reporting.suspended"
    ).exists()
    assert AuditEvent.objects.filter(
        action=AuditTag.REPUTATION_CHANGED, details__has_key="misuse_warning_until"
    ).exists()


def test_the_warning_period_is_a_setting(api, reviewer, platform_analyst, settings):
    settings.HUB_MISUSE_WARNING_DAYS = 3

    reporter = _overturned_three_times(api, reviewer, platform_analyst, n=320)

    until = standing_of(reporter.organisation.pk).misuse_warning_until
    assert timezone.now() + timedelta(days=2) < until <= timezone.now() + timedelta(days=3)


def _warning_period_passes(organisation) -> ReporterStanding:
    ReporterStanding.objects.filter(organisation=organisation).update(
        misuse_warning_until=timezone.now() - timedelta(seconds=1)
    )
    return reputation_refresh(organisation_id=organisation.pk)


def test_a_reporter_that_improves_within_the_warning_period_is_not_suspended(api, reviewer, platform_analyst):
    reporter = _overturned_three_times(api, reviewer, platform_analyst, n=330)
    for n in range(13):  # 3 overturned of 16 accepted: under 20 %
        report_make_accepted(reporter, reviewer, seller_identifiers(340 + n))

    standing = _warning_period_passes(reporter.organisation)

    assert standing.reporting_suspended_until is None and standing.misuse_warning_until is None
    assert _can_report(api, reporter, 360)


def test_a_suspended_reporter_reads_why_in_its_own_language(api, reviewer, platform_analyst):
    """The rule's figures are kept, so the reason is written for each reader, not frozen in one language."""
    reporter = _overturned_three_times(api, reviewer, platform_analyst, n=360)
    suspended = _warning_period_passes(reporter.organisation)
    assert suspended.suspension_figures == {"overturned": 3, "accepted": 3}

    answers = {
        language: api(reporter).get("/api/v1/reputation", HTTP_ACCEPT_LANGUAGE=language).json()
        for language in ("en", "zh-hans")
    }
    refused = api(reporter).post(
        "/api/v1/reports", report_body(seller_identifiers(361)), format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert (
        answers["en"]["suspension_reason"]
        == suspended.suspension_reason
        == (
            "3 of your 3 accepted reports in the last 90 days were overturned on dispute, "
            "after a warning; reporting is suspended (misuse rule)."
        )
    )
    assert answers["zh-hans"]["suspension_reason"].startswith("在过去 90 天内")
    assert (
        refused.status_code == 403
        and answers["zh-hans"]["suspension_reason"] in refused.json()["error"]["message"]
    )


def test_a_suspension_ends_on_its_own_and_the_next_one_needs_a_new_warning(
    api, reviewer, platform_analyst, settings
):
    settings.HUB_MISUSE_SUSPENSION_DAYS = 7
    reporter = _overturned_three_times(api, reviewer, platform_analyst, n=370)
    suspended = _warning_period_passes(reporter.organisation)
    assert suspended.reporting_suspended_until <= timezone.now() + timedelta(days=7)
    ReporterStanding.objects.filter(pk=suspended.pk).update(
        reporting_suspended_until=timezone.now() - timedelta(seconds=1)
    )

    after = reputation_refresh(organisation_id=reporter.organisation.pk)

    assert after.misuse_warning_until is not None and _can_report(api, reporter, 380)
    assert (
        Notification.objects.filter(organisation=reporter.organisation, kind="reporting.warned").count() == 2
    )


def test_an_operator_lifts_a_suspension_with_a_reason_and_it_is_audited(api, operator_admin, brand_reporter):
    reporting_suspended_make(brand_reporter.organisation)
    url = f"/api/v1/organisations/{brand_reporter.organisation.public_id}/reporting-suspension/lift"
    refused_before = _can_report(api, brand_reporter, 390)

    no_reason = api(operator_admin).post(url, {}, format="json")
    lifted = api(operator_admin).post(
        url, {"reason": "the overturned reports were a platform error"}, format="json"
    )
    again = api(operator_admin).post(url, {"reason": "twice"}, format="json")

    assert not refused_before
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["error"]["fields"]
    assert lifted.status_code == 200 and lifted.json()["reporting_suspended_until"] is None
    assert again.status_code == 409 and _can_report(api, brand_reporter, 391)
    event = AuditEvent.objects.get(action=AuditTag.REPORTING_SUSPENSION_LIFTED)
    assert (
        event.details["reason"] == "the overturned reports were a platform error"
        and event.actor_member == operator_admin
    )
    assert Notification.objects.filter(
        organisation=brand_reporter.organisation, kind="reporting.reinstated"
    ).exists()


# 4. One appeal of a rejection, to a different reviewer.


def test_a_rejected_report_is_appealed_once_by_its_own_organisation(
    api, brand_reporter, other_brand_reporter
):
    rejected = report_make_rejected(brand_reporter)
    url = f"/api/v1/reports/{rejected.public_id}/appeal"

    by_other = api(other_brand_reporter).post(url, {"grounds": "not ours"}, format="json")
    no_grounds = api(brand_reporter).post(url, {}, format="json")
    appealed = api(brand_reporter).post(url, {"grounds": "The invoice proves the purchase."}, format="json")
    twice = api(brand_reporter).post(url, {"grounds": "once more"}, format="json")
    pending = api(brand_reporter).post(
        f"/api/v1/reports/{report_make(brand_reporter).public_id}/appeal",
        {"grounds": "too early"},
        format="json",
    )

    assert by_other.status_code == 404 and no_grounds.status_code == 400
    assert (
        appealed.status_code == 201
        and appealed.json()["status"] == "open"
        and "grounds" not in appealed.json()
    )
    assert twice.status_code == 409 and pending.status_code == 409
    assert RestrictedRecord.objects.filter(owner_id=str(rejected.public_id), field="appeal_grounds").exists()
    assert (
        AuditEvent.objects.filter(action=AuditTag.REPORT_APPEALED, object_id=str(rejected.public_id)).count()
        == 1
    )


def test_the_reviewer_who_rejected_a_report_cannot_decide_its_appeal(api, brand_reporter, reviewer):
    report = report_make_appealed(brand_reporter, rejected_by=reviewer)

    response = api(reviewer).post(
        f"/api/v1/reports/{report.public_id}/appeal/decide",
        {"outcome": "granted", "reason": "I was wrong"},
        format="json",
    )

    assert response.status_code == 403
    assert ReportAppeal.objects.get(report=report).status == "open"


def test_the_database_refuses_an_appeal_decided_by_the_rejecting_reviewer(brand_reporter, reviewer):
    report = report_make_appealed(brand_reporter, rejected_by=reviewer)

    with pytest.raises(IntegrityError), transaction.atomic():
        ReportAppeal.objects.filter(report=report).update(
            status="refused", decided_by=reviewer, decision_reason="mine", decided_at=timezone.now()
        )


def test_a_granted_appeal_accepts_the_report_through_another_reviewer(
    api, brand_reporter, reviewer, platform_analyst
):
    report = report_make_appealed(brand_reporter, identifiers=seller_identifiers(400))
    url = f"/api/v1/reports/{report.public_id}/appeal/decide"

    granted = api(reviewer).post(
        url, {"outcome": "granted", "reason": "the invoice is genuine"}, format="json"
    )
    again = api(reviewer).post(url, {"outcome": "refused", "reason": "second thoughts"}, format="json")

    report.refresh_from_db()
    assert granted.status_code == 200 and granted.json()["status"] == "granted" and again.status_code == 409
    assert report.status == ReportStatus.ACCEPTED and report.reviewed_by == reviewer
    check = (
        api(platform_analyst)
        .post(
            "/api/v1/checks",
            {"purpose": "seller_onboarding", "identifiers": seller_identifiers(400)},
            format="json",
        )
        .json()
    )
    assert check["level"] == "reported"
    assert AuditEvent.objects.filter(
        action=AuditTag.REPORT_APPEAL_DECIDED, actor_member=reviewer, details__outcome="granted"
    ).exists()
    assert Notification.objects.filter(
        organisation=brand_reporter.organisation, kind="appeal.granted"
    ).exists()


def test_a_refused_appeal_leaves_the_rejection_standing_for_good(api, brand_reporter, reviewer):
    report = report_make_appealed(brand_reporter)

    refused = api(reviewer).post(
        f"/api/v1/reports/{report.public_id}/appeal/decide",
        {"outcome": "refused", "reason": "no proof of sale"},
        format="json",
    )
    appeal_again = api(brand_reporter).post(
        f"/api/v1/reports/{report.public_id}/appeal", {"grounds": "please"}, format="json"
    )

    report.refresh_from_db()
    assert refused.json()["status"] == "refused" and report.status == ReportStatus.REJECTED
    assert appeal_again.status_code == 409

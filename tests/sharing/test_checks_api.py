"""Checks: the shareable answer, linking into subjects, and when a subject is listed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.audit.models import AuditEvent, DataClass
from sharing.models import IdentifierToken, Report, ReportStatus, Subject
from sharing.reports.tasks import reports_expire_task
from tests.factories import report_make, report_make_accepted

pytestmark = pytest.mark.django_db

PHONE = {"type": "phone", "value": "+86 138 0013 8000"}
EMAIL = {"type": "email", "value": "seller0@example.com"}
IBAN = {"type": "bank_account", "value": "DE89 3704 0044 0532 0130 00"}
SHOP = {"type": "store_url", "value": "https://shop123456.taobao.com/?spm=a1z10"}


def _check(api, member, *identifiers):
    response = api(member).post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": list(identifiers)}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_hit_and_miss_answer_in_the_same_shape(api, brand_reporter, reviewer, platform_analyst):
    report_make_accepted(brand_reporter, reviewer, [PHONE, EMAIL])

    hit = _check(api, platform_analyst, PHONE)
    miss = _check(api, platform_analyst, {"type": "phone", "value": "+86 139 0000 0000"})

    assert set(hit) == set(miss)
    assert miss["level"] == "none" and miss["risk"] == 0 and miss["matched_types"] == []
    assert hit["level"] == "reported" and hit["matched_types"] == ["phone"]
    assert hit["reporting_organisations"] == 1 and hit["reporter_kinds"] == ["rights_owner"]
    assert hit["ip_types"] == ["trademark"] and hit["categories"] == ["counterfeit"]
    assert (
        hit["strongest_verification"] == "rights_owner_verified" and hit["first_seen"] and not hit["disputed"]
    )


def test_pending_and_rejected_reports_never_match(api, brand_reporter, reviewer, platform_analyst):
    report_make(brand_reporter, [PHONE])

    assert _check(api, platform_analyst, PHONE)["level"] == "none"


def test_one_organisation_alone_is_reported_two_independent_ones_list(
    api, brand_reporter, other_brand_reporter, reviewer, platform_analyst
):
    report_make_accepted(brand_reporter, reviewer, [PHONE, EMAIL])
    report_make_accepted(brand_reporter, reviewer, [PHONE])
    alone = _check(api, platform_analyst, PHONE)

    report_make_accepted(other_brand_reporter, reviewer, [EMAIL])
    together = _check(api, platform_analyst, PHONE)

    assert (alone["level"], alone["reporting_organisations"]) == ("reported", 1)
    assert (together["level"], together["reporting_organisations"]) == ("listed", 2)
    assert together["risk"] > alone["risk"]


@pytest.mark.parametrize(
    "verification,level", [("administrative_decision", "listed"), ("court_judgment", "confirmed")]
)
def test_an_official_decision_verified_by_the_operator_lists_on_its_own(
    api, brand_reporter, reviewer, platform_analyst, verification, level
):
    report_make_accepted(
        brand_reporter, reviewer, [PHONE], verification_level=verification, decision_verified=True
    )

    assert _check(api, platform_analyst, PHONE)["level"] == level


@pytest.mark.parametrize("verification", ["administrative_decision", "court_judgment"])
def test_an_unverified_official_claim_weighs_as_rights_owner_verified(
    api, brand_reporter, reviewer, platform_analyst, verification
):
    report_make_accepted(brand_reporter, reviewer, [PHONE], verification_level=verification)

    result = _check(api, platform_analyst, PHONE)

    assert (result["level"], result["strongest_verification"]) == ("reported", "rights_owner_verified")


def test_a_new_account_sharing_a_bank_account_matches_the_linked_subject(
    api, brand_reporter, other_brand_reporter, reviewer, courier_analyst
):
    report_make_accepted(brand_reporter, reviewer, [PHONE, SHOP])
    report_make_accepted(other_brand_reporter, reviewer, [SHOP, IBAN])

    result = _check(api, courier_analyst, {"type": "phone", "value": "+86 139 1111 2222"}, IBAN)

    assert result["matched_types"] == ["bank_account"]
    assert result["subjects_matched"] == 1 and result["reporting_organisations"] == 2
    assert Subject.objects.count() == 1


def test_subjects_merge_when_a_report_links_them_and_split_when_it_is_retracted(brand_reporter, reviewer):
    report_make_accepted(brand_reporter, reviewer, [PHONE])
    report_make_accepted(brand_reporter, reviewer, [IBAN])
    assert Subject.objects.count() == 2
    survivor = IdentifierToken.objects.get(identifier_type="phone").subject_id

    bridge = report_make_accepted(brand_reporter, reviewer, [PHONE, IBAN])
    merged = set(IdentifierToken.objects.values_list("subject_id", flat=True))

    from accounts.actors import Actor
    from sharing.reports.services.reports import report_retract

    report_retract(report=bridge, actor=Actor(member=brand_reporter))
    split = {t.identifier_type: t.subject_id for t in IdentifierToken.objects.all()}
    assert merged == {survivor}
    assert Subject.objects.count() == 2 and split["phone"] == survivor and split["bank_account"] != survivor


def test_an_expired_report_stops_matching_at_once_and_the_task_closes_it(
    api, brand_reporter, reviewer, platform_analyst
):
    report = report_make_accepted(brand_reporter, reviewer, [PHONE])
    Report.objects.filter(pk=report.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    before_task = _check(api, platform_analyst, PHONE)["level"]
    closed = reports_expire_task()
    closed_again = reports_expire_task()

    report.refresh_from_db()
    assert before_task == "none"
    assert (closed, closed_again) == (1, 0)
    assert report.status == ReportStatus.EXPIRED
    assert IdentifierToken.objects.get().subject is None


def test_a_check_is_audited_as_shareable_with_types_and_no_values(
    api, brand_reporter, reviewer, platform_analyst
):
    report_make_accepted(brand_reporter, reviewer, [PHONE])

    result = _check(api, platform_analyst, PHONE, EMAIL)

    event = AuditEvent.objects.get(action="sharing:check:run")
    assert event.data_class == DataClass.SHAREABLE and event.object_id == result["check_id"]
    assert event.actor_member == platform_analyst and event.organisation == platform_analyst.organisation
    assert event.details["identifier_types"] == ["email", "phone"] and event.details["level"] == "reported"
    assert event.actor_api_key is not None and event.request_id

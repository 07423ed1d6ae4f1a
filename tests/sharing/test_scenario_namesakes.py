"""Namesakes and a shared warehouse: weak identifiers never link strangers nor list anyone.

Two rights owners each report a different seller; the sellers share only the name 张伟 (or only
a shipping address). They stay two subjects, each counted by the one organisation that reported
it; a third, unrelated seller checked with the shared name (or address) alone is not listed.
"""

from __future__ import annotations

import pytest

from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.models import IdentifierToken, Subject
from tests.factories import persona, report_make_accepted

pytestmark = pytest.mark.django_db

NAME = {"type": "name", "value": "张伟"}
WAREHOUSE = {"type": "shipping_address", "value": "上海市浦东新区金桥路 1888 号 3 号仓库"}
SELLER_A = [
    {"type": "phone", "value": "+86 138 0013 8001"},
    {"type": "email", "value": "zhangwei.a@example.com"},
]
SELLER_B = [
    {"type": "phone", "value": "+86 139 0013 9002"},
    {"type": "email", "value": "zhangwei.b@example.com"},
]


def _check(api, member, *identifiers) -> dict:
    response = api(member).post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": list(identifiers)}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("shared", [NAME, WAREHOUSE], ids=["namesake", "shared_warehouse"])
def test_two_sellers_sharing_only_a_weak_identifier_stay_two_subjects_and_list_no_stranger(
    api, reviewer, shared
):
    brand_one = persona(K.RIGHTS_OWNER, R.REPORTER)
    brand_two = persona(K.RIGHTS_OWNER, R.REPORTER)
    platform = persona(K.PLATFORM, R.ANALYST)
    report_make_accepted(brand_one, reviewer, [*SELLER_A, shared])
    report_make_accepted(brand_two, reviewer, [*SELLER_B, shared])

    assert Subject.objects.count() == 2
    assert not IdentifierToken.objects.filter(identifier_type=shared["type"], subject__isnull=False).exists()

    stranger = _check(api, platform, shared, {"type": "phone", "value": "+86 137 0000 0003"})
    assert stranger["level"] == "none" and stranger["risk"] == 0 and stranger["reports_matched"] == 0

    for seller in (SELLER_A, SELLER_B):
        answer = _check(api, platform, seller[0])
        assert answer["level"] == "reported" and answer["subjects_matched"] == 1
        assert answer["reports_matched"] == 1 and answer["reporting_organisations"] == 1


def test_a_check_with_the_shared_name_alone_finds_nothing(api, reviewer):
    platform = persona(K.PLATFORM, R.ANALYST)
    report_make_accepted(persona(K.RIGHTS_OWNER, R.REPORTER), reviewer, [*SELLER_A, NAME])
    report_make_accepted(persona(K.RIGHTS_OWNER, R.REPORTER), reviewer, [*SELLER_B, NAME])

    answer = _check(api, platform, NAME)

    assert answer["level"] == "none" and answer["matched_types"] == [] and answer["subjects_matched"] == 0


def test_two_reports_of_one_organisation_count_one_reporter_wherever_they_sit(api, reviewer):
    brand = persona(K.RIGHTS_OWNER, R.REPORTER)
    platform = persona(K.PLATFORM, R.ANALYST)
    report_make_accepted(brand, reviewer, SELLER_A)
    report_make_accepted(
        brand, reviewer, [SELLER_A[0], {"type": "bank_account", "value": "DE89 3704 0044 0532 0130 00"}]
    )
    report_make_accepted(brand, reviewer, SELLER_B)

    one_subject = _check(api, platform, SELLER_A[1])
    two_subjects = _check(api, platform, SELLER_A[1], SELLER_B[1])

    assert one_subject["reports_matched"] == 2 and one_subject["reporting_organisations"] == 1
    assert one_subject["level"] == "reported"
    assert two_subjects["subjects_matched"] == 2 and two_subjects["reports_matched"] == 3
    assert two_subjects["reporting_organisations"] == 1 and two_subjects["level"] == "reported"


def test_a_report_naming_only_weak_identifiers_is_refused_per_field(api):
    brand = persona(K.RIGHTS_OWNER, R.REPORTER)

    response = api(brand).post(
        "/api/v1/reports",
        {
            "identifiers": [NAME, WAREHOUSE, {"type": "device_id", "value": "35-209900-176148-1"}],
            "ip_type": "trademark",
            "category": "counterfeit",
            "verification_level": "rights_owner_verified",
            "statement": "Counterfeit handbags.",
            "authenticity_guaranteed": True,
        },
        format="json",
    )

    assert response.status_code == 400, response.content
    assert "strong or medium identifier" in str(response.json())
    assert "张伟" not in response.content.decode()

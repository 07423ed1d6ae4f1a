"""Issue 19's scenario: one gang ships through two couriers under fake sender identities.

Three fake senders each show a national ID that fails its check digit; two of them reuse one fake ID,
all three reuse one phone and one pick-up address. Two couriers report what they saw on the parcels,
as observed identifiers. The hub links the three into one subject through the phone and the reused
fake ID (the pick-up address, a locker bank shared by strangers, links nobody), and never to the real
person whose valid ID differs from the fake by one digit. A platform's check of a store whose owner
uses the gang's phone is flagged. The gang also sells in a Douyin live room at night: a brand's report
of the room, flagged urgent, goes to the top of the review queue, its missed target raises an operator
alert, and once a reviewer accepts it from the queue the room is matched to the gang.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from stdnum.cn import ric

from accounts.audit.models import Alert
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from hubcore.identifiers import normalise
from sharing.models import IdentifierToken, Report, Subject
from sharing.reports.tasks import urgent_review_overdue_task
from tests.factories import persona, report_body, report_make, report_make_accepted, web_login

pytestmark = pytest.mark.django_db

# The real person: a valid resident identity card number (python-stdnum's published example).
REAL_ID = "11010519491231002X"
# The gang's fakes: the real number with its check character changed (so one digit off), and another.
REUSED_FAKE_ID = "110105194912310021"
OTHER_FAKE_ID = "440308199001011233"
GANG_PHONE = {"type": "phone", "value": "+86 139 2000 7788"}
LOCKERS = {
    "type": "pickup_address",
    "value": {
        "street_address": "深圳市宝安区西乡街道丰和路 8 号快递柜",
        "postcode": "518102",
        "country": "CN",
    },
}


def _observed_id(value: str) -> dict:
    return {"type": "observed_national_id", "value": value}


def _fake_senders() -> list[list[dict]]:
    return [
        [
            _observed_id(REUSED_FAKE_ID),
            GANG_PHONE,
            LOCKERS,
            {"type": "courier_sender_account", "value": "sf:lin88"},
        ],
        [_observed_id(REUSED_FAKE_ID), LOCKERS, {"type": "courier_sender_account", "value": "sf:wang07"}],
        [
            _observed_id(OTHER_FAKE_ID),
            GANG_PHONE,
            LOCKERS,
            {"type": "courier_sender_account", "value": "zto:chen2"},
        ],
    ]


def _check(api, member, purpose: str, *identifiers) -> dict:
    response = api(member).post(
        "/api/v1/checks", {"purpose": purpose, "identifiers": list(identifiers)}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def gang(reviewer) -> Subject:
    """Courier one reports the first two fake senders, courier two the third; all reports accepted."""
    courier_one = persona(K.LOGISTICS, R.REPORTER)
    courier_two = persona(K.LOGISTICS, R.REPORTER)
    first, second, third = _fake_senders()
    report_make_accepted(courier_one, reviewer, first)
    report_make_accepted(courier_one, reviewer, second)
    report_make_accepted(courier_two, reviewer, third)
    (subject,) = Subject.objects.filter(tokens__isnull=False).distinct()
    return subject


def test_the_fakes_fail_validation_and_the_reused_one_is_one_digit_from_the_real_id():
    assert ric.is_valid(REAL_ID)
    assert not ric.is_valid(REUSED_FAKE_ID) and not ric.is_valid(OTHER_FAKE_ID)
    assert sum(a != b for a, b in zip(REAL_ID, REUSED_FAKE_ID, strict=True)) == 1


def test_three_fake_senders_across_two_couriers_are_one_subject(gang):
    reports = Report.objects.filter(identifiers__token__subject=gang).distinct()
    assert reports.count() == 3
    assert reports.values("reporter_organisation").distinct().count() == 2
    linked_types = set(gang.tokens.values_list("identifier_type", flat=True))
    assert {"phone", "observed_national_id", "courier_sender_account"} <= linked_types
    # The lockers corroborate only: weak identifiers are never part of a subject.
    assert not IdentifierToken.objects.filter(
        identifier_type="pickup_address", subject__isnull=False
    ).exists()
    assert IdentifierToken.objects.filter(identifier_type="observed_national_id").count() == 2


def test_the_pick_up_address_alone_links_nobody(reviewer):
    """Without the phone and the reused fake ID, two senders sharing only the lockers stay apart."""
    courier = persona(K.LOGISTICS, R.REPORTER)
    report_make_accepted(courier, reviewer, [_observed_id(REUSED_FAKE_ID), LOCKERS])
    report_make_accepted(courier, reviewer, [_observed_id(OTHER_FAKE_ID), LOCKERS])
    assert Subject.objects.filter(tokens__isnull=False).distinct().count() == 2


def test_the_real_person_is_never_linked_nor_flagged(api, gang, reviewer):
    platform = persona(K.PLATFORM, R.ANALYST)

    real_person = _check(
        api, platform, "seller_onboarding", {"type": "national_id", "value": REAL_ID, "country": "CN"}
    )
    assert real_person["level"] == "none" and real_person["subjects_matched"] == 0
    assert real_person["matched_types"] == []

    # The real ID recorded as seen on a parcel is an observed value too: it matches only its own sightings,
    # never the verified ID, so a stolen identity does not list its owner.
    verified = normalise("national_id", REAL_ID, default_country="CN")
    observed = normalise("observed_national_id", REAL_ID, default_country="CN")
    assert (verified.type, verified.value) != (observed.type, observed.value)

    # When the real person is in the hub on their own account, they stay a subject apart from the gang.
    brand = persona(K.RIGHTS_OWNER, R.REPORTER)
    report_make_accepted(
        brand,
        reviewer,
        [
            {"type": "national_id", "value": REAL_ID, "country": "CN"},
            {"type": "phone", "value": "+86 138 0013 8111"},
        ],
    )
    real_subject = IdentifierToken.objects.get(identifier_type="national_id").subject
    assert real_subject is not None and real_subject != gang
    gang.refresh_from_db()
    assert not gang.tokens.filter(identifier_type="national_id").exists()


def test_a_store_whose_owner_uses_the_gang_phone_is_flagged(api, gang):
    platform = persona(K.PLATFORM, R.ANALYST)

    answer = _check(
        api,
        platform,
        "seller_onboarding",
        {"type": "store_url", "value": "https://shop1234567.taobao.com/"},
        GANG_PHONE,
    )

    assert answer["level"] != "none" and answer["subjects_matched"] == 1
    assert "phone" in answer["matched_types"] and "store_url" not in answer["matched_types"]
    assert answer["reporting_organisations"] == 2 and answer["reports_matched"] == 3
    assert answer["recommended_action"] in ("review", "block")
    assert "139" not in str(answer) and REUSED_FAKE_ID not in str(answer)


def test_a_courier_checking_at_pick_up_finds_the_gang_by_a_reused_fake_id(api, gang):
    """A third sender with a new phone but the reused fake ID is caught at the counter."""
    courier = persona(K.LOGISTICS, R.ANALYST)

    answer = _check(
        api,
        courier,
        "parcel_screening",
        _observed_id(REUSED_FAKE_ID.lower()),
        {"type": "observed_phone", "value": "+86 139 2000 77"},  # a phone of the wrong length, as written
    )

    assert answer["level"] != "none" and answer["matched_types"] == ["observed_national_id"]


@pytest.mark.parametrize(
    ("language", "words"), [("en", "observed_national_id"), ("zh-hans", "observed_national_id")]
)
def test_a_fake_id_sent_as_a_national_id_is_refused_with_how_to_record_it(api, language, words):
    courier = persona(K.LOGISTICS, R.REPORTER)

    response = api(courier).post(
        "/api/v1/reports",
        {
            "identifiers": [{"type": "national_id", "value": REUSED_FAKE_ID, "country": "CN"}, GANG_PHONE],
            "ip_type": "trademark",
            "category": "counterfeit",
            "verification_level": "self_declared",
            "statement": "Parcels of counterfeit shoes seized at the counter.",
            "authenticity_guaranteed": True,
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 400
    messages = response.json()["error"]["fields"]["identifiers"]["0"]["value"]
    assert len(messages) == 2 and words in messages[1]
    assert REUSED_FAKE_ID not in response.content.decode()
    if language == "zh-hans":
        assert "包裹" in messages[1]


def test_an_urgent_live_room_report_is_reviewed_first_and_its_missed_target_raises_an_alert(
    api, gang, reviewer
):
    brand = persona(K.RIGHTS_OWNER, R.REPORTER)
    platform = persona(K.PLATFORM, R.ANALYST)
    older = report_make(
        persona(K.RIGHTS_OWNER, R.REPORTER), [{"type": "email", "value": "plain@example.com"}]
    )
    live_room = {"type": "live_room", "value": "https://live.douyin.com/880012345678"}
    filed = api(brand).post(
        "/api/v1/reports",
        {
            **report_body([live_room, GANG_PHONE]),
            "urgent": True,
            "urgency_reason": "live_scheduled",
            "live_starts_at": (timezone.now() + timedelta(hours=3)).isoformat(),
        },
        format="json",
    )
    assert filed.status_code == 201, filed.content
    report_id = filed.json()["id"]
    assert filed.json()["urgent"] is True and filed.json()["review_target_at"]

    reviewer_page = Client()
    web_login(reviewer_page, reviewer)
    queue = reviewer_page.get("/review/reports/").content.decode()
    assert queue.index(report_id) < queue.index(str(older.public_id))
    assert urgent_review_overdue_task() == 0  # the target is still ahead

    # Night falls and nobody has reviewed it: the target passes.
    Report.objects.filter(public_id=report_id).update(review_target_at=timezone.now() - timedelta(minutes=1))
    assert urgent_review_overdue_task() == 1
    alert = Alert.objects.get(kind="urgent_review_overdue")
    assert alert.severity == "high" and alert.details["report"] == report_id
    assert "880012345678" not in str(alert.details) and "139" not in str(alert.details)

    accepted = reviewer_page.post(f"/review/reports/{report_id}/accept", {"reason": "Room and phone match."})
    assert accepted.status_code == 302
    assert report_id not in reviewer_page.get("/review/reports/").content.decode()

    answer = _check(api, platform, "listing_review", {"type": "live_room", "value": "douyin:880012345678"})
    assert answer["level"] != "none" and answer["matched_types"] == ["live_room"]
    room_subject = IdentifierToken.objects.get(identifier_type="live_room").subject
    # The room joined the gang through the phone: its subject holds both of the gang's fake IDs.
    assert room_subject.tokens.filter(identifier_type="observed_national_id").count() == 2

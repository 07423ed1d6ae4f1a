"""Feedback from recipients (sharing/feedback/): only on what the member's own screening matched,
one current feedback per organisation and subject with history kept, per-field 400s, the STIX
sighting, and its effects on risk, on the feed and on the reporter's standing."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from django.test import Client
from stix2validator import ValidationOptions, validate_instance

from accounts.audit.models import AuditEvent, Outcome
from accounts.audit.tags import AuditTag
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.feed.services.content import FEEDBACK_EXTENSION_ID
from sharing.models import FeedObjectVersion, HitFeedback, Report, SubjectMatch
from sharing.reports.services.reputation import reporter_record
from tests.factories import (
    client_for,
    member_make,
    persona,
    report_make_accepted,
    seller_identifiers,
    web_login,
)

SELLER = seller_identifiers(7)


@pytest.fixture
def listed(db, brand_reporter, other_brand_reporter, reviewer):
    """A seller listed by two independent rights owners."""
    report_make_accepted(brand_reporter, reviewer, SELLER)
    report_make_accepted(other_brand_reporter, reviewer, SELLER)
    return SELLER


def _check(member, identifiers=SELLER) -> dict:
    response = client_for(member).post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": identifiers}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _feedback(member, check_id, **fields):
    body = {"check_id": check_id, "outcome": "acted", "action": "delisted", **fields}
    return client_for(member).post("/api/v1/feedback", body, format="json")


def _screener():
    return persona(K.PLATFORM, R.ANALYST)


@pytest.fixture(autouse=True)
def _counts_shown_from_one(settings):
    """These tests read the true counts behind the answers; their small-count suppression (1 only
    hides a zero here) is tested at the real threshold in test_feedback_suppression.py."""
    settings.HUB_OUTCOME_SUPPRESSION_THRESHOLD = 1


@pytest.mark.django_db
def test_bad_input_gets_per_field_400s(platform_analyst, listed):
    client = client_for(platform_analyst)
    check_id = _check(platform_analyst)["check_id"]

    response = client.post(
        "/api/v1/feedback",
        {"check_id": check_id, "outcome": "maybe", "reasons": ["nope"], "note": "x" * 2001},
        format="json",
    )
    acted_without_action = client.post(
        "/api/v1/feedback", {"check_id": check_id, "outcome": "acted"}, format="json"
    )
    false_positive_with_action = client.post(
        "/api/v1/feedback",
        {"check_id": check_id, "outcome": "false_positive", "action": "blocked"},
        format="json",
    )
    no_subject = client.post("/api/v1/feedback", {"outcome": "false_positive"}, format="json")

    assert response.status_code == 400
    assert {"outcome", "reasons", "note"} <= set(response.json()["error"]["fields"])
    assert (
        acted_without_action.status_code == 400 and "action" in acted_without_action.json()["error"]["fields"]
    )
    assert (
        false_positive_with_action.status_code == 400
        and "action" in false_positive_with_action.json()["error"]["fields"]
    )
    assert no_subject.status_code == 400 and "check_id" in no_subject.json()["error"]["fields"]
    assert not HitFeedback.objects.exists()


@pytest.mark.django_db
def test_feedback_only_on_a_subject_the_members_own_check_matched(platform_analyst, courier_analyst, listed):
    check_id = _check(platform_analyst)["check_id"]
    denied_before = AuditEvent.objects.filter(outcome=Outcome.DENIED).count()

    others = _feedback(courier_analyst, check_id)
    nothing = _feedback(courier_analyst, str(uuid.uuid4()))
    indicator = FeedObjectVersion.objects.filter(subject_pk__isnull=False).latest("sequence").stix_id
    by_indicator = client_for(courier_analyst).post(
        "/api/v1/feedback", {"indicator": indicator, "outcome": "false_positive"}, format="json"
    )

    assert others.status_code == nothing.status_code == by_indicator.status_code == 404
    assert others.json()["error"]["message"] == nothing.json()["error"]["message"]
    denied = AuditEvent.objects.filter(outcome=Outcome.DENIED, action=AuditTag.FEEDBACK_RECORDED)
    assert denied.count() == 3 == AuditEvent.objects.filter(outcome=Outcome.DENIED).count() - denied_before
    assert not HitFeedback.objects.exists()
    assert _feedback(platform_analyst, check_id).status_code == 201


@pytest.mark.django_db
def test_a_new_feedback_replaces_the_current_one_and_keeps_the_history(platform_analyst, listed):
    check_id = _check(platform_analyst)["check_id"]

    first = _feedback(platform_analyst, check_id, reasons=["test_purchase"], note="order 1234")
    second = _feedback(platform_analyst, check_id, outcome="false_positive", action="")
    current = client_for(platform_analyst).get("/api/v1/feedback")

    assert first.status_code == second.status_code == 201
    rows = HitFeedback.objects.order_by("pk")
    assert [(r.outcome, r.replaced_at is None) for r in rows] == [("acted", False), ("false_positive", True)]
    assert [row["outcome"] for row in current.json()["results"]] == ["false_positive"]
    assert current.json()["results"][0]["indicator"].startswith("indicator--")
    recorded = AuditEvent.objects.filter(action=AuditTag.FEEDBACK_RECORDED, outcome=Outcome.ALLOWED)
    assert [e.details["replaced"] for e in recorded] == [None, first.json()["feedback"][0]["id"]]
    assert all("order 1234" not in json.dumps(e.details) for e in AuditEvent.objects.all())
    assert AuditEvent.objects.filter(action=AuditTag.FEEDBACK_READ).count() == 1


@pytest.mark.django_db
def test_risk_moves_up_with_members_that_acted_and_down_with_false_positives(platform_analyst, listed):
    baseline = _check(platform_analyst)

    for _ in range(2):
        member = _screener()
        _feedback(member, _check(member)["check_id"])
    acted = _check(platform_analyst)
    for _ in range(4):
        member = _screener()
        _feedback(member, _check(member)["check_id"], outcome="false_positive", action="")
    disputed_by_many = _check(platform_analyst)

    assert (acted["members_acted"]["value"], acted["members_false_positive"]["value"]) == (2, None)
    assert acted["risk"] > baseline["risk"]
    assert disputed_by_many["members_false_positive"]["value"] == 4
    assert disputed_by_many["risk"] < acted["risk"]
    assert disputed_by_many["level"] == baseline["level"]  # feedback moves risk, never the level


@pytest.mark.django_db
def test_one_false_positive_alone_does_not_lower_the_risk(platform_analyst, listed):
    baseline = _check(platform_analyst)
    member = _screener()
    _feedback(member, _check(member)["check_id"], outcome="false_positive", action="")

    after = _check(platform_analyst)

    assert after["members_false_positive"]["value"] == 1 and after["risk"] == baseline["risk"]


@pytest.mark.django_db
def test_a_reporters_own_feedback_is_not_independent(reviewer, listed):
    platform_reporter = persona(K.PLATFORM, R.REPORTER)
    report_make_accepted(platform_reporter, reviewer, SELLER)
    colleague = member_make(platform_reporter.organisation, R.ADMIN)

    response = _feedback(colleague, _check(colleague)["check_id"])

    assert response.status_code == 201
    assert _check(colleague)["members_acted"]["value"] is None  # none independent


@pytest.mark.django_db
def test_the_feed_object_changes_when_the_counts_change(platform_analyst, listed):
    check_id = _check(platform_analyst)["check_id"]
    versions = FeedObjectVersion.objects.filter(subject_pk__isnull=False).count()

    _feedback(platform_analyst, check_id)

    latest = FeedObjectVersion.objects.filter(subject_pk__isnull=False).latest("sequence")
    assert FeedObjectVersion.objects.filter(subject_pk__isnull=False).count() == versions + 1
    assert (
        latest.content["extensions"]["extension-definition--5b0b4a3c-3b0e-4d8a-9a52-6c2f3a8e1f10"][
            "members_acted"
        ]["value"]
        == 1
    )


@pytest.mark.django_db
def test_standing_counts_a_report_as_misfired_after_n_independent_false_positives(
    settings, brand_reporter, listed
):
    settings.HUB_MISFIRE_MIN_MEMBERS = 3
    organisation = brand_reporter.organisation.pk
    members = [_screener() for _ in range(3)]
    checks = [_check(member)["check_id"] for member in members]

    _feedback(members[0], checks[0], outcome="false_positive", action="")
    _feedback(members[1], checks[1], outcome="false_positive", action="")
    before = reporter_record(organisation_id=organisation)
    _feedback(members[2], checks[2], outcome="false_positive", action="")
    after = reporter_record(organisation_id=organisation)

    assert before.misfired == 0
    assert after.misfired == Report.objects.filter(reporter_organisation_id=organisation).count() == 1
    assert after.overturned == 0


@pytest.mark.django_db
def test_misfired_reports_count_in_the_misuse_rule(settings):
    from sharing.reports.services.reputation import ReporterRecord

    settings.HUB_MISUSE_MIN_OVERTURNED = 3
    record = ReporterRecord(accepted=10, upheld=10, overturned=1, retracted=0, expired=0, misfired=2)

    assert record.misuse
    assert not ReporterRecord(accepted=10, upheld=10, overturned=1, retracted=0, expired=0).misuse


@pytest.mark.django_db
def test_feedback_as_a_stix_sighting_validates(platform_analyst, listed):
    _check(platform_analyst)
    indicator = FeedObjectVersion.objects.filter(subject_pk__isnull=False).latest("sequence").stix_id
    sighting = {
        "type": "sighting",
        "spec_version": "2.1",
        "id": f"sighting--{uuid.uuid4()}",
        "created": "2026-12-01T00:00:00.000Z",
        "modified": "2026-12-01T00:00:00.000Z",
        "sighting_of_ref": indicator,
        "extensions": {
            FEEDBACK_EXTENSION_ID: {
                "extension_type": "property-extension",
                "x_iih_outcome": "acted",
                "x_iih_action": "parcel_refused",
                "x_iih_reasons": ["counterfeit_confirmed"],
            }
        },
    }
    assert validate_instance(sighting, ValidationOptions(version="2.1")).is_valid

    response = client_for(platform_analyst).post("/api/v1/feedback/sightings", sighting, format="json")
    bad = client_for(platform_analyst).post(
        "/api/v1/feedback/sightings",
        {**sighting, "extensions": {FEEDBACK_EXTENSION_ID: {"extension_type": "property-extension"}}},
        format="json",
    )

    assert response.status_code == 201, response.content
    stored = response.json()
    assert stored["sighting_of_ref"] == indicator
    assert stored["extensions"][FEEDBACK_EXTENSION_ID]["x_iih_action"] == "parcel_refused"
    result = validate_instance(stored, ValidationOptions(version="2.1"))
    assert result.is_valid, [str(e) for e in result.errors]
    assert HitFeedback.objects.get().action == "parcel_refused"
    assert bad.status_code == 400 and "extensions" in bad.json()["error"]["fields"]
    assert SubjectMatch.objects.filter(organisation=platform_analyst.organisation).exists()


# The web form on the check's answer (no JavaScript)


def _web(member, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    web_login(client, member)
    return client


def _checked_on_the_web(client) -> str:
    page = client.post(
        "/check/",
        {
            "identifier-0-type": "phone",
            "identifier-0-value": SELLER[0]["value"],
            "purpose": "seller_onboarding",
        },
    )
    html = page.content.decode()
    assert page.status_code == 200 and 'id="feedback-form"' in html
    return re.search(r'name="check_id" value="([0-9a-f-]{36})"', html).group(1)


@pytest.mark.django_db
def test_the_check_answer_takes_feedback_without_javascript(platform_analyst, listed):
    client = _web(platform_analyst)
    check_id = _checked_on_the_web(client)

    posted = client.post(
        "/feedback/",
        {
            "check_id": check_id,
            "outcome": "acted",
            "action": "blocked",
            "reasons": ["test_purchase"],
            "note": "n1",
        },
        follow=True,
    )
    missing_action = client.post("/feedback/", {"check_id": check_id, "outcome": "acted"})

    assert posted.status_code == 200 and "Your feedback was recorded" in posted.content.decode()
    assert "Confirmed by a test purchase" in posted.content.decode()
    assert HitFeedback.objects.get(replaced_at__isnull=True).action == "blocked"
    assert missing_action.status_code == 400 and 'data-field="action"' in missing_action.content.decode()


@pytest.mark.django_db
def test_feedback_on_another_organisations_check_is_a_404_on_the_page(
    platform_analyst, courier_analyst, listed
):
    check_id = _checked_on_the_web(_web(platform_analyst))

    response = _web(courier_analyst).post("/feedback/", {"check_id": check_id, "outcome": "false_positive"})

    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        actor_member=courier_analyst, action=AuditTag.FEEDBACK_RECORDED, outcome=Outcome.DENIED
    ).exists()


@pytest.mark.django_db
def test_the_feedback_form_and_page_speak_chinese(platform_analyst, listed):
    client = _web(platform_analyst, "zh-hans")
    check_id = _checked_on_the_web(client)
    html = client.post(
        "/check/",
        {
            "identifier-0-type": "phone",
            "identifier-0-value": SELLER[0]["value"],
            "purpose": "seller_onboarding",
        },
    ).content.decode()

    client.post("/feedback/", {"check_id": check_id, "outcome": "false_positive", "reasons": ["outdated"]})
    listing = client.get("/feedback/").content.decode()

    assert "我们已采取措施 / 误报" in html and "提交反馈" in html and "已采取措施的成员" in html
    assert "We acted on this seller" not in html
    assert "贵方当前的反馈" in listing and "误报" in listing and "信息已过时" in listing


@pytest.mark.django_db
def test_a_watcher_told_its_seller_is_listed_may_give_feedback_on_it(
    platform_analyst, brand_reporter, other_brand_reporter, reviewer
):
    from accounts.actors import Actor
    from sharing.subjects.inputs import raw_identifiers
    from sharing.watchlists.services.watchlists import watchlist_add

    watchlist_add(
        purpose="seller_onboarding",
        identifiers=raw_identifiers(SELLER),
        ref="merchant-7",
        actor=Actor(member=platform_analyst),
    )
    report_make_accepted(brand_reporter, reviewer, SELLER)
    report_make_accepted(other_brand_reporter, reviewer, SELLER)
    indicator = FeedObjectVersion.objects.filter(subject_pk__isnull=False).latest("sequence").stix_id

    response = client_for(platform_analyst).post(
        "/api/v1/feedback", {"indicator": indicator, "outcome": "false_positive"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert SubjectMatch.objects.filter(organisation=platform_analyst.organisation, source="watch").exists()


def test_a_suspension_counting_misfired_reports_says_so_in_the_readers_language():
    from django.utils import translation

    from sharing.models import ReporterStanding
    from sharing.reports.services.reputation import suspension_reason_text

    standing = ReporterStanding(suspension_figures={"overturned": 1, "accepted": 5, "misfired": 2})

    with translation.override("en"):
        english = suspension_reason_text(standing)
    with translation.override("zh-hans"):
        chinese = suspension_reason_text(standing)

    assert english.startswith("3 of your 5 accepted reports") and "false positive" in english
    assert "有 3 份" in chinese and "误报" in chinese


@pytest.mark.django_db
def test_a_bulk_screening_hit_may_be_given_feedback_and_its_rows_carry_the_counts(platform_analyst, listed):
    import io

    from accounts.actors import Actor
    from sharing.bulk.services.bulk import bulk_chunk_process, bulk_submit
    from sharing.models import BulkChunk, BulkResult

    def screened():
        upload = io.BytesIO((json.dumps({"ref": "shop-7", "identifiers": SELLER}) + "\n").encode())
        job = bulk_submit(purpose="seller_onboarding", upload=upload, actor=Actor(member=platform_analyst))
        for chunk in BulkChunk.objects.filter(job=job):
            bulk_chunk_process(chunk_id=chunk.pk)
        return job

    job = screened()
    indicator = FeedObjectVersion.objects.filter(subject_pk__isnull=False).latest("sequence").stix_id
    response = client_for(platform_analyst).post(
        "/api/v1/feedback", {"indicator": indicator, "outcome": "acted", "action": "delisted"}, format="json"
    )
    other = _screener()
    _feedback(other, _check(other)["check_id"])
    again = screened()

    assert response.status_code == 201, response.content
    assert SubjectMatch.objects.filter(source="bulk", reference=str(job.public_id)).exists()
    assert BulkResult.objects.get(job=again).result["members_acted"]["value"] == 2  # its own and the other's


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_first_feedback_is_a_409_not_a_500(platform_analyst, listed, monkeypatch):
    from sharing import locks

    check_id = _check(platform_analyst)["check_id"]
    _feedback(platform_analyst, check_id)
    # As if a concurrent request had committed its first feedback after this one looked for the current one.
    monkeypatch.setattr(locks, "lock_current_feedback", lambda rows: [])

    response = _feedback(platform_analyst, check_id, outcome="false_positive", action="")

    assert response.status_code == 409
    assert HitFeedback.objects.filter(replaced_at__isnull=True).get().outcome == "acted"


@pytest.mark.django_db
def test_feedback_and_matches_follow_a_seller_merged_into_another(
    platform_analyst, courier_analyst, brand_reporter, other_brand_reporter, reviewer
):
    """Two listed sellers turn out to be one (a report names an identifier of each): what members
    matched and said about the one merged away now belongs to the survivor, and still counts."""
    first, second = seller_identifiers(71), seller_identifiers(72)
    for seller in (first, second):
        report_make_accepted(brand_reporter, reviewer, seller)
        report_make_accepted(other_brand_reporter, reviewer, seller)
    on_first = _check(platform_analyst, first)["check_id"]
    on_second = _check(courier_analyst, second)["check_id"]
    assert _feedback(platform_analyst, on_first).status_code == 201
    assert _feedback(courier_analyst, on_second, outcome="false_positive", action="").status_code == 201
    assert _feedback(platform_analyst, _check(platform_analyst, second)["check_id"]).status_code == 201

    third = persona(K.RIGHTS_OWNER, R.REPORTER)
    report_make_accepted(third, reviewer, [first[0], second[1]])  # the first's phone, the second's email

    [survivor] = {row.subject_id for row in HitFeedback.objects.all()}
    assert survivor is not None and SubjectMatch.objects.filter(subject_id=survivor).count() == 3
    current = HitFeedback.objects.filter(replaced_at__isnull=True)
    # One current feedback per organisation: the platform's newer one stays, its older is replaced.
    assert sorted(current.values_list("organisation_id", flat=True)) == sorted(
        [platform_analyst.organisation_id, courier_analyst.organisation_id]
    )
    answer = _check(platform_analyst, first)
    assert (answer["members_acted"]["value"], answer["members_false_positive"]["value"]) == (1, 1)
    # The courier may still speak about the seller it matched before the merge, by its old check.
    assert _feedback(courier_analyst, on_second).status_code == 201

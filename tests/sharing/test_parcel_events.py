"""Parcel events (sharing/parcels/): a courier records a parcel seized, refused, returned or held at
customs with its sender identifiers (tokens only), as evidence toward its own report or feedback on
its own hit; the events are counted per kind (suppressed by recording organisations) in the check
answer, the bulk results and the rights owner's outcomes, never listed to anyone but their recorder;
a courier's check carries the parcel action; the retention purge keeps their tokens, then purges them."""

from __future__ import annotations

import csv
import io
import itertools
import json
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.audit.models import AuditEvent, Outcome
from accounts.audit.tags import AuditTag
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.bulk.tasks import bulk_chunk_task
from sharing.models import BulkChunk, BulkJob, IdentifierToken, ParcelEvent
from sharing.retention.services.purge import retention_purge
from tests.factories import (
    client_for,
    persona,
    report_make,
    report_make_accepted,
    seller_identifiers,
    web_login,
)

pytestmark = pytest.mark.django_db

SELLER = seller_identifiers(41)
SENDER = {"type": "courier_sender_account", "value": "sf:gang01"}
WAYBILL = {"type": "waybill", "value": "sf:SF1234567890123"}
OBSERVED_ID = {"type": "observed_national_id", "value": "110105194912310021"}
MANIFEST = Path(__file__).resolve().parents[2] / "docs" / "samples" / "courier_manifest.csv"


_WAYBILLS = itertools.count(1234567890123)


def _body(**fields) -> dict:
    # A fresh waybill each time: an organisation records one event of a kind per waybill.
    waybill = {"type": "waybill", "value": f"sf:SF{next(_WAYBILLS)}"}
    return {
        "kind": "refused",
        "occurred_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "origin_region": "cn-gd",
        "category": "counterfeit",
        "identifiers": [SELLER[0], SENDER, waybill],
        **fields,
    }


def _record(member, **fields):
    return client_for(member).post("/api/v1/parcel-events", _body(**fields), format="json")


def _check(member, identifiers=SELLER, purpose="parcel_screening") -> dict:
    response = client_for(member).post(
        "/api/v1/checks", {"purpose": purpose, "identifiers": identifiers}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def listed(brand_reporter, other_brand_reporter, reviewer):
    report_make_accepted(brand_reporter, reviewer, SELLER)
    report_make_accepted(other_brand_reporter, reviewer, SELLER)
    return SELLER


def test_a_courier_records_an_event_kept_as_tokens_only_and_audited(courier_analyst):
    response = _record(courier_analyst)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "refused" and body["origin_region"] == "CN-GD"
    assert body["identifier_types"] == ["courier_sender_account", "phone", "waybill"]
    assert body["report_id"] is None and body["check_id"] == ""
    event = ParcelEvent.objects.get(public_id=body["id"])
    assert event.organisation == courier_analyst.organisation and event.member == courier_analyst
    assert sorted(event.tokens.values_list("identifier_type", flat=True)) == body["identifier_types"]
    row = AuditEvent.objects.get(action=AuditTag.PARCEL_EVENT_RECORDED)
    assert row.object_id == body["id"] and row.outcome == Outcome.ALLOWED
    stored = str(list(IdentifierToken.objects.values_list("token", flat=True))) + str(row.details)
    for raw in ("gang01", "SF1234567890123", "sf1234567890123", "13800138041", "0013 8041"):
        assert raw not in stored and raw not in response.content.decode()


def test_only_the_recording_organisation_lists_its_events(courier_analyst):
    other_courier = persona(K.LOGISTICS, R.ADMIN)
    assert _record(courier_analyst).status_code == 201

    own = client_for(courier_analyst).get("/api/v1/parcel-events").json()
    others = client_for(other_courier).get("/api/v1/parcel-events").json()

    assert [item["kind"] for item in own["results"]] == ["refused"]
    assert others["results"] == []
    assert AuditEvent.objects.filter(action=AuditTag.PARCEL_EVENTS_LISTED).count() == 2


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"kind": "lost"}, "kind"),
        ({"origin_region": "ZZ"}, "origin_region"),
        ({"origin_region": "CN-ZZ"}, "origin_region"),
        ({"origin_region": "Guangdong"}, "origin_region"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": (timezone.now() + timedelta(days=2)).isoformat()}, "occurred_at"),
        ({"category": "fake"}, "category"),
        ({"identifiers": [{"type": "phone", "value": "call me"}]}, "identifiers"),
        ({"identifiers": [WAYBILL]}, "identifiers"),  # a waybill alone never reaches a seller
        ({"identifiers": []}, "identifiers"),
        ({"report_id": "not-a-uuid"}, "report_id"),
        (
            {
                "report_id": "0b9c7b1e-3d8e-4c1f-9a47-2f6f2c8d5e10",
                "check_id": "0b9c7b1e-3d8e-4c1f-9a47-2f6f2c8d5e11",
            },
            "check_id",
        ),
    ],
)
def test_bad_input_gets_a_per_field_400(courier_analyst, fields, field):
    response = _record(courier_analyst, **fields)

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"], response.json()
    assert "call me" not in response.content.decode()
    assert not ParcelEvent.objects.exists()


def test_a_subdivision_the_holidays_package_knows_is_checked(courier_analyst):
    assert _record(courier_analyst, origin_region="DE-BY").status_code == 201
    assert _record(courier_analyst, origin_region="DE-XX").status_code == 400
    assert _record(courier_analyst, origin_region="US").status_code == 201


def test_only_couriers_record_parcel_events(platform_analyst, brand_reporter):
    for member in (platform_analyst, brand_reporter, persona(K.LOGISTICS, R.VIEWER)):
        assert _record(member).status_code == 403
    assert not ParcelEvent.objects.exists()


def test_evidence_toward_a_report_only_of_the_own_organisation(courier_analyst, brand_reporter):
    own = report_make(persona_in(courier_analyst, R.REPORTER), SELLER)
    foreign = report_make(brand_reporter, SELLER)

    accepted = _record(courier_analyst, report_id=str(own.public_id))
    refused = _record(courier_analyst, report_id=str(foreign.public_id))

    assert accepted.status_code == 201 and accepted.json()["report_id"] == str(own.public_id)
    assert refused.status_code == 404
    assert ParcelEvent.objects.get().report == own
    assert AuditEvent.objects.filter(action=AuditTag.PARCEL_EVENT_RECORDED, outcome=Outcome.DENIED).exists()


def persona_in(member, role):
    from tests.factories import member_make

    return member_make(member.organisation, role)


def test_feedback_on_a_hit_only_of_the_own_screening(listed, courier_analyst):
    other_courier = persona(K.LOGISTICS, R.ANALYST)
    check_id = _check(courier_analyst)["check_id"]

    assert _record(courier_analyst, check_id=check_id).status_code == 201
    assert _record(other_courier, check_id=check_id).status_code == 404
    assert ParcelEvent.objects.get().hit_reference == check_id


def test_the_check_answer_counts_events_per_kind_by_distinct_recording_organisations(
    settings, listed, platform_analyst
):
    settings.HUB_OUTCOME_SUPPRESSION_THRESHOLD = 2
    first, second = persona(K.LOGISTICS, R.ANALYST), persona(K.LOGISTICS, R.REPORTER)
    assert _record(first, kind="refused").status_code == 201
    assert _record(first, kind="seized").status_code == 201

    alone = _check(platform_analyst, purpose="seller_onboarding")["parcel_events"]
    assert _record(second, kind="refused", identifiers=[SELLER[1], SENDER]).status_code == 201
    together = _check(platform_analyst, purpose="seller_onboarding")["parcel_events"]

    hidden = {"value": None, "suppressed": True, "fewer_than": 2}
    assert alone == {"seized": hidden, "refused": hidden, "returned": hidden, "customs_hold": hidden}
    assert together["refused"] == {"value": 2, "suppressed": False, "fewer_than": 2}
    assert together["seized"] == hidden  # one organisation's event stays hidden


def test_events_follow_the_subject_their_tokens_join_later(
    settings, brand_reporter, reviewer, platform_analyst
):
    settings.HUB_OUTCOME_SUPPRESSION_THRESHOLD = 1
    new_seller = seller_identifiers(42)
    courier = persona(K.LOGISTICS, R.ANALYST)
    # Recorded before any report names the phone: its token has no subject yet, so nothing is counted.
    assert _record(courier, kind="customs_hold", identifiers=[new_seller[0], SENDER]).status_code == 201
    assert IdentifierToken.objects.filter(identifier_type="phone", subject__isnull=True).exists()

    report_make_accepted(brand_reporter, reviewer, new_seller)

    counts = _check(platform_analyst, new_seller, purpose="seller_onboarding")["parcel_events"]
    assert counts["customs_hold"]["value"] == 1
    assert counts["refused"]["value"] is None  # a zero is hidden like any count below the threshold


def test_a_courier_check_carries_the_parcel_action(listed, courier_analyst, platform_analyst):
    hit = _check(courier_analyst)
    miss = _check(courier_analyst, seller_identifiers(43))
    platform = _check(platform_analyst, purpose="seller_onboarding")

    assert hit["recommended_action"] in ("review", "block") and hit["parcel_action"] == "hold_for_inspection"
    assert miss["recommended_action"] == "allow" and miss["parcel_action"] == "accept"
    assert platform["parcel_action"] is None


def test_the_rights_owner_sees_the_counts_never_the_events(settings, listed, brand_reporter, client):
    settings.HUB_OUTCOME_SUPPRESSION_THRESHOLD = 2
    for _ in range(2):
        assert _record(persona(K.LOGISTICS, R.ANALYST), kind="seized").status_code == 201

    outcomes = client_for(brand_reporter).get("/api/v1/outcomes").json()["results"]
    web_login(client, brand_reporter)
    page = client.get("/outcomes/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert outcomes[0]["parcel_events"]["seized"] == {"value": 2, "suppressed": False, "fewer_than": 2}
    assert outcomes[0]["parcel_events"]["refused"]["suppressed"] is True
    assert 'data-parcel-kind="seized">已扣押: 2<' in page
    assert client_for(brand_reporter).get("/api/v1/parcel-events").status_code == 403


def test_the_purge_keeps_the_tokens_of_events_then_purges_old_events(settings, courier_analyst):
    settings.HUB_PARCEL_EVENT_RETENTION_DAYS = 30
    old = ParcelEvent.objects.get(public_id=_record(courier_analyst).json()["id"])
    recent = ParcelEvent.objects.get(
        public_id=_record(courier_analyst, identifiers=[OBSERVED_ID, WAYBILL]).json()["id"]
    )
    ParcelEvent.objects.filter(pk=old.pk).update(recorded_at=timezone.now() - timedelta(days=31))
    old_only = set(old.tokens.values_list("pk", flat=True)) - set(recent.tokens.values_list("pk", flat=True))

    counts = retention_purge()

    assert counts.parcel_events == 1
    assert list(ParcelEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not IdentifierToken.objects.filter(pk__in=old_only).exists()
    assert recent.tokens.count() == 2  # named by a kept event: not "a token no report names"
    assert counts.tokens == len(old_only)
    assert retention_purge().parcel_events == 0


# --- the daily manifest through the bulk path ----------------------------------------------------


def _manifest_job(member) -> BulkJob:
    response = client_for(member).post(
        "/api/v1/bulk-checks",
        {"purpose": "parcel_screening", "file": SimpleUploadedFile("manifest.csv", MANIFEST.read_bytes())},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    job = BulkJob.objects.get(public_id=response.json()["id"])
    for chunk_id in BulkChunk.objects.filter(job=job).order_by("number").values_list("pk", flat=True):
        bulk_chunk_task(chunk_id)
    return job


def test_a_courier_manifest_runs_through_the_bulk_path_with_parcel_actions(
    settings, brand_reporter, other_brand_reporter, reviewer, courier_analyst, client
):
    settings.HUB_OUTCOME_SUPPRESSION_THRESHOLD = 1
    # The manifest's first parcel is sent by a reported sender account; the others by no one reported.
    report_make_accepted(brand_reporter, reviewer, [{"type": "courier_sender_account", "value": "sf:gang01"}])
    assert _record(persona(K.LOGISTICS, R.ANALYST), kind="seized", identifiers=[SENDER]).status_code == 201

    job = _manifest_job(courier_analyst)
    response = client_for(courier_analyst).get(f"/api/v1/bulk-checks/{job.public_id}/results?format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    by_ref = {row["ref"]: row for row in rows}
    assert set(by_ref) == {"P-0001", "P-0002", "P-0003"}
    assert all(row["error"] == "" for row in rows), rows
    assert by_ref["P-0001"]["level"] == "reported"
    assert by_ref["P-0001"]["parcel_action"] == "hold_for_inspection"
    assert by_ref["P-0001"]["parcel_events.seized"] == "1"
    assert by_ref["P-0002"]["parcel_action"] == "accept" and by_ref["P-0003"]["parcel_action"] == "accept"
    web_login(client, courier_analyst)
    page = client.get(f"/bulk/{job.public_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-parcel-action="hold_for_inspection">扣留查验<' in page


def test_a_platform_job_has_no_parcel_action_column(settings, platform_analyst, listed):
    job = _manifest_job_for_platform(platform_analyst)
    response = client_for(platform_analyst).get(f"/api/v1/bulk-checks/{job.public_id}/results?format=csv")
    header = next(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert "parcel_action" not in header
    assert "parcel_events.refused" in header


def _manifest_job_for_platform(member) -> BulkJob:
    content = ("ref,phone\nS-1," + SELLER[0]["value"] + "\n").encode()
    response = client_for(member).post(
        "/api/v1/bulk-checks",
        {"purpose": "seller_onboarding", "file": SimpleUploadedFile("sellers.csv", content)},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    job = BulkJob.objects.get(public_id=response.json()["id"])
    for chunk_id in BulkChunk.objects.filter(job=job).values_list("pk", flat=True):
        bulk_chunk_task(chunk_id)
    return job


# --- the couriers' page --------------------------------------------------------------------------


def test_the_page_records_an_event_and_lists_the_organisation_s_own(courier_analyst, client):
    web_login(client, courier_analyst)
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    form = {
        "kind": "customs_hold",
        "occurred_at": (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "origin_region": "CN-ZJ",
        "category": "counterfeit",
        "courier_sender_account": "sf:gang01",
        "waybill": "sf:SF1234567890123",
    }

    recorded = client.post("/parcels/", form)
    bad = client.post("/parcels/", {**form, "origin_region": "XX-1", "waybill": "sf:SF1234567890999"})
    page = client.get("/parcels/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert 'href="/parcels/"' in home
    assert recorded.status_code == 302 and ParcelEvent.objects.get().kind == "customs_hold"
    assert bad.status_code == 400 and 'data-field="origin_region"' in bad.content.decode()
    assert "SF1234567890999" not in bad.content.decode()  # an identifier is never shown back
    assert '<tr data-kind="customs_hold"><td>海关扣留</td>' in page


def test_the_page_is_for_couriers_only(platform_analyst, client):
    web_login(client, platform_analyst)

    assert client.get("/parcels/").status_code == 403
    assert 'href="/parcels/"' not in client.get("/").content.decode()


def test_the_check_page_shows_a_courier_the_parcel_action_and_the_counts(
    settings, listed, courier_analyst, client
):
    settings.HUB_OUTCOME_SUPPRESSION_THRESHOLD = 1
    assert _record(persona(K.LOGISTICS, R.ANALYST), kind="returned").status_code == 201
    web_login(client, courier_analyst)
    form = {
        "purpose": "parcel_screening",
        "identifier-0-type": "phone",
        "identifier-0-value": SELLER[0]["value"],
    }

    page = client.post("/check/", form, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert 'data-parcel-action="hold_for_inspection"><strong>扣留查验</strong>' in page
    assert 'data-parcel-kind="returned">已退回: 1<' in page


def test_the_listed_persons_export_counts_the_parcel_events_naming_them(settings):
    from tests.sharing.test_subject_access import _listed, _proven_client

    settings.HUB_OUTCOME_SUPPRESSION_THRESHOLD = 2
    _, _, identifiers = _listed()
    for _ in range(2):  # two couriers name the person's phone (the subject's other identifier)
        courier = persona(K.LOGISTICS, R.ANALYST)
        assert _record(courier, kind="refused", identifiers=[identifiers[0], SENDER]).status_code == 201
    # The last courier repeats itself without a waybill: parcels are counted as a check counts them, once.
    assert _record(courier, kind="refused", identifiers=[identifiers[0]]).status_code == 201

    document = json.loads(_proven_client().get("/my-listing/export.json").content)

    assert document["parcel_events_by_members"]["refused"] == {
        "value": 2,
        "suppressed": False,
        "fewer_than": 2,
    }
    assert document["parcel_events_by_members"]["seized"]["suppressed"] is True


# --- review 2 -------------------------------------------------------------------------------------------


def _refused(member, identifiers) -> dict:
    return (
        client_for(member)
        .post("/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": identifiers}, format="json")
        .json()["parcel_events"]["refused"]
    )


def _events_by_couriers(seller_id: dict, couriers: int) -> None:
    for n in range(couriers):
        body = _body(identifiers=[seller_id, {"type": "waybill", "value": f"sf:SF99{n:011d}"}])
        assert (
            client_for(persona(K.LOGISTICS, R.ANALYST))
            .post("/api/v1/parcel-events", body, format="json")
            .status_code
            == 201
        )


@pytest.mark.parametrize("target_couriers", [1, 2])  # N-1 and N with the threshold at 2
def test_a_pooled_count_is_shown_only_when_every_subject_passes_on_its_own(
    settings, brand_reporter, reviewer, platform_analyst, target_couriers
):
    settings.HUB_OUTCOME_SUPPRESSION_THRESHOLD = 2
    popular, target = seller_identifiers(81), seller_identifiers(82)
    report_make_accepted(brand_reporter, reviewer, popular)
    report_make_accepted(brand_reporter, reviewer, target)
    _events_by_couriers(popular[0], 2)
    _events_by_couriers(target[0], target_couriers)
    assert _refused(platform_analyst, [popular[0]])["value"] == 2
    alone = _refused(platform_analyst, [target[0]])["value"]
    both = _refused(platform_analyst, [popular[0], target[0]])
    if target_couriers < 2:
        # Hidden alone, hidden together: the pooled total minus the popular seller's would be the hidden count.
        assert alone is None
        assert both == {"value": None, "suppressed": True, "fewer_than": 2}
    else:
        assert alone == 2
        assert both["value"] == 4


@pytest.mark.parametrize("target_members", [1, 2])
def test_pooled_feedback_counts_are_suppressed_per_subject_first(
    settings, brand_reporter, reviewer, platform_analyst, target_members
):
    settings.HUB_OUTCOME_SUPPRESSION_THRESHOLD = 2
    popular, target = seller_identifiers(83), seller_identifiers(84)
    report_make_accepted(brand_reporter, reviewer, popular)
    report_make_accepted(brand_reporter, reviewer, target)

    def acted(identifiers, members: int) -> None:
        for _ in range(members):
            member = persona(K.PLATFORM, R.ANALYST)
            check_id = (
                client_for(member)
                .post(
                    "/api/v1/checks",
                    {"purpose": "seller_onboarding", "identifiers": identifiers},
                    format="json",
                )
                .json()["check_id"]
            )
            body = {"check_id": check_id, "outcome": "acted", "action": "delisted"}
            assert client_for(member).post("/api/v1/feedback", body, format="json").status_code == 201

    def members_acted(identifiers) -> int | None:
        return (
            client_for(platform_analyst)
            .post(
                "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": identifiers}, format="json"
            )
            .json()["members_acted"]["value"]
        )

    acted([popular[0]], 2)
    acted([target[0]], target_members)
    assert members_acted([popular[0]]) == 2
    both = members_acted([popular[0], target[0]])
    if target_members < 2:
        assert members_acted([target[0]]) is None
        assert both is None
    else:
        assert members_acted([target[0]]) == 2
        assert both == 4


def test_a_repeated_event_for_one_waybill_is_refused_and_counts_once(settings, listed, platform_analyst):
    settings.HUB_OUTCOME_SUPPRESSION_THRESHOLD = 2
    honest, repeater = persona(K.LOGISTICS, R.ANALYST), persona(K.LOGISTICS, R.ANALYST)
    assert _record(honest, identifiers=[SELLER[0], WAYBILL]).status_code == 201
    assert _record(repeater, identifiers=[SELLER[0], WAYBILL]).status_code == 201  # another courier's own
    for _ in range(3):
        again = _record(repeater, identifiers=[SELLER[0], SENDER, WAYBILL])
        assert again.status_code == 409
        assert "identifiers" in again.json()["error"]["fields"]
    assert _record(repeater, kind="returned", identifiers=[SELLER[0], WAYBILL]).status_code == 201
    assert ParcelEvent.objects.filter(organisation=repeater.organisation).count() == 2
    assert _refused(platform_analyst, SELLER)["value"] == 2


def test_an_organisation_s_events_without_a_waybill_count_as_one_parcel(settings, listed, platform_analyst):
    settings.HUB_OUTCOME_SUPPRESSION_THRESHOLD = 2
    first, second = persona(K.LOGISTICS, R.ANALYST), persona(K.LOGISTICS, R.ANALYST)
    for _ in range(5):
        assert _record(first, identifiers=[SELLER[0]]).status_code == 201
    assert _record(second, identifiers=[SELLER[0]]).status_code == 201
    assert _refused(platform_analyst, SELLER)["value"] == 2


def test_an_organisation_records_at_most_its_daily_parcel_events(settings, courier_analyst):
    settings.HUB_PARCEL_EVENTS_PER_DAY = 2
    assert _record(courier_analyst).status_code == 201
    assert _record(courier_analyst).status_code == 201
    refused = _record(courier_analyst)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert ParcelEvent.objects.count() == 2
    assert _record(persona(K.LOGISTICS, R.ANALYST)).status_code == 201  # per organisation


def test_the_page_reads_the_typed_time_in_the_organisation_s_zone(client):
    courier = persona(K.LOGISTICS, R.ANALYST, country="CN")
    web_login(client, courier)
    an_hour_ago = (timezone.now() - timedelta(hours=1)).replace(second=0, microsecond=0)
    typed = an_hour_ago.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")
    form = {"kind": "refused", "occurred_at": typed, "origin_region": "CN-GD", "category": "counterfeit"}
    response = client.post("/parcels/", {**form, "courier_sender_account": "sf:gang01"})
    assert response.status_code == 302, response.content.decode()
    assert ParcelEvent.objects.get().occurred_at == an_hour_ago
    assert "Asia/Shanghai" in client.get("/parcels/").content.decode()


def test_the_api_refuses_a_time_without_an_offset(courier_analyst):
    naive = (timezone.now() - timedelta(hours=1)).replace(tzinfo=None).isoformat()
    response = _record(courier_analyst, occurred_at=naive)
    assert response.status_code == 400
    assert "offset" in response.json()["error"]["fields"]["occurred_at"][0]
    assert _record(courier_analyst, occurred_at=naive + "+08:00").status_code == 201


def test_an_event_older_than_the_retention_is_refused(settings, courier_analyst):
    settings.HUB_PARCEL_EVENT_RETENTION_DAYS = 30
    too_old = _record(courier_analyst, occurred_at=(timezone.now() - timedelta(days=31)).isoformat())
    assert too_old.status_code == 400
    assert "occurred_at" in too_old.json()["error"]["fields"]
    assert (
        _record(courier_analyst, occurred_at=(timezone.now() - timedelta(days=29)).isoformat()).status_code
        == 201
    )


@pytest.mark.parametrize(
    "region,status", [("JP-13", 201), ("JP-99", 400), ("US-CA", 201), ("US-ABC", 400), ("DE", 201)]
)
def test_an_origin_subdivision_is_checked_for_every_country(courier_analyst, region, status):
    response = _record(courier_analyst, origin_region=region)
    assert response.status_code == status
    if status == 400:
        assert "origin_region" in response.json()["error"]["fields"]


def test_feedback_on_a_hit_names_an_identifier_of_the_matched_seller(listed, courier_analyst):
    check_id = _check(courier_analyst)["check_id"]
    unrelated = _record(courier_analyst, check_id=check_id, identifiers=[SENDER, WAYBILL])
    assert unrelated.status_code == 400
    assert "check_id" in unrelated.json()["error"]["fields"]
    assert not ParcelEvent.objects.exists()
    assert _record(courier_analyst, check_id=check_id, identifiers=[SELLER[1], SENDER]).status_code == 201


def test_probing_which_identifiers_belong_to_a_matched_seller_is_gated_and_audited(
    settings, brand_reporter, other_brand_reporter, reviewer
):
    """Naming a check's hit answers whether the identifiers belong to the seller it matched: that answer
    takes the check quota and feeds the sweep rules like a check, and a refusal is on the audit record."""
    from tests.factories import seller_identifiers

    seller, other = seller_identifiers(41), seller_identifiers(42)
    report_make_accepted(brand_reporter, reviewer, seller)
    report_make_accepted(other_brand_reporter, reviewer, other)
    courier = persona(K.LOGISTICS, R.ANALYST)
    check_id = _check(courier, identifiers=[seller[0]])["check_id"]
    settings.HUB_QUOTA_CHECKS_PER_MINUTE = 2  # room for two more identifier lookups of each type

    wrong = _record(courier, check_id=check_id, identifiers=[other[0], SENDER])
    miss = AuditEvent.objects.get(action=AuditTag.PARCEL_EVENT_HIT_NOT_NAMED)
    assert wrong.status_code == 400 and "check_id" in wrong.json()["error"]["fields"]
    assert (miss.details["hits"], miss.details["misses"]) == (0, 1) and "5678" not in str(miss.details)
    assert _record(courier, check_id=check_id, identifiers=[other[0], SENDER]).status_code == 429

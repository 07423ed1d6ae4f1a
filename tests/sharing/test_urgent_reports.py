"""Urgent live-room reports (issue 19): filed urgent with a reason only when they name a live-stream room,
reviewed first by their target time, and an operator alert once their target passes while still pending."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit.models import Alert, AuditEvent
from sharing.models import Report
from sharing.reports.selectors import reports_review_queue
from sharing.reports.services.reports import report_reject
from sharing.reports.tasks import urgent_review_overdue_task
from tests.factories import report_body, report_make, seller_identifiers, web_login

pytestmark = pytest.mark.django_db

LIVE_ROOM = {"type": "live_room", "value": "douyin:123456789"}


def _live_identifiers(n: int = 0) -> list[dict]:
    return [seller_identifiers(n)[0], {"type": "live_room", "value": f"douyin:12345678{n}"}]


def _urgent_body(identifiers=None, **urgency) -> dict:
    return {
        **report_body(identifiers or _live_identifiers()),
        "urgent": True,
        "urgency_reason": "live_now",
        **urgency,
    }


def _file(api, member, body):
    return api(member).post("/api/v1/reports", body, format="json")


def _target_moved_to_past(report_id, minutes: int = 1) -> None:
    # The clock is not mocked: the report's target is put behind the real now instead.
    Report.objects.filter(public_id=report_id).update(
        review_target_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_urgent_without_a_live_room_is_a_400_on_urgent(api, brand_reporter):
    response = _file(api, brand_reporter, _urgent_body(seller_identifiers()))

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["urgent"] == [
        "Only a report that names a live-stream room can be urgent."
    ]
    assert not Report.objects.exists()


def test_urgent_needs_a_reason_from_the_closed_list(api, brand_reporter):
    without = _file(api, brand_reporter, _urgent_body(urgency_reason=""))
    free_text = _file(api, brand_reporter, _urgent_body(urgency_reason="the seller lives at 1 Main St"))
    reason_only = _file(
        api, brand_reporter, {**report_body(_live_identifiers()), "urgency_reason": "live_now"}
    )

    assert without.status_code == 400 and "urgency_reason" in without.json()["error"]["fields"]
    assert free_text.status_code == 400 and "urgency_reason" in free_text.json()["error"]["fields"]
    assert "1 Main St" not in free_text.content.decode()
    assert reason_only.status_code == 400 and "urgency_reason" in reason_only.json()["error"]["fields"]
    assert not Report.objects.exists()


def test_urgent_live_room_report_is_accepted_with_a_target(api, brand_reporter, settings):
    settings.HUB_URGENT_REVIEW_TARGET_MINUTES = 120
    before = timezone.now()

    response = _file(api, brand_reporter, _urgent_body())

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["urgent"], data["urgency_reason"], data["status"]) == (True, "live_now", "pending")
    report = Report.objects.get(public_id=data["id"])
    assert report.live_urgent and report.review_target_at == report.submitted_at + timedelta(minutes=120)
    assert before + timedelta(minutes=120) <= report.review_target_at
    event = AuditEvent.objects.get(action="sharing:report:submitted", object_id=data["id"])
    assert event.details["urgent"] is True and event.details["urgency_reason"] == "live_now"
    assert "douyin" not in str(event.details)


def test_a_stream_starting_sooner_than_the_period_sets_the_target(api, brand_reporter, settings):
    settings.HUB_URGENT_REVIEW_TARGET_MINUTES = 120
    starts = (timezone.now() + timedelta(minutes=45)).replace(microsecond=0)
    later = (timezone.now() + timedelta(hours=20)).replace(microsecond=0)

    soon = _file(
        api, brand_reporter, _urgent_body(urgency_reason="live_scheduled", live_starts_at=starts.isoformat())
    )
    tonight = _file(
        api,
        brand_reporter,
        _urgent_body(_live_identifiers(1), urgency_reason="live_scheduled", live_starts_at=later.isoformat()),
    )
    too_far = _file(
        api,
        brand_reporter,
        _urgent_body(live_starts_at=(timezone.now() + timedelta(days=5)).isoformat()),
    )

    assert soon.status_code == 201 and tonight.status_code == 201
    soon_report = Report.objects.get(public_id=soon.json()["id"])
    tonight_report = Report.objects.get(public_id=tonight.json()["id"])
    assert soon_report.review_target_at == starts
    assert tonight_report.review_target_at == tonight_report.submitted_at + timedelta(minutes=120)
    assert too_far.status_code == 400 and "live_starts_at" in too_far.json()["error"]["fields"]


def test_a_plain_report_is_not_urgent(api, brand_reporter):
    data = _file(api, brand_reporter, report_body()).json()

    assert (data["urgent"], data["urgency_reason"], data["review_target_at"]) == (False, "", None)


def test_the_database_refuses_urgent_without_reason_or_target(brand_reporter):
    report = report_make(brand_reporter)

    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.filter(pk=report.pk).update(live_urgent=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.filter(pk=report.pk).update(urgency_reason="live_now")


def test_the_queue_puts_urgent_live_reports_first_by_target(
    api, brand_reporter, other_brand_reporter, reviewer
):
    plain = report_make(brand_reporter, seller_identifiers(5))
    official = report_make(other_brand_reporter, seller_identifiers(6), verification_level="court_judgment")
    later = Report.objects.get(
        public_id=_file(api, brand_reporter, _urgent_body(_live_identifiers(1))).json()["id"]
    )
    sooner = Report.objects.get(
        public_id=_file(
            api,
            other_brand_reporter,
            _urgent_body(
                _live_identifiers(2),
                urgency_reason="live_scheduled",
                live_starts_at=(timezone.now() + timedelta(minutes=30)).isoformat(),
            ),
        ).json()["id"]
    )

    queue = list(reports_review_queue(actor=Actor(member=reviewer)))

    assert [r.pk for r in queue] == [sooner.pk, later.pk, official.pk, plain.pk]


def test_the_task_alerts_once_after_the_target_and_not_before(api, brand_reporter):
    report_id = _file(api, brand_reporter, _urgent_body()).json()["id"]

    assert urgent_review_overdue_task() == 0
    assert not Alert.objects.filter(kind="urgent_review_overdue").exists()

    _target_moved_to_past(report_id)
    first = urgent_review_overdue_task()
    second = urgent_review_overdue_task()

    alert = Alert.objects.get(kind="urgent_review_overdue")
    assert (first, second, alert.occurrences, alert.severity) == (1, 0, 1, "high")
    assert alert.details["report"] == report_id and alert.dedupe_key == f"urgent_review_overdue:{report_id}"
    assert "douyin" not in str(alert.details) and "123456789" not in str(alert.details)
    assert Report.objects.get(public_id=report_id).target_missed_alerted_at is not None


def test_a_decided_report_is_not_alerted(api, brand_reporter, reviewer):
    accepted = _file(api, brand_reporter, _urgent_body(_live_identifiers(1))).json()["id"]
    rejected = _file(api, brand_reporter, _urgent_body(_live_identifiers(2))).json()["id"]
    api(reviewer).post(f"/api/v1/reports/{accepted}/accept", {"reason": "stream checked"}, format="json")
    report_reject(
        report=Report.objects.get(public_id=rejected), reason="not a live room", actor=Actor(member=reviewer)
    )
    _target_moved_to_past(accepted)
    _target_moved_to_past(rejected)

    assert urgent_review_overdue_task() == 0
    assert not Alert.objects.filter(kind="urgent_review_overdue").exists()


def test_reviewed_through_the_queue_page_it_leaves_the_queue(api, brand_reporter, reviewer):
    report_id = _file(api, brand_reporter, _urgent_body()).json()["id"]
    _target_moved_to_past(report_id, minutes=5)
    client = Client()
    web_login(client, reviewer)

    queue = client.get("/review/reports/")
    page = queue.content.decode()
    assert queue.status_code == 200 and report_id in page
    assert "Streaming now" in page and "Target passed" in page and "douyin" not in page
    chinese = client.get("/review/reports/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "紧急：直播" in chinese and "正在直播" in chinese and "已超过目标时间" in chinese
    detail = client.get(f"/review/reports/{report_id}/").content.decode()
    assert "Urgent: live stream" in detail and "Target passed" in detail
    accepted = client.post(f"/review/reports/{report_id}/accept", {"reason": "Stream checked, room matches."})
    after = client.get("/review/reports/")

    assert accepted.status_code == 302
    assert Report.objects.get(public_id=report_id).status == "accepted"
    assert report_id not in after.content.decode()
    assert urgent_review_overdue_task() == 0


def test_the_report_form_files_an_urgent_live_room_report(brand_reporter):
    client = Client()
    web_login(client, brand_reporter)
    form = client.get(reverse("report-new"))
    assert form.status_code == 200 and 'name="urgency_reason"' in form.content.decode()
    post = {
        "identifier-0-type": "live_room",
        "identifier-0-value": LIVE_ROOM["value"],
        "ip_type": "trademark",
        "category": "counterfeit",
        "verification_level": "rights_owner_verified",
        "statement": "Counterfeit handbags sold live tonight.",
        "authenticity_guaranteed": "on",
        "urgent": "on",
        "urgency_reason": "live_now",
    }

    refused = client.post(
        reverse("report-new"),
        {**post, "identifier-0-type": "phone", "identifier-0-value": "+86 138 0013 8000"},
    )
    filed = client.post(reverse("report-new"), post)

    assert refused.status_code == 400
    assert "Only a report that names a live-stream room can be urgent." in refused.content.decode()
    assert filed.status_code == 302, filed.content.decode()[:2000]
    report = Report.objects.get()
    assert report.live_urgent and report.urgency_reason == "live_now" and report.review_target_at


def test_the_alerts_page_names_the_overdue_urgent_review_in_both_languages(api, brand_reporter, auditor):
    report_id = _file(api, brand_reporter, _urgent_body()).json()["id"]
    _target_moved_to_past(report_id)
    urgent_review_overdue_task()
    client = Client()
    web_login(client, auditor)

    english = client.get(reverse("audit-alerts")).content.decode()
    chinese = client.get(reverse("audit-alerts"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "An urgent live-stream report is past its review target" in english and report_id in english
    assert "紧急直播举报已超过审核目标时间" in chinese


def test_the_review_api_lists_pending_urgent_live_reports_first(api, brand_reporter, reviewer):
    plain = report_make(brand_reporter, seller_identifiers(7))
    urgent = _file(api, brand_reporter, _urgent_body()).json()["id"]

    rows = api(reviewer).get("/api/v1/review/reports?status=pending").json()["results"]

    assert [r["id"] for r in rows] == [urgent, str(plain.public_id)]
    assert rows[0]["urgent"] is True and rows[0]["review_target_at"] and rows[1]["urgent"] is False

"""Urgent live-room reports (issue 19): filed urgent with a reason only when they name a live-stream room,
reviewed first by their target time, and an operator alert once their target passes while still pending."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit.models import Alert, AuditEvent
from accounts.audit.tags import AuditTag
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.models import Report, ReporterStanding
from sharing.reports.selectors import reports_review_queue
from sharing.reports.services.reports import report_reject
from sharing.reports.services.reputation import standing_of
from sharing.reports.tasks import urgent_review_overdue_task
from sharing.subjects.inputs import choice_field
from tests.factories import persona, report_body, report_make, seller_identifiers, web_login

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


# Review findings (R1, R7 and others): urgency bounded, the list's order, the alert's end, Chinese
# messages, the stream's start.


@pytest.mark.django_db(transaction=True)  # the refusal's audit row commits after the request rolls back
def test_an_organisation_files_at_most_its_daily_number_of_urgent_reports(
    api, brand_reporter, other_brand_reporter, settings
):
    settings.HUB_URGENT_REPORTS_PER_DAY = 2
    filed = [_file(api, brand_reporter, _urgent_body(_live_identifiers(n))) for n in range(2)]

    over = _file(api, brand_reporter, _urgent_body(_live_identifiers(3)))
    plain = _file(api, brand_reporter, report_body(_live_identifiers(4)))
    other = _file(api, other_brand_reporter, _urgent_body(_live_identifiers(5)))

    assert [r.status_code for r in filed] == [201, 201]
    assert over.status_code == 429 and int(over["Retry-After"]) > 0
    assert "2 urgent reports for today" in over.json()["error"]["fields"]["urgent"][0]
    assert plain.status_code == 201 and other.status_code == 201
    assert Report.objects.filter(live_urgent=True).count() == 3
    [denied] = AuditEvent.objects.filter(action=AuditTag.QUOTA_EXCEEDED)
    assert denied.outcome == "denied" and denied.organisation_id == brand_reporter.organisation.pk
    assert denied.details["reason"] == "urgent reports over 2 per day"


def test_a_refused_urgent_report_does_not_use_up_the_daily_number(api, brand_reporter, settings):
    settings.HUB_URGENT_REPORTS_PER_DAY = 1
    # Refused after the quota is taken (a weak-only report): the transaction gives it back.
    refused = _file(api, brand_reporter, _urgent_body([LIVE_ROOM, {"type": "full_name", "value": "Li Lei"}]))
    filed = _file(api, brand_reporter, _urgent_body())

    assert refused.status_code == 400 and filed.status_code == 201


def test_an_organisation_under_a_misuse_warning_cannot_file_urgent(api, brand_reporter):
    standing_of(brand_reporter.organisation.pk)
    ReporterStanding.objects.filter(organisation=brand_reporter.organisation).update(
        misuse_warning_until=timezone.now() + timedelta(days=7)
    )

    urgent = _file(api, brand_reporter, _urgent_body())
    plain = _file(api, brand_reporter, report_body(_live_identifiers(1)))

    assert urgent.status_code == 400 and "misuse warning" in urgent.json()["error"]["fields"]["urgent"][0]
    assert plain.status_code == 201
    assert not Report.objects.filter(live_urgent=True).exists()


def test_an_urgent_report_long_past_its_target_waits_like_any_other(
    api, brand_reporter, other_brand_reporter, reviewer, settings
):
    settings.HUB_URGENT_PRIORITY_HOURS = 24
    plain = report_make(brand_reporter, seller_identifiers(5))
    official = report_make(other_brand_reporter, seller_identifiers(6), verification_level="court_judgment")
    stale = _file(api, brand_reporter, _urgent_body(_live_identifiers(1))).json()["id"]
    late = _file(api, brand_reporter, _urgent_body(_live_identifiers(2))).json()["id"]
    fresh = _file(api, brand_reporter, _urgent_body(_live_identifiers(3))).json()["id"]
    _target_moved_to_past(stale, minutes=25 * 60)
    _target_moved_to_past(late, minutes=23 * 60)

    queue = [str(r.public_id) for r in reports_review_queue(actor=Actor(member=reviewer))]
    listed = [r["id"] for r in api(reviewer).get("/api/v1/review/reports?status=pending").json()["results"]]

    assert queue == [late, fresh, str(official.public_id), str(plain.public_id), stale]
    assert listed == [late, fresh, str(plain.public_id), str(official.public_id), stale]


def test_the_review_api_lists_decided_reports_oldest_first(api, brand_reporter, reviewer):
    old = report_make(brand_reporter, seller_identifiers(8))
    urgent = _file(api, brand_reporter, _urgent_body(_live_identifiers(1))).json()["id"]
    # Its target is the soonest of all: it must not order the accepted reports.
    _target_moved_to_past(urgent, minutes=60)
    for report_id in (str(old.public_id), urgent):
        accepted = api(reviewer).post(
            f"/api/v1/reports/{report_id}/accept", {"reason": "stream checked"}, format="json"
        )
        assert accepted.status_code == 200
    newer_urgent = _file(api, brand_reporter, _urgent_body(_live_identifiers(2))).json()["id"]

    accepted = api(reviewer).get("/api/v1/review/reports?status=accepted").json()["results"]
    everything = api(reviewer).get("/api/v1/review/reports").json()["results"]

    assert [r["id"] for r in accepted] == [str(old.public_id), urgent]
    assert [r["id"] for r in everything] == [newer_urgent, str(old.public_id), urgent]


def test_the_overdue_alert_is_resolved_once_the_report_is_decided_or_retracted(api, brand_reporter, reviewer):
    accepted, rejected, retracted, waiting = (
        _file(api, brand_reporter, _urgent_body(_live_identifiers(n))).json()["id"] for n in range(4)
    )
    for report_id in (accepted, rejected, retracted, waiting):
        _target_moved_to_past(report_id)
    assert urgent_review_overdue_task() == 4

    api(reviewer).post(f"/api/v1/reports/{accepted}/accept", {"reason": "stream checked"}, format="json")
    api(reviewer).post(f"/api/v1/reports/{rejected}/reject", {"reason": "not a live room"}, format="json")
    api(brand_reporter).post(f"/api/v1/reports/{retracted}/retract", format="json")

    alerts = {a.details["report"]: a for a in Alert.objects.filter(kind="urgent_review_overdue")}
    assert {k: a.status for k, a in alerts.items()} == {
        accepted: "resolved",
        rejected: "resolved",
        retracted: "resolved",
        waiting: "open",
    }
    assert alerts[rejected].resolution == "report rejected: the urgent review is over"
    resolved_rows = AuditEvent.objects.filter(
        action=AuditTag.ALERT_RESOLVED, object_id__in=[str(a.public_id) for a in alerts.values()]
    )
    assert resolved_rows.count() == 3 and all(row.actor_member_id is None for row in resolved_rows)
    assert urgent_review_overdue_task() == 0


@pytest.mark.parametrize(
    ("field", "value", "noun"),
    [
        ("ip_type", "bogus", "知识产权类型"),
        ("category", "bogus", "类别"),
        ("verification_level", "bogus", "核实等级"),
        ("urgency_reason", "bogus", "紧急原因"),
    ],
)
def test_an_unknown_choice_is_refused_in_chinese(api, brand_reporter, field, value, noun):
    response = api(brand_reporter).post(
        "/api/v1/reports", {**_urgent_body(), field: value}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    [message] = response.json()["error"]["fields"][field]
    assert response.status_code == 400
    assert message.startswith(f"未知的 {noun}；")
    assert not re.search(r"[A-Za-z]{3,} [a-z]{3,}", message.split("：")[0])  # no English noun before the list


def test_an_unknown_identifier_type_is_refused_in_chinese(api, brand_reporter):
    body = {**report_body(), "identifiers": [{"type": "bogus", "value": "x"}]}
    response = api(brand_reporter).post(
        "/api/v1/reports", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert response.status_code == 400
    assert "未知的 标识符类型；" in str(response.json()["error"]["fields"]["identifiers"])


def test_a_choice_field_needs_a_translated_noun():
    with pytest.raises(TypeError):
        choice_field([("a", "A")], "plain English noun")


def test_a_scheduled_stream_cannot_start_in_the_past(api, brand_reporter):
    now = timezone.now()
    scheduled = {"urgency_reason": "live_scheduled"}
    long_ago = _file(
        api, brand_reporter, _urgent_body(**scheduled, live_starts_at="0001-01-01T00:00:00+01:00")
    )
    an_hour_ago = _file(
        api, brand_reporter, _urgent_body(**scheduled, live_starts_at=(now - timedelta(hours=1)).isoformat())
    )
    running_for_years = _file(api, brand_reporter, _urgent_body(live_starts_at="0001-01-01T00:00:00"))
    just_now = _file(
        api,
        brand_reporter,
        _urgent_body(**scheduled, live_starts_at=(now - timedelta(minutes=5)).isoformat()),
    )
    running = _file(
        api,
        brand_reporter,
        _urgent_body(_live_identifiers(1), live_starts_at=(now - timedelta(hours=2)).isoformat()),
    )

    for refused in (long_ago, an_hour_ago, running_for_years):
        assert refused.status_code == 400, refused.content
        assert list(refused.json()["error"]["fields"]) == ["live_starts_at"]
    assert just_now.status_code == 201 and running.status_code == 201


def _form_post(**extra) -> dict:
    return {
        "identifier-0-type": "live_room",
        "identifier-0-value": LIVE_ROOM["value"],
        "ip_type": "trademark",
        "category": "counterfeit",
        "verification_level": "rights_owner_verified",
        "statement": "Counterfeit handbags sold live tonight.",
        "authenticity_guaranteed": "on",
        "urgent": "on",
        "urgency_reason": "live_scheduled",
        **extra,
    }


def test_the_form_takes_the_start_in_beijing_time(brand_reporter, settings):
    settings.HUB_URGENT_REVIEW_TARGET_MINUTES = 120
    client = Client()
    web_login(client, brand_reporter)
    beijing = ZoneInfo("Asia/Shanghai")
    starts = (timezone.now() + timedelta(minutes=45)).astimezone(beijing).replace(second=0, microsecond=0)

    filed = client.post(
        reverse("report-new"),
        _form_post(live_starts_at=starts.strftime("%Y-%m-%dT%H:%M"), live_timezone="Asia/Shanghai"),
    )

    assert filed.status_code == 302, filed.content.decode()[:2000]
    report = Report.objects.get()
    assert report.live_starts_at == starts == report.review_target_at
    assert report.live_starts_at.astimezone(ZoneInfo("UTC")).hour == (starts.hour - 8) % 24


def test_the_form_offers_the_organisations_zone_and_refuses_an_unknown_one(brand_reporter):
    client = Client()
    web_login(client, brand_reporter)
    chinese_reporter = persona(K.RIGHTS_OWNER, R.REPORTER, country="CN")
    chinese_client = Client()
    web_login(chinese_client, chinese_reporter)

    french_form = client.get(reverse("report-new")).content.decode()
    chinese_form = chinese_client.get(reverse("report-new"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    refused = client.post(
        reverse("report-new"), _form_post(live_starts_at="2030-01-01T20:00", live_timezone="Mars/Olympus")
    )
    past = client.post(
        reverse("report-new"), _form_post(live_starts_at="2001-01-01T20:00", live_timezone="Asia/Shanghai")
    )

    assert '<option value="Europe/Paris" selected>' in french_form
    assert '<option value="Asia/Shanghai" selected>Asia/Shanghai (UTC+0800)' in chinese_form
    assert "当地时间" in chinese_form and "(UTC, optional)" not in french_form
    assert refused.status_code == 400 and 'data-field="live_timezone"' in refused.content.decode()
    assert past.status_code == 400 and 'data-field="live_starts_at"' in past.content.decode()
    assert not Report.objects.exists()


def test_without_a_zone_the_form_takes_the_organisations(brand_reporter):
    client = Client()
    web_login(client, brand_reporter)  # a French organisation: Paris time
    starts = (
        (timezone.now() + timedelta(minutes=45))
        .astimezone(ZoneInfo("Europe/Paris"))
        .replace(second=0, microsecond=0)
    )

    filed = client.post(reverse("report-new"), _form_post(live_starts_at=starts.strftime("%Y-%m-%dT%H:%M")))

    assert filed.status_code == 302, filed.content.decode()[:2000]
    assert Report.objects.get().live_starts_at == starts

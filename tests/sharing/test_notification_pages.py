"""The notifications page: every member reads their organisation's notifications, read and unread,
marks them read (audited, for the whole organisation), sees the unread count in the header; another
organisation's notification is an audited 404 and stays unread."""

from __future__ import annotations

import pytest

from accounts.audit.models import AuditEvent
from accounts.audit.tags import AuditTag
from accounts.roles import ROLE_CAPABILITIES
from sharing.due_process.services.notifications import notifications_unread_count
from sharing.models import Notification
from sharing.reports.services.notifications import notify
from tests.factories import client_for, member_make, persona, web_login

pytestmark = pytest.mark.django_db

ZH_FILED_TITLE = "基于贵方举报的列入记录被提出争议"
ZH_FILED = "基于贵方举报的列入记录被提出争议。请在 {due} 之前证明已提起投诉或诉讼，否则这些举报将被暂停。"
ZH_GRANTED = "贵方申诉已获准：该举报重新被接受。理由：{reason}"


DATA = {
    "dispute.filed": {"dispute": "00000000-0000-4000-8000-000000000001", "due": "2026-12-10"},
    "appeal.granted": {"report": "00000000-0000-4000-8000-000000000002", "reason": "Certificate provided."},
}


def _notified(member, kind: str = "dispute.filed") -> Notification:
    return notify(organisation_id=member.organisation_id, kind=kind, data=DATA[kind])


def _signed_in(client, member):
    web_login(client, member)
    return client


def test_the_page_lists_unread_and_read_notifications_and_audits_the_listing(client, brand_reporter):
    unread = _notified(brand_reporter)
    read = _notified(brand_reporter, kind="appeal.granted")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    before = AuditEvent.objects.filter(action=AuditTag.NOTIFICATIONS_READ).count()

    page = _signed_in(client, brand_reporter).get("/notifications/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Show by 2026-12-10 that a complaint or suit was filed" in html
    assert "Your appeal was granted: the report is accepted again. Reason: Certificate provided." in html
    assert "A listing based on your reports is disputed" in html  # the kind's title
    assert f'action="/notifications/{unread.public_id}/read"' in html
    assert f'action="/notifications/{read.public_id}/read"' not in html  # read already: no button
    assert html.count("badge-warn") == 1
    assert 'id="unread-count">1<' in html  # the header's count
    assert AuditEvent.objects.filter(action=AuditTag.NOTIFICATIONS_READ).count() == before + 1


def test_marking_read_records_who_and_when_audits_it_once_and_clears_the_count(client, brand_reporter):
    notification = _notified(brand_reporter)
    colleague = member_make(brand_reporter.organisation, "viewer")
    signed_in = _signed_in(client, brand_reporter)

    answer = signed_in.post(f"/notifications/{notification.public_id}/read")
    again = signed_in.post(f"/notifications/{notification.public_id}/read")

    notification.refresh_from_db()
    assert answer.status_code == 302 and answer["Location"] == "/notifications/"
    assert again.status_code == 302
    assert notification.read_at is not None and notification.read_by == brand_reporter
    rows = AuditEvent.objects.filter(action=AuditTag.NOTIFICATION_MARKED_READ, outcome="allowed")
    assert [row.object_id for row in rows] == [str(notification.public_id)]
    listed = client_for(colleague).get("/api/v1/notifications").json()["results"]
    assert listed[0]["read_at"] is not None  # the API lists the same read state
    colleague_view = _signed_in(client, colleague).get("/notifications/").content.decode()
    assert 'id="unread-count"' not in colleague_view  # one inbox for the organisation
    assert "badge-warn" not in colleague_view


def test_mark_all_read_marks_only_this_organisations_notifications(
    client, brand_reporter, other_brand_reporter
):
    mine = [_notified(brand_reporter) for _ in range(3)]
    theirs = _notified(other_brand_reporter)

    answer = _signed_in(client, brand_reporter).post("/notifications/read-all")

    assert answer.status_code == 302
    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    row = AuditEvent.objects.get(action=AuditTag.NOTIFICATIONS_ALL_MARKED_READ)
    assert row.details["count"] == 3


def test_another_organisations_notification_is_an_audited_404_and_stays_unread(
    client, brand_reporter, other_brand_reporter
):
    theirs = _notified(other_brand_reporter)
    before = AuditEvent.objects.filter(outcome="denied").count()

    answer = _signed_in(client, brand_reporter).post(f"/notifications/{theirs.public_id}/read")

    theirs.refresh_from_db()
    assert answer.status_code == 404
    assert theirs.read_at is None
    denied = AuditEvent.objects.filter(outcome="denied").order_by("pk")[before:]
    assert [(row.action, row.object_type) for row in denied] == [
        (AuditTag.NOTIFICATION_MARKED_READ, "notification")
    ]
    assert "2026-12-10" not in answer.content.decode()


def test_marking_read_is_post_only(client, brand_reporter):
    notification = _notified(brand_reporter)

    answer = _signed_in(client, brand_reporter).get(f"/notifications/{notification.public_id}/read")

    notification.refresh_from_db()
    assert answer.status_code == 405
    assert notification.read_at is None


@pytest.mark.parametrize(("kind", "role"), sorted(ROLE_CAPABILITIES, key=str))
def test_every_role_reads_its_notifications_and_finds_them_in_the_navigation(client, kind, role):
    member = persona(kind, role)
    _notified(member)

    page = _signed_in(client, member).get("/notifications/")

    html = page.content.decode()
    assert page.status_code == 200
    assert 'href="/notifications/"' in html  # the header's link, with its count
    assert 'id="unread-count">1<' in html


def test_a_visitor_is_sent_to_sign_in(client):
    answer = client.get("/notifications/")

    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_the_page_speaks_chinese(client, brand_reporter):
    _notified(brand_reporter)
    _notified(brand_reporter, kind="appeal.granted")

    html = (
        _signed_in(client, brand_reporter)
        .get("/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        .content.decode()
    )

    assert "通知" in html and "标为已读" in html
    # Each notification in Chinese, filled from its data; the typed reason as it was typed.
    assert ZH_FILED_TITLE in html and ZH_FILED.format(due="2026-12-10") in html
    assert ZH_GRANTED.format(reason="Certificate provided.") in html
    assert "Show by" not in html and "Your appeal was granted" not in html


def test_the_headers_count_is_one_query_whatever_the_number(brand_reporter, django_assert_num_queries):
    for _ in range(30):
        _notified(brand_reporter)

    with django_assert_num_queries(1):
        unread = notifications_unread_count(organisation_id=brand_reporter.organisation_id)

    assert unread == 30

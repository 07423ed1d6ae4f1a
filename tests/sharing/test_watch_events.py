"""Webhooks that can be believed: one event per watched seller per change, `from` what its receiver last heard."""

from __future__ import annotations

import json

import pytest

from accounts.actors import Actor
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.models import WatchEntry, WebhookOutbox
from sharing.reports.services.reports import report_retract
from sharing.subjects.services.tokens import RawIdentifier
from sharing.watchlists.services.watchlists import watchlist_add
from sharing.watchlists.services.webhooks import webhook_register
from sharing.watchlists.tasks import webhook_deliver_task
from tests.factories import broker_stand_in, member_make, persona, report_make_accepted
from tests.webhook_receiver import Receiver, receiver  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
PHONE = {"type": "phone", "value": "+86 138 0013 8001"}
EMAIL = {"type": "email", "value": "watched.seller@example.com"}


@pytest.fixture
def deliver(monkeypatch):
    queue = broker_stand_in(monkeypatch, webhook_deliver_task)

    def run() -> None:
        while queue:
            webhook_deliver_task(queue.pop(0))

    return run


@pytest.fixture
def watcher(receiver):  # noqa: F811
    """A platform watching one seller by phone and email, with one endpoint at the receiver."""
    analyst = persona(K.PLATFORM, R.ANALYST)
    webhook_register(url=receiver.url, actor=Actor(member=member_make(analyst.organisation, R.ADMIN)))
    watchlist_add(
        purpose="seller_onboarding",
        identifiers=[RawIdentifier(**PHONE), RawIdentifier(**EMAIL)],
        ref="seller-7",
        actor=Actor(member=analyst),
    )
    return analyst


def _accept_from_a_new_organisation(django_capture_on_commit_callbacks):
    reporter, reviewer = persona(K.RIGHTS_OWNER, R.REPORTER), persona(K.OPERATOR, R.REVIEWER)
    with django_capture_on_commit_callbacks(execute=True):
        return report_make_accepted(reporter, reviewer, [PHONE, EMAIL])


def _heard(receiver: Receiver) -> list[dict]:
    """What an idempotent receiver keeps: each event id once, in arrival order."""
    events = {}
    for request in receiver.requests:
        event = json.loads(request["body"])
        assert request["headers"]["webhook-id"] == event["id"]
        events.setdefault(event["id"], event)
    return list(events.values())


def test_a_seller_watched_by_phone_and_email_reported_by_two_organisations_gets_one_event_per_change(
    watcher, receiver, deliver, django_capture_on_commit_callbacks
):  # noqa: F811
    _accept_from_a_new_organisation(django_capture_on_commit_callbacks)
    deliver()
    _accept_from_a_new_organisation(django_capture_on_commit_callbacks)
    deliver()

    assert len(receiver.requests) == 2  # not one per identifier, not a linked event beside each level change
    assert [
        (e["type"], e["data"]["from"], e["data"]["to"], e["data"]["watch_ref"]) for e in _heard(receiver)
    ] == [
        ("subject.level_changed", "none", "reported", "seller-7"),
        ("subject.level_changed", "reported", "listed", "seller-7"),
    ]
    assert set(WatchEntry.objects.values_list("last_level", flat=True)) == {"listed"}


def test_a_retried_event_carries_the_same_id_so_a_receiver_can_drop_the_repeat(
    watcher, receiver, deliver, django_capture_on_commit_callbacks, monkeypatch
):  # noqa: F811
    receiver.script = [503]
    _accept_from_a_new_organisation(django_capture_on_commit_callbacks)
    deliver()
    row = WebhookOutbox.objects.get()
    WebhookOutbox.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)
    webhook_deliver_task(row.pk)

    ids = [json.loads(r["body"])["id"] for r in receiver.requests]
    assert ids == [str(row.event_id), str(row.event_id)]
    assert len(_heard(receiver)) == 1


def test_from_is_the_level_last_heard_when_a_level_falls_and_rises_again(
    watcher, receiver, deliver, django_capture_on_commit_callbacks
):  # noqa: F811
    first = _accept_from_a_new_organisation(django_capture_on_commit_callbacks)
    _accept_from_a_new_organisation(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        report_retract(report=first, actor=Actor(member=first.submitted_by))
    deliver()

    assert [(e["data"]["from"], e["data"]["to"]) for e in _heard(receiver)] == [
        ("none", "reported"),
        ("reported", "listed"),
        ("listed", "reported"),
    ]


def test_a_new_identifier_of_a_watched_seller_starts_from_what_its_receiver_heard(
    watcher, receiver, deliver, django_capture_on_commit_callbacks
):  # noqa: F811
    _accept_from_a_new_organisation(django_capture_on_commit_callbacks)
    deliver()
    store = RawIdentifier(type="store_url", value="https://shop5550002.taobao.com/")
    watchlist_add(
        purpose="seller_onboarding", identifiers=[store], ref="seller-7", actor=Actor(member=watcher)
    )

    assert set(WatchEntry.objects.values_list("last_level", flat=True)) == {"reported"}

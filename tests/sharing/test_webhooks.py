"""Webhook endpoints and delivery, against a real HTTP receiver on 127.0.0.1 (urllib is never mocked).

The only stand-in is the broker: `broker` records the outbox ids the hub enqueues and
works them off by calling the task, as a worker would.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from datetime import timedelta

import pytest
import standardwebhooks
from django.db import connection, transaction
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit.models import AuditEvent, DataClass, Outcome
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.models import (
    RestrictedRecord,
    WatchEntry,
    WebhookDeliveryAttempt,
    WebhookEndpoint,
    WebhookOutbox,
)
from sharing.restricted.services.restricted import restricted_store
from sharing.subjects.services.tokens import RawIdentifier
from sharing.watchlists.services import webhooks
from sharing.watchlists.services.watchlists import watchlist_add, watchlist_notify
from sharing.watchlists.tasks import webhook_deliver_task, webhooks_sweep_task
from tests.factories import broker_stand_in, member_make, persona, report_make_accepted
from tests.webhook_receiver import RESPONSE_CANARY, Receiver, receiver  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(monkeypatch):
    """The network boundary to the broker: enqueued ids wait here until `run()` works them off."""

    class Broker:
        def __init__(self):
            self.queue: list[int] = []

        def run(self) -> list[str]:
            results = []
            while self.queue:
                results.append(webhook_deliver_task(self.queue.pop(0)))
            return results

    fake = Broker()
    fake.queue = broker_stand_in(monkeypatch, webhook_deliver_task)
    return fake


@pytest.fixture
def platform_admin(db):
    return persona(K.PLATFORM, R.ADMIN)


@pytest.fixture
def short_timeout(settings):
    settings.HUB_WEBHOOK_TIMEOUT_SECONDS = 1


def _register(api, member, url: str) -> dict:
    response = api(member).post("/api/v1/webhooks", {"url": url}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _watched(endpoint: WebhookEndpoint, ref: str) -> None:
    """A watch entry under an allowed purpose behind an event's `watch_ref`: delivery re-checks it."""
    WatchEntry.objects.get_or_create(
        organisation=endpoint.organisation,
        ref=ref,
        defaults={
            "token": f"1:{uuid.uuid4().hex}",
            "identifier_type": "phone",
            "purpose": "seller_onboarding",
            "created_by": endpoint.created_by,
        },
    )


def _events(member, url: str, count: int = 1) -> list[WebhookOutbox]:
    """Outbox rows for an endpoint at `url`, written as watchlist_notify writes them."""
    endpoint, _ = webhooks.webhook_register(url=url, actor=Actor(member=member))
    data = [(endpoint, {"watch_ref": f"seller-{n}", "identifier_type": "phone"}) for n in range(count)]
    for n in range(count):
        _watched(endpoint, f"seller-{n}")
    return webhooks.webhook_events_write(event_type="subject.linked", events=data, now=timezone.now())


def _make_due(*rows: WebhookOutbox) -> None:
    """Move the clock past each row's backoff or lease."""
    WebhookOutbox.objects.filter(pk__in=[r.pk for r in rows]).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


# Endpoints through the API.


def test_registering_returns_the_secret_once_and_keeps_it_sealed(api, platform_admin):
    created = _register(api, platform_admin, "http://127.0.0.1:9/hook")

    listed = api(platform_admin).get("/api/v1/webhooks").json()["results"]
    record = RestrictedRecord.objects.get(owner_type="webhook_endpoint", owner_id=created["id"])
    assert set(created) == {"id", "url", "secret", "created_at"} and created["secret"].startswith("whsec_")
    assert listed == [{"id": created["id"], "url": created["url"], "created_at": created["created_at"]}]
    assert created["secret"].encode() not in bytes(record.ciphertext)
    stored = json.dumps(
        list(WebhookEndpoint.objects.values()) + list(AuditEvent.objects.values("details")), default=str
    )
    assert created["secret"] not in stored
    event = AuditEvent.objects.get(action="sharing:webhook:registered")
    assert event.data_class == DataClass.ADMINISTRATIVE and event.object_id == created["id"]


@pytest.mark.parametrize(
    "url",
    [
        "http://user:pw@127.0.0.1:9/hook",
        "https://token@hooks.example.com/",
        "ftp://hooks.example.com/",
        "http://hooks.example.com/hook",
        "https:///no-host",
        "https://hooks.example.com:99999/",
        "https://hooks.example.com/a b",
    ],
)
def test_bad_urls_are_refused(api, platform_admin, url):
    response = api(platform_admin).post("/api/v1/webhooks", {"url": url}, format="json")

    assert response.status_code == 400 and "url" in response.json()["error"]["fields"]
    assert not WebhookEndpoint.objects.exists()


def test_production_requires_https_to_a_public_host(api, platform_admin, settings):
    settings.PRODUCTION = True
    client = api(platform_admin)

    refused = [
        client.post("/api/v1/webhooks", {"url": url}, format="json").status_code
        for url in (
            "http://127.0.0.1:9/hook",
            "http://hooks.example.com/",
            "https://10.0.0.7/hook",
            "https://localhost/",
        )
    ]
    accepted = client.post("/api/v1/webhooks", {"url": "https://hooks.example.com/hub"}, format="json")

    assert refused == [400, 400, 400, 400]
    assert accepted.status_code == 201


def test_removing_an_endpoint_cancels_its_pending_events_and_destroys_its_secret(api, platform_admin):
    row = _events(platform_admin, "http://127.0.0.1:9/hook")[0]
    endpoint_id = row.endpoint.public_id

    response = api(platform_admin).delete(f"/api/v1/webhooks/{endpoint_id}")

    row.refresh_from_db()
    assert response.status_code == 204 and row.status == "cancelled"
    assert api(platform_admin).get("/api/v1/webhooks").json()["results"] == []
    assert not RestrictedRecord.objects.filter(
        owner_type="webhook_endpoint", owner_id=str(endpoint_id)
    ).exists()
    assert webhook_deliver_task(row.pk) == "skipped"


def test_another_organisations_endpoint_is_not_found(api, platform_admin):
    theirs = _events(persona(K.LOGISTICS, R.ADMIN), "http://127.0.0.1:9/hook")[0].endpoint
    client = api(platform_admin)

    removed = client.delete(f"/api/v1/webhooks/{theirs.public_id}")
    log = client.get(f"/api/v1/webhooks/{theirs.public_id}/deliveries")

    assert removed.status_code == 404 and log.status_code == 404
    theirs.refresh_from_db()
    assert theirs.active
    assert AuditEvent.objects.filter(actor_member=platform_admin, outcome=Outcome.DENIED).count() == 2


def test_analysts_watch_but_only_admins_manage_webhooks(api):
    analyst = persona(K.PLATFORM, R.ANALYST)

    response = api(analyst).post("/api/v1/webhooks", {"url": "http://127.0.0.1:9/hook"}, format="json")

    assert response.status_code == 403


# Delivery over real HTTP.


def _deliver_one(endpoint: WebhookEndpoint) -> tuple[WebhookOutbox, str]:
    _watched(endpoint, "s-1")
    row = webhooks.webhook_events_write(
        event_type="subject.linked",
        now=timezone.now(),
        events=[(endpoint, {"watch_ref": "s-1", "identifier_type": "phone"})],
    )[0]
    return row, webhook_deliver_task(row.pk)


def test_a_delivery_is_signed_per_standard_webhooks_and_verifies_with_its_library(
    api, platform_admin, receiver
):
    created = _register(api, platform_admin, receiver.url)
    row, status = _deliver_one(WebhookEndpoint.objects.get(public_id=created["id"]))

    request = receiver.requests[0]
    headers, body = request["headers"], request["body"]
    verifier = standardwebhooks.Webhook(created["secret"])
    assert status == "delivered" and request["path"] == "/hook"
    assert created["secret"].startswith("whsec_") and not webhooks.webhook_secret_is_legacy(created["secret"])
    assert (
        verifier.verify(body, headers)
        == json.loads(body)
        == {
            "id": str(row.event_id),
            "type": "subject.linked",
            "created_at": json.loads(body)["created_at"],
            "data": {"watch_ref": "s-1", "identifier_type": "phone"},
        }
    )
    assert headers["webhook-id"] == str(row.event_id) and headers["Content-Type"] == "application/json"
    assert abs(time.time() - int(headers["webhook-timestamp"])) < 60
    # A new endpoint never knew the old scheme: it gets only the standard headers.
    assert "X-Hub-Signature" not in headers and "X-Hub-Event-Id" not in headers
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        verifier.verify(body + b" ", headers)
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        verifier.verify(body, {**headers, "webhook-id": str(uuid.uuid4())})
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook(webhooks.webhook_secret_new()).verify(body, headers)


def test_a_replayed_delivery_with_an_old_timestamp_fails_verification(api, platform_admin, receiver):
    created = _register(api, platform_admin, receiver.url)
    event_id, old = str(uuid.uuid4()), int(time.time()) - 600
    body = b'{"id":"x"}'

    headers = webhooks.webhook_signature_headers(created["secret"], event_id, old, body)

    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError, match="too old"):
        standardwebhooks.Webhook(created["secret"]).verify(body, headers)


def _legacy_endpoint(member, url: str) -> tuple[WebhookEndpoint, str]:
    """An endpoint registered before Standard Webhooks: its secret is whsec_ + token_urlsafe(32)."""
    endpoint, _ = webhooks.webhook_register(url=url, actor=Actor(member=member))
    legacy = "whsec_" + secrets.token_urlsafe(32)
    RestrictedRecord.objects.filter(
        owner_type=webhooks.SECRET_OWNER, owner_id=str(endpoint.public_id)
    ).delete()
    restricted_store(
        owner_type=webhooks.SECRET_OWNER,
        owner_id=str(endpoint.public_id),
        field="secret",
        payload=legacy.encode(),
    )
    return endpoint, legacy


def test_an_endpoint_with_a_legacy_secret_verifies_both_ways_during_the_transition(
    platform_admin, receiver, settings
):
    settings.HUB_WEBHOOK_LEGACY_SIGNATURE_UNTIL = (timezone.now() + timedelta(days=1)).date().isoformat()
    endpoint, legacy = _legacy_endpoint(platform_admin, receiver.url)

    _row, status = _deliver_one(endpoint)

    headers, body = receiver.requests[0]["headers"], receiver.requests[0]["body"]
    # The receiver derives the standard form of the secret it already holds: same HMAC key, nothing re-issued.
    standard = "whsec_" + base64.b64encode(legacy.encode()).decode()
    assert status == "delivered" and webhooks.webhook_secret_is_legacy(legacy)
    assert standardwebhooks.Webhook(standard).verify(body, headers)["id"] == headers["webhook-id"]
    fields = dict(part.split("=", 1) for part in headers["X-Hub-Signature"].split(","))
    expected = hmac.new(legacy.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(fields["v1"], expected) and headers["X-Hub-Event-Id"] == headers["webhook-id"]
    assert webhooks.webhook_signature_verify(secret=legacy, header=headers["X-Hub-Signature"], body=body)
    assert not webhooks.webhook_signature_verify(
        secret=legacy, header=headers["X-Hub-Signature"], body=body + b" "
    )
    assert not webhooks.webhook_signature_verify(
        secret=legacy, header=headers["X-Hub-Signature"], body=body, now=time.time() + 600
    )


def test_after_the_transition_a_legacy_endpoint_gets_only_the_standard_headers(
    platform_admin, receiver, settings
):
    settings.HUB_WEBHOOK_LEGACY_SIGNATURE_UNTIL = (timezone.now() - timedelta(days=1)).date().isoformat()
    endpoint, legacy = _legacy_endpoint(platform_admin, receiver.url)

    _deliver_one(endpoint)

    headers, body = receiver.requests[0]["headers"], receiver.requests[0]["body"]
    assert "X-Hub-Signature" not in headers and "X-Hub-Event-Id" not in headers
    standard = "whsec_" + base64.b64encode(legacy.encode()).decode()
    assert standardwebhooks.Webhook(standard).verify(body, headers)["id"] == headers["webhook-id"]


def test_a_500_is_retried_after_the_backoff_and_every_attempt_is_logged(
    api, platform_admin, receiver, broker
):
    row = _events(platform_admin, receiver.url)[0]
    receiver.script = [500, 200]

    first = webhook_deliver_task(row.pk)
    too_soon = webhooks_sweep_task()
    row.refresh_from_db()
    backoff = row.next_attempt_at - timezone.now()
    _make_due(row)
    swept = webhooks_sweep_task()
    second = broker.run()

    row.refresh_from_db()
    attempts = list(row.delivery_attempts.order_by("number").values_list("number", "outcome", "status_code"))
    assert first == "pending" and too_soon == 0 and timedelta(seconds=25) < backoff <= timedelta(seconds=30)
    assert swept == 1 and second == ["delivered"] and row.status == "delivered" and row.attempts == 2
    assert attempts == [(1, "failed", 500), (2, "succeeded", 200)]
    assert receiver.event_ids() == [str(row.event_id)] * 2
    actions = list(AuditEvent.objects.filter(object_id=str(row.event_id)).values_list("action", "data_class"))
    assert actions == [
        ("sharing:webhook:delivery_failed", "shareable"),
        ("sharing:webhook:delivered", "shareable"),
    ]
    log = api(platform_admin).get(f"/api/v1/webhooks/{row.endpoint.public_id}/deliveries").json()["results"]
    assert [(e["event_id"], e["type"], e["status"], e["attempts"], e["last_status_code"]) for e in log] == [
        (str(row.event_id), "subject.linked", "delivered", 2, 200)
    ]


def test_a_redirect_to_another_host_is_never_followed(platform_admin, receiver):
    elsewhere = Receiver()
    row = _events(platform_admin, receiver.url)[0]
    receiver.script = [f"http://localhost:{elsewhere.server.server_port}/stolen"]

    status = webhook_deliver_task(row.pk)

    attempt = row.delivery_attempts.get()
    assert status == "pending" and len(receiver.requests) == 1 and elsewhere.requests == []
    assert (attempt.outcome, attempt.status_code, attempt.error) == ("failed", 302, "redirect_refused")
    elsewhere.server.shutdown()
    elsewhere.server.server_close()


def test_a_crash_between_commit_and_send_loses_nothing(
    platform_admin, receiver, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rows = _events(platform_admin, receiver.url, count=3)
    callbacks.clear()  # the process died before its commit hook enqueued anything

    swept = webhooks_sweep_task()
    delivered = broker.run()
    swept_again = webhooks_sweep_task()

    ids = sorted(str(r.event_id) for r in rows)
    assert swept == 3 and delivered == ["delivered"] * 3 and swept_again == 0
    assert sorted(receiver.event_ids()) == ids  # each event exactly once
    assert set(WebhookOutbox.objects.values_list("status", flat=True)) == {"delivered"}


def test_the_commit_hook_enqueues_and_a_duplicate_enqueue_sends_once(
    platform_admin, receiver, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        row = _events(platform_admin, receiver.url)[0]
    broker.queue.append(row.pk)  # the sweeper enqueued it too

    results = broker.run()

    assert results == ["delivered", "skipped"] and receiver.event_ids() == [str(row.event_id)]


@pytest.mark.parametrize("failure,error", [("close", "RemoteDisconnected"), ("hang", "TimeoutError")])
def test_a_delivery_cut_mid_way_stays_pending_and_a_later_sweep_delivers_it(
    platform_admin, receiver, broker, short_timeout, failure, error
):
    row = _events(platform_admin, receiver.url)[0]
    receiver.script = [failure]

    first = webhook_deliver_task(row.pk)
    row.refresh_from_db()
    pending_after = (row.status, row.attempts, row.last_error)
    _make_due(row)
    webhooks_sweep_task()
    later = broker.run()

    # The member sees a generic error; the cause is kept for operators on the attempt row.
    assert first == "pending" and pending_after == ("pending", 1, "delivery_failed")
    assert row.delivery_attempts.order_by("number").first().error == error
    assert later == ["delivered"] and receiver.event_ids() == [str(row.event_id)] * 2


def test_a_worker_killed_after_sending_is_retried_once_its_lease_ends(
    platform_admin, receiver, broker, monkeypatch
):
    row = _events(platform_admin, receiver.url)[0]

    def killed(*args, **kwargs):
        raise SystemExit("worker killed")

    with monkeypatch.context() as patch:
        patch.setattr(webhooks, "_settle", killed)
        with pytest.raises(SystemExit):
            webhook_deliver_task(row.pk)
    row.refresh_from_db()
    leased = (row.status, row.attempts, row.next_attempt_at > timezone.now())
    during_lease = webhooks_sweep_task()
    _make_due(row)
    webhooks_sweep_task()
    after_lease = broker.run()

    outcomes = list(row.delivery_attempts.order_by("number").values_list("outcome", flat=True))
    assert leased == ("pending", 1, True) and during_lease == 0 and after_lease == ["delivered"]
    assert outcomes == ["abandoned", "succeeded"]
    # At least once: the receiver saw the event twice and dedupes it by its id.
    assert receiver.event_ids() == [str(row.event_id)] * 2


@pytest.mark.django_db(transaction=True)
def test_a_row_another_worker_holds_is_skipped_not_waited_for(receiver, broker):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    row = _events(persona(K.PLATFORM, R.ADMIN), receiver.url)[0]
    broker.queue.clear()
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        with transaction.atomic():
            WebhookOutbox.objects.select_for_update().get(pk=row.pk)
            locked.set()
            release.wait(5)
        connection.close()

    holder = threading.Thread(target=other_worker)
    holder.start()
    locked.wait(5)
    result = webhook_deliver_task(row.pk)
    release.set()
    holder.join()

    assert result == "skipped" and receiver.requests == []


def test_after_the_last_attempt_the_event_is_given_up(platform_admin, receiver, broker, settings):
    settings.HUB_WEBHOOK_MAX_ATTEMPTS = 2
    row = _events(platform_admin, receiver.url)[0]
    receiver.script = [503, 503]

    first = webhook_deliver_task(row.pk)
    _make_due(row)
    webhooks_sweep_task()
    second = broker.run()
    _make_due(row)
    swept = webhooks_sweep_task()

    row.refresh_from_db()
    assert first == "pending" and second == ["failed"] and swept == 0
    assert (row.status, row.attempts, row.last_status_code) == ("failed", 2, 503)


def test_response_bodies_are_never_kept(platform_admin, receiver):
    row = _events(platform_admin, receiver.url)[0]
    receiver.script = [500]

    webhook_deliver_task(row.pk)

    kept = json.dumps(
        [list(m.objects.values()) for m in (WebhookOutbox, WebhookDeliveryAttempt, AuditEvent)], default=str
    )
    assert RESPONSE_CANARY.decode() not in kept


def test_backoff_doubles_from_thirty_seconds_and_is_capped(settings):
    settings.HUB_WEBHOOK_BACKOFF_MAX_SECONDS = 3600

    delays = [webhooks.webhook_backoff(n).total_seconds() for n in range(1, 10)]

    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_watched_seller_reported_and_accepted_reaches_the_platform(
    api, platform_admin, receiver, broker, django_capture_on_commit_callbacks
):
    seller = [{"type": "phone", "value": "+86 138 0013 8321"}]
    report = report_make_accepted(
        persona(K.RIGHTS_OWNER, R.REPORTER), persona(K.OPERATOR, R.REVIEWER), seller
    )
    analyst = member_make(platform_admin.organisation, R.ANALYST)
    watchlist_add(
        purpose="seller_onboarding",
        identifiers=[RawIdentifier(**seller[0])],
        ref="shop-991",
        actor=Actor(member=analyst),
    )
    created = _register(api, platform_admin, receiver.url)
    subject_id = report.identifiers.first().token.subject_id
    broker.queue.clear()

    with django_capture_on_commit_callbacks(execute=True):
        written = watchlist_notify(subject_ids={subject_id}, event="subject.linked", details={})
    delivered = broker.run()

    body = receiver.requests[0]["body"]
    assert written == 1 and delivered == ["delivered"]
    assert json.loads(body)["data"] == {"watch_ref": "shop-991"}
    assert standardwebhooks.Webhook(created["secret"]).verify(body, receiver.requests[0]["headers"])
    assert b"8321" not in body and str(uuid.UUID(json.loads(body)["id"])) == json.loads(body)["id"]

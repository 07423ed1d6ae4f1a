"""Webhook endpoints and the delivery of outbox events to them.

How members receive and verify events is RECEIVER_GUIDE below (also in the API docs).

Delivery. An event is a `WebhookOutbox` row written in the transaction of the change
it reports. A worker claims a due row under a row lock, leases it and commits, posts
outside any transaction, then records the attempt and the row's new state with an
audit event. A worker that dies mid-way leaves the row pending with an expired lease;
the sweeper finds it and enqueues it again, so the database, not the broker, decides
what is still to be sent.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import http.client
import json
import logging
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NoReturn
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from standardwebhooks import Webhook

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.purposes import organisation_purposes
from accounts.roles import Capability
from accounts.scoped import scoped_get
from accounts.transfers.models import TransferChannel
from accounts.transfers.services import transfer_basis, transfer_record
from hub.errors import ConflictError, DomainError, NotFoundError
from hub.tasks_enqueue import enqueue_after_commit, enqueue_now, task_named
from sharing import locks
from sharing.models import (
    AttemptOutcome,
    OutboxStatus,
    RestrictedRecord,
    WatchEntry,
    WebhookDeliveryAttempt,
    WebhookEndpoint,
    WebhookOutbox,
)
from sharing.restricted.services.restricted import restricted_open, restricted_store
from sharing.watchlists.services.outbound_http import (
    AddressRefused,
    address_allowed,
    host_is_local_name,
    host_literal,
    host_name,
    post_pinned,
)

SECRET_OWNER = "webhook_endpoint"
SECRET_PREFIX = "whsec_"
SIGNATURE_TOLERANCE_SECONDS = 300
USER_AGENT = "infringer-intelligence-hub-webhooks/1"
DELIVERY_FAILED = "delivery_failed"

logger = logging.getLogger(__name__)

RECEIVER_GUIDE = """Each event is a POST of JSON `{"id", "type", "created_at", "data"}` signed per the Standard
Webhooks specification (https://www.standardwebhooks.com/), with the headers

    Content-Type: application/json
    webhook-id: <the event id>
    webhook-timestamp: <unix seconds>
    webhook-signature: v1,<base64 HMAC-SHA256(key, f"{id}.{timestamp}.{raw body}")>

where the key is the base64 part of the `whsec_...` secret returned once when the endpoint was
registered. Any Standard Webhooks library verifies it, e.g. in Python
`standardwebhooks.Webhook(secret).verify(raw_body, headers)`. Endpoints registered before
this scheme hold an older secret (whsec_ followed by URL-safe text): their key is unchanged,
and its Standard Webhooks form is "whsec_" + base64(the old secret's UTF-8 bytes); until
HUB_WEBHOOK_LEGACY_SIGNATURE_UNTIL (2027-06-30 by default) they also receive the old
headers `X-Hub-Event-Id` and `X-Hub-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(old
secret, f"{t}.{raw body}")>`. A receiver should (1) verify the signature over the raw body
bytes exactly as received, in constant time; (2) reject a timestamp more than five minutes
from its own clock, so a captured request cannot be replayed later (the libraries do both);
(3) remember the event ids it has processed and ignore repeats: delivery is at least once, and a retry
or a recovered crash may send the same event again. Answer 2xx quickly once the event
is stored. Anything else, a redirect included (the hub never follows one), is retried
with exponential backoff (by default 30 s doubling, capped at an hour) and given up
after 8 attempts; `GET /api/v1/webhooks/{id}/deliveries` shows each event's state (an answer's
status code, or `delivery_failed` when no answer came: the hub posts only to public addresses
of the endpoint's host, resolved when it connects). Each change sends at most one event
per watched seller (your `data.watch_ref`, however many identifiers you watch under it):
`subject.level_changed` (`data.from`, the level you were last told for that seller;
`data.to`; `data.linked`, whether the change also linked one of its identifiers to a
reported seller), or, when the level stayed the same, `subject.linked` (`data.level`)."""

# Sent by name (hub/tasks_enqueue.py says why); sharing/watchlists/tasks.py registers it.
DELIVER_TASK = "sharing.tasks.webhook_deliver_task"


# Registering, listing and removing endpoints.


@transaction.atomic
def webhook_register(*, url: str, actor: Actor) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its signing secret, which is never shown again."""
    require(actor, Capability.WEBHOOK_MANAGE)
    url = webhook_url_validate(url)
    if (
        WebhookEndpoint.objects.filter(organisation=actor.organisation, active=True).count()
        >= settings.HUB_WEBHOOK_MAX_ENDPOINTS
    ):
        raise ConflictError(
            gettext("An organisation has at most %(count)s webhook endpoints.")
            % {"count": settings.HUB_WEBHOOK_MAX_ENDPOINTS}
        )
    endpoint = WebhookEndpoint.objects.create(
        organisation=actor.organisation, url=url, created_by=actor.member
    )
    secret = webhook_secret_new()
    # Sealed like every secret at rest, so KEK rotation re-wraps it with the rest.
    restricted_store(
        owner_type=SECRET_OWNER, owner_id=str(endpoint.public_id), field="secret", payload=secret.encode()
    )
    audit_record(
        actor=actor,
        tag=AuditTag.WEBHOOK_REGISTERED,
        target=endpoint,
        data_class=DataClass.ADMINISTRATIVE,
        details={"host": urlsplit(url).hostname},
    )
    return endpoint, secret


def webhook_endpoints_of(*, actor: Actor) -> QuerySet[WebhookEndpoint]:
    """The actor's organisation's active endpoints, newest first."""
    require(actor, Capability.WEBHOOK_MANAGE)
    return WebhookEndpoint.objects.filter(organisation=actor.organisation, active=True).order_by(
        "-created_at", "-id"
    )


def webhook_endpoints_page_audit(*, actor: Actor, page: list[WebhookEndpoint]) -> None:
    audit_record(
        actor=actor,
        tag=AuditTag.WEBHOOK_LISTED,
        data_class=DataClass.ADMINISTRATIVE,
        target_type="webhookendpoint",
        details={"count": len(page), "ids": [str(e.public_id) for e in page]},
    )


def webhook_endpoint_get(*, actor: Actor, public_id, tag: AuditTag) -> WebhookEndpoint:
    """One active endpoint of the actor's organisation, or NotFound (another's is not there)."""
    return scoped_get(
        actor=actor,
        queryset=webhook_endpoints_of(actor=actor),
        public_id=public_id,
        tag=tag,
        target_type="webhookendpoint",
        noun=gettext_noop("webhook endpoint"),
    )


def webhook_remove(*, public_id, actor: Actor) -> None:
    """Deactivate an endpoint, cancel what it still had to receive and destroy its secret."""
    # Found (or refused) outside the write's transaction, so a refusal stays on record.
    _webhook_deactivate(
        endpoint=webhook_endpoint_get(actor=actor, public_id=public_id, tag=AuditTag.WEBHOOK_REMOVED),
        actor=actor,
    )


@transaction.atomic
def _webhook_deactivate(*, endpoint: WebhookEndpoint, actor: Actor) -> None:
    endpoint = locks.lock_webhook_endpoint(endpoint)
    if not endpoint.active:  # a concurrent removal got here first
        raise NotFoundError(gettext("No such webhook endpoint."))
    endpoint.active, endpoint.removed_at = False, timezone.now()
    endpoint.save(update_fields=["active", "removed_at"])
    cancelled = endpoint.outbox.filter(status=OutboxStatus.PENDING).update(status=OutboxStatus.CANCELLED)
    RestrictedRecord.objects.filter(owner_type=SECRET_OWNER, owner_id=str(endpoint.public_id)).delete()
    audit_record(
        actor=actor,
        tag=AuditTag.WEBHOOK_REMOVED,
        target=endpoint,
        data_class=DataClass.ADMINISTRATIVE,
        details={"cancelled": cancelled},
    )


def webhook_deliveries_of(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookOutbox]:
    """The endpoint's delivery log, newest event first."""
    return endpoint.outbox.order_by("-created_at", "-id")


def webhook_deliveries_page_audit(
    *, actor: Actor, endpoint: WebhookEndpoint, page: list[WebhookOutbox]
) -> None:
    audit_record(
        actor=actor,
        tag=AuditTag.WEBHOOK_DELIVERIES_LISTED,
        target=endpoint,
        data_class=DataClass.ADMINISTRATIVE,
        details={"count": len(page), "events": [str(row.event_id) for row in page]},
    )


def webhook_url_validate(url: str) -> str:
    """Return the URL if the hub may post to it: https in production, never credentials."""
    url = url.strip()
    if any(c.isspace() or ord(c) < 32 for c in url):
        _invalid_url("A webhook URL may not contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a malformed port)
    except ValueError:
        _invalid_url("Not a valid URL.")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        _invalid_url("Give an absolute https:// URL.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        _invalid_url("A webhook URL may not carry credentials; events are signed instead.")
    if settings.PRODUCTION and parts.scheme != "https":
        _invalid_url("Webhook URLs must use https.")
    if not _host_may_be_public(parts.hostname):
        _invalid_url("Webhook URLs must name a public host.")
    if not settings.PRODUCTION and parts.scheme == "http" and not _is_loopback(parts.hostname):
        _invalid_url("Plain http is allowed only to localhost; use https.")
    return url


def _invalid_url(message: str) -> NoReturn:
    raise DomainError(message, fields={"url": [message]})


def _host_may_be_public(host: str) -> bool:
    """Early refusal of what is plainly not public (any spelling of an internal address, local names in
    production); the final word is outbound_http's check of the addresses the name resolves to when posting."""
    literal = host_literal(host)
    if literal is not None:
        return address_allowed(literal)
    return not (settings.PRODUCTION and host_is_local_name(host))


def _is_loopback(host: str) -> bool:
    literal = host_literal(host)
    return (
        host_name(host) == "localhost"
        or host_name(host).endswith(".localhost")
        or bool(literal and literal.is_loopback)
    )


# Writing events (the transactional outbox).


def webhook_events_write(
    *, event_type: str, events: list[tuple[WebhookEndpoint, dict]], now: datetime
) -> list[WebhookOutbox]:
    """Write one outbox row per (endpoint, data) in the caller's transaction; enqueue them after it commits."""
    rows = []
    for endpoint, data in events:
        event_id = uuid.uuid4()
        payload = {"id": str(event_id), "type": event_type, "created_at": now.isoformat(), "data": data}
        rows.append(
            WebhookOutbox.objects.create(
                event_id=event_id,
                endpoint=endpoint,
                event_type=event_type,
                created_at=now,
                next_attempt_at=now,
                body=json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), sort_keys=True),
            )
        )
    if rows:
        # A broker that is down must not fail the caller's committed change; the sweeper sends them.
        enqueue_after_commit(task_named(DELIVER_TASK), [row.pk for row in rows])
    return rows


def _enqueue_deliveries(outbox_ids: list[int]) -> None:
    enqueue_now(task_named(DELIVER_TASK), outbox_ids)


def webhooks_sweep() -> int:
    """Enqueue pending rows that are due (new, backed off, or with an expired lease); returns how many."""
    due = list(
        WebhookOutbox.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[: settings.HUB_WEBHOOK_SWEEP_BATCH]
    )
    # A row enqueued twice (sweeper and commit hook, or two sweeps during a backlog) is
    # claimed once: the second task finds it leased or delivered and stops.
    _enqueue_deliveries(due)
    return len(due)


# Delivering one event.


@dataclass(frozen=True)
class _Claim:
    outbox_id: int
    attempt_id: int
    number: int
    event_id: str
    url: str
    body: bytes
    secret: str


@dataclass(frozen=True)
class _Response:
    status_code: int | None
    error: str = ""  # what the member sees
    detail: str = ""  # why, for operators (the attempt row and the log)

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def webhook_deliver(*, outbox_id: int) -> str:
    """Try one outbox row once if it is pending and due; returns its status afterwards, or "skipped"."""
    claim = _claim(outbox_id)
    if claim is None:
        return "skipped"
    response = _post(claim)
    return _settle(claim, response)


@transaction.atomic
def _claim(outbox_id: int) -> _Claim | None:
    now = timezone.now()
    # skip_locked: a row another worker is claiming at this moment is theirs (a no-op on SQLite).
    row = locks.lock_outbox_to_claim(
        WebhookOutbox.objects.filter(pk=outbox_id, status=OutboxStatus.PENDING, next_attempt_at__lte=now)
    )
    if row is None:
        return None
    if not row.endpoint.active or row.attempts >= settings.HUB_WEBHOOK_MAX_ATTEMPTS:
        _give_up(row, now, "endpoint_removed" if not row.endpoint.active else "attempts_exhausted")
        return None
    if transfer_basis(row.endpoint.organisation) is None:
        # Nothing leaves for a jurisdiction the deployment names no transfer basis for (accounts/transfers/).
        _give_up(row, now, "no_transfer_basis")
        return None
    if not _watch_purpose_holds(row):
        # The watched seller's entries lost their allowed purpose since the event was written.
        _give_up(row, now, "no_allowed_purpose")
        return None
    # An attempt still in flight here belongs to a worker that died before recording it.
    row.delivery_attempts.filter(outcome=AttemptOutcome.IN_FLIGHT).update(
        outcome=AttemptOutcome.ABANDONED, finished_at=now
    )
    row.attempts += 1
    row.last_attempt_at = now
    # The lease: nobody else claims the row until it ends, and the sweeper retries it after.
    row.next_attempt_at = now + timedelta(seconds=settings.HUB_WEBHOOK_LEASE_SECONDS)
    row.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
    attempt = WebhookDeliveryAttempt.objects.create(outbox=row, number=row.attempts, started_at=now)
    return _Claim(
        outbox_id=row.pk,
        attempt_id=attempt.pk,
        number=row.attempts,
        event_id=str(row.event_id),
        url=row.endpoint.url,
        body=row.body.encode(),
        secret=_secret_of(row.endpoint),
    )


def _watch_purpose_holds(row: WebhookOutbox) -> bool:
    """Whether a watch event's seller (its `watch_ref`) is still watched under an allowed purpose;
    events that are not about a watched seller pass."""
    ref = json.loads(row.body).get("data", {}).get("watch_ref")
    if ref is None:
        return True
    organisation = row.endpoint.organisation
    return WatchEntry.objects.filter(
        organisation=organisation, ref=ref, purpose__in=organisation_purposes(organisation)
    ).exists()


def _secret_of(endpoint: WebhookEndpoint) -> str:
    # The hub's own signing secret, not member intelligence: opening it is no disclosure.
    record = RestrictedRecord.objects.get(
        owner_type=SECRET_OWNER, owner_id=str(endpoint.public_id), field="secret"
    )
    return restricted_open(record).decode()


def _post(claim: _Claim) -> _Response:
    """POST the signed body once to a public address of the endpoint's host; never read or keep the response body."""
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    headers.update(webhook_signature_headers(claim.secret, claim.event_id, int(time.time()), claim.body))
    try:
        status = post_pinned(
            claim.url, body=claim.body, headers=headers, timeout=settings.HUB_WEBHOOK_TIMEOUT_SECONDS
        )
    except AddressRefused as exc:
        return _failed(claim, str(exc))
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return _failed(claim, type(exc).__name__)
    if 300 <= status < 400:
        return _Response(status, "redirect_refused")  # signed events are never re-sent to another address
    return _Response(status, "" if 200 <= status < 300 else "http_status")


def _failed(claim: _Claim, detail: str) -> _Response:
    # The member's delivery log and audit show one generic error: a refused address, a closed port and a
    # timeout must look alike, or the log maps the operator's network. The detail is for operators only.
    logger.warning("webhook delivery failed: event %s attempt %s: %s", claim.event_id, claim.number, detail)
    return _Response(None, DELIVERY_FAILED, detail=detail[:60])


@transaction.atomic
def _settle(claim: _Claim, response: _Response) -> str:
    now = timezone.now()
    row = locks.lock_outbox_to_settle(claim.outbox_id)
    outcome = AttemptOutcome.SUCCEEDED if response.succeeded else AttemptOutcome.FAILED
    WebhookDeliveryAttempt.objects.filter(pk=claim.attempt_id).update(
        outcome=outcome,
        status_code=response.status_code,
        error=response.detail or response.error,
        finished_at=now,
    )
    # Past its lease another worker may own the row now: a failure of ours then changes nothing.
    if row.status == OutboxStatus.PENDING and (response.succeeded or row.attempts == claim.number):
        _apply(row, response, now)
    if response.succeeded:
        transfer_record(
            organisation=row.endpoint.organisation,
            channel=TransferChannel.WEBHOOK,
            target_type="webhook_event",
            target_id=str(row.event_id),
        )
    _audit_attempt(row, number=claim.number, response=response)
    return row.status


def _apply(row: WebhookOutbox, response: _Response, now: datetime) -> None:
    row.last_status_code, row.last_error = response.status_code, response.error
    if response.succeeded:
        row.status, row.delivered_at = OutboxStatus.DELIVERED, now
    elif row.attempts >= settings.HUB_WEBHOOK_MAX_ATTEMPTS:
        row.status = OutboxStatus.FAILED
    else:
        row.next_attempt_at = now + webhook_backoff(row.attempts)
    row.save(update_fields=["status", "delivered_at", "next_attempt_at", "last_status_code", "last_error"])


def webhook_backoff(attempts: int) -> timedelta:
    """How long to wait after the n-th failed attempt: BASE × 2^(n-1), capped."""
    seconds = settings.HUB_WEBHOOK_BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.HUB_WEBHOOK_BACKOFF_MAX_SECONDS))


def _give_up(row: WebhookOutbox, now: datetime, reason: str) -> None:
    cancelled = reason in {"endpoint_removed", "no_allowed_purpose"}
    row.status = OutboxStatus.CANCELLED if cancelled else OutboxStatus.FAILED
    row.last_error = reason
    row.save(update_fields=["status", "last_error"])
    _audit_attempt(row, number=row.attempts, response=_Response(None, reason))


def _audit_attempt(row: WebhookOutbox, *, number: int, response: _Response) -> None:
    # The event carries shareable intelligence to one organisation; no URL, body or response here.
    audit_record(
        actor=None,
        tag=AuditTag.WEBHOOK_DELIVERED if response.succeeded else AuditTag.WEBHOOK_DELIVERY_FAILED,
        data_class=DataClass.SHAREABLE,
        target_type="webhook_event",
        target_id=str(row.event_id),
        details={
            "organisation": str(row.endpoint.organisation.public_id),
            "endpoint": str(row.endpoint.public_id),
            "event_type": row.event_type,
            "attempt": number,
            "status_code": response.status_code,
            "error": response.error,
            "status": row.status,
        },
    )


# Signatures: Standard Webhooks (https://www.standardwebhooks.com/), signed by its own library.


def webhook_secret_new() -> str:
    """A new endpoint's secret in the specification's form: whsec_ + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def webhook_secret_is_legacy(secret: str) -> bool:
    """Whether the secret was issued before Standard Webhooks: whsec_ + token_urlsafe(32), 43 characters
    of URL-safe text, which is never valid padded base64 (a new secret always is)."""
    try:
        base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        return True
    return False


def webhook_secret_standard(secret: str) -> str:
    """The secret in Standard Webhooks form. A legacy secret's HMAC key was its whole UTF-8 text; the same
    key in the standard form is whsec_ + base64(that text), so its receivers keep their secret and need no
    new one from the hub (they derive this form themselves)."""
    if webhook_secret_is_legacy(secret):
        return SECRET_PREFIX + base64.b64encode(secret.encode()).decode()
    return secret


def webhook_signature_headers(secret: str, event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers that sign one delivery: webhook-id, webhook-timestamp and webhook-signature; an endpoint
    with a legacy secret also gets X-Hub-Event-Id and X-Hub-Signature until the transition ends."""
    signed_at = datetime.fromtimestamp(timestamp, tz=UTC)
    headers = {
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": Webhook(webhook_secret_standard(secret)).sign(
            event_id, signed_at, body.decode()
        ),
    }
    if webhook_secret_is_legacy(secret) and signed_at.date() <= _legacy_signature_until():
        headers["X-Hub-Event-Id"] = event_id
        headers["X-Hub-Signature"] = webhook_signature(secret, timestamp, body)
    return headers


def _legacy_signature_until() -> date:
    return date.fromisoformat(settings.HUB_WEBHOOK_LEGACY_SIGNATURE_UNTIL)


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """The legacy X-Hub-Signature value (endpoints registered before Standard Webhooks, until the transition
    ends): t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>." ‖ body)>."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def webhook_signature_verify(
    *,
    secret: str,
    header: str,
    body: bytes,
    now: float | None = None,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
) -> bool:
    """What a receiver of the legacy X-Hub-Signature checks: a fresh timestamp and a matching HMAC."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = webhook_signature(secret, timestamp, body).split(",v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))

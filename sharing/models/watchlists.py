"""Watchlists and webhooks: members watch their own sellers' tokens and hear about them by webhook.

The outbox row is the record of an event: it is written in the transaction of the
change it reports and stays pending until a delivery succeeds or gives up, so a crash
or a lost broker message delays a notification but never loses it.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubcore.identifiers.types import IdentifierType
from sharing.models.identifiers import IDENTIFIER_TYPE_CHOICES


class WatchEntry(models.Model):
    """One token of a member's own seller: the member hears when it links into a subject."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    # The storage form "<storage key version>:<AES-SIV of the token>", like IdentifierToken.token.
    token = models.CharField(max_length=200)
    identifier_type = models.CharField(max_length=40, choices=IDENTIFIER_TYPE_CHOICES)
    # The member's own reference for the seller (an account id, say), sent back in its events.
    ref = models.CharField(max_length=200)
    # The level the member's endpoints were last told for this seller (every entry of one ref
    # carries the same value): the `from` of its next event, so receivers never hear a jump
    # from a level they were not told.
    last_level = models.CharField(max_length=12, default="none")
    created_by = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The purpose the member stated (accounts/purposes.py); "" on entries older than purpose limitation.
    purpose = models.CharField(max_length=30, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "token"], name="watch_entry_unique_token"),
            models.CheckConstraint(
                condition=Q(identifier_type__in=IdentifierType.values), name="watch_entry_type_known"
            ),
        ]
        # Notifications look entries up by token across every organisation.
        indexes = [models.Index(fields=["token"], name="watch_entry_token_idx")]

    def __str__(self) -> str:
        return f"watch {self.public_id}"


class WebhookEndpoint(models.Model):
    """Where an organisation wants its events; the signing secret is sealed in the restricted tier."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    url = models.CharField(max_length=2000)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(active=True, removed_at__isnull=True) | Q(active=False, removed_at__isnull=False),
                name="webhook_endpoint_removed_when_inactive",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "active"], name="webhook_endpoint_org_idx")]

    def __str__(self) -> str:
        return f"webhook {self.public_id}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class WebhookOutbox(models.Model):
    """One event for one endpoint, from the moment it happened until it is delivered or given up."""

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.PROTECT, related_name="outbox")
    event_type = models.CharField(max_length=40)
    # The exact JSON that is sent and signed, so every retry carries the same bytes.
    body = models.TextField()
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # When the row may next be tried; while a delivery is under way, the end of its lease.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OutboxStatus.values), name="webhook_outbox_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=OutboxStatus.DELIVERED) | Q(delivered_at__isnull=False),
                name="webhook_outbox_delivered_has_time",
            ),
        ]
        # The sweeper's query: pending rows that are due.
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} ({self.status})"


class AttemptOutcome(models.TextChoices):
    IN_FLIGHT = "in_flight", _("In flight")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    # The worker died between sending and recording; a later attempt took over.
    ABANDONED = "abandoned", _("Abandoned")


class WebhookDeliveryAttempt(models.Model):
    """One try of one outbox row: the status code or the error class, never the response body."""

    outbox = models.ForeignKey(WebhookOutbox, on_delete=models.CASCADE, related_name="delivery_attempts")
    number = models.PositiveIntegerField()
    outcome = models.CharField(
        max_length=10, choices=AttemptOutcome.choices, default=AttemptOutcome.IN_FLIGHT
    )
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=60, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["outbox", "number"], name="webhook_attempt_unique_number"),
            models.CheckConstraint(
                condition=Q(outcome__in=AttemptOutcome.values), name="webhook_attempt_outcome_known"
            ),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.outbox_id}: {self.outcome}"

"""CrossBorderTransfer: shareable data sent to a member outside the data's residency, with its basis."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.jurisdiction import TransferBasis


class TransferChannel(models.TextChoices):
    """Every path by which shareable data reaches a member (accounts/transfers/services.py)."""

    CHECK = "check", _("Check")
    BULK_RESULTS = "bulk_results", _("Bulk screening results")
    WATCH = "watch", _("Watchlist")
    WEBHOOK = "webhook", _("Webhook delivery")
    FEED = "feed", _("Feed")
    OUTCOMES = "outcomes", _("Outcomes and statistics")
    PACKAGE = "package", _("Disclosure package")
    SALES_TOTALS = "sales_totals", _("Released sales totals")


class CrossBorderTransfer(models.Model):
    """One delivery abroad, written in the transaction of the delivery it records (PIPL Art. 38-40,
    GDPR Chapter V); a record of processing, so it names ids only, never what was sent."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        "accounts.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    origin = models.CharField(max_length=2)
    destination = models.CharField(max_length=2)
    basis = models.CharField(max_length=40, choices=TransferBasis.choices)
    channel = models.CharField(max_length=20, choices=TransferChannel.choices)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(origin=models.F("destination")), name="transfer_crosses_a_border"
            ),
            models.CheckConstraint(condition=Q(basis__in=TransferBasis.values), name="transfer_basis_known"),
            models.CheckConstraint(
                condition=Q(channel__in=TransferChannel.values), name="transfer_channel_known"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "occurred_at"], name="transfer_by_organisation")]

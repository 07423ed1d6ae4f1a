"""Parcel events: what a logistics member did with a parcel (seized, refused, returned, held at customs).

A logistics member records one with the parcel's sender identifiers and waybill (tokenised on arrival,
the raw values dropped: only `tokens` are stored), where it came from and what kind of goods, either as
evidence toward one of its own reports or as feedback on a hit its own screening matched. The events of a
subject are counted (never listed) in the check answer and in the rights owner's outcomes, the subject
derived through the tokens at read time; only the recording organisation sees its events one by one.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharing.models.reports import Category


class ParcelEventKind(models.TextChoices):
    SEIZED = "seized", _("Seized")
    REFUSED = "refused", _("Refused")
    RETURNED = "returned", _("Returned")
    CUSTOMS_HOLD = "customs_hold", _("Customs hold")


class ParcelEvent(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Always a logistics organisation (parcel_event_record refuses any other kind).
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=ParcelEventKind.choices)
    occurred_at = models.DateTimeField()
    # ISO 3166-1 alpha-2 ("CN") or an ISO 3166-2 subdivision ("CN-GD"), upper case.
    origin_region = models.CharField(max_length=6)
    category = models.CharField(max_length=20, choices=Category.choices)
    # Evidence toward one of the organisation's own reports; kept, detached, when the report is purged.
    report = models.ForeignKey(
        "sharing.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="parcel_events"
    )
    # Or feedback on a hit: the check id (or bulk job id) of the organisation's own screening that matched.
    hit_reference = models.CharField(max_length=64, blank=True, default="")
    # The sender identifiers and the waybill, as tokens; the subject is read through them at read time.
    tokens = models.ManyToManyField("sharing.IdentifierToken", related_name="parcel_events")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ParcelEventKind.values), name="parcel_event_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="parcel_event_category_known"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "recorded_at"], name="parcel_event_org_recorded_idx"),
            models.Index(fields=["recorded_at"], name="parcel_event_recorded_idx"),
        ]

    def __str__(self) -> str:
        return f"parcel event {self.public_id} ({self.kind})"

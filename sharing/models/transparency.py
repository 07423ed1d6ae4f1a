"""A published quarterly transparency report: its signed JSON document, stored once, never changed."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class TransparencyReport(models.Model):
    """One quarter's report as published: the exact bytes served and the hub's signature over them.

    Written once after the quarter ends (sharing/transparency/services.py); the database refuses an
    update or a delete of a row (migration 0024's triggers), so what was signed stays what is served."""

    period = models.CharField(max_length=7, unique=True)  # "2026-Q3"
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()  # exclusive
    document = models.TextField()  # hubcore.transparency.document_bytes, as UTF-8 text
    signature = models.TextField()  # the detached signed note
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="transparency_report_period_order",
            ),
        ]

    def __str__(self) -> str:
        return self.period

"""What sweep detection keeps: counts per organisation and window, never a raw value."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SweepWindow(models.Model):
    """Checks and misses, and answered bulk rows and their misses, of one organisation in one hour."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    window_start = models.DateTimeField()
    checks = models.PositiveIntegerField(default=0)
    misses = models.PositiveIntegerField(default=0)
    bulk_rows = models.PositiveIntegerField(default=0)
    bulk_misses = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "window_start"], name="sweep_window_unique")
        ]


class SweepProbe(models.Model):
    """One distinct identifier an organisation checked inside a block of neighbouring numbers.

    The block is a keyed hash of the number without its last digits, the probe a
    prefix of the (shareable) token: many distinct probes in one block within an
    hour is what walking a number range looks like.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    window_start = models.DateTimeField()
    block = models.CharField(max_length=64)
    probe = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "window_start", "block", "probe"], name="sweep_probe_unique"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "window_start", "block"])]


class Canary(models.Model):
    """An identifier planted by operators that no honest member has reason to check."""

    token = models.CharField(max_length=200, unique=True)  # storage form, like IdentifierToken.token
    identifier_type = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    planted_by = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="+")
    planted_at = models.DateTimeField(default=timezone.now)

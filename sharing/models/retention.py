"""Legal holds: an operator keeps a report, or a seller's tokens, from every retention purge.

A hold names a report or a set of tokens: one token, or every token of a subject when the hold was placed. Tokens,
not the subject row, because subjects are merged and split as reports come and go (subjects.py),
while a hold must keep the same seller whatever its subject becomes; `subject_ref` keeps the
subject's public id for the operator's reference. A hold is released, never deleted.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone


class LegalHold(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Detached (SET_NULL) only when a released hold's report is purged; `report_ref` keeps its id.
    report = models.ForeignKey(
        "sharing.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="legal_holds"
    )
    report_ref = models.UUIDField(null=True, blank=True)
    # IdentifierToken primary keys the hold keeps (a token's, or a subject's tokens when placed).
    tokens = models.JSONField(default=list, blank=True)
    subject_ref = models.UUIDField(null=True, blank=True)
    reason = models.TextField()
    placed_by = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(
        "accounts.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="legal_hold_has_reason"),
            models.CheckConstraint(
                condition=Q(report_ref__isnull=False) | ~Q(tokens=[]), name="legal_hold_holds_something"
            ),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | Q(released_by__isnull=False),
                name="legal_hold_release_has_officer",
            ),
        ]

    def __str__(self) -> str:
        return f"legal hold {self.public_id}"

    @property
    def active(self) -> bool:
        return self.released_at is None

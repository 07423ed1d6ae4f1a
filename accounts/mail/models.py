"""OutboundMail: one message the hub sends, queued with the transaction that decided it.

The address is personal data: it is mailed to and nowhere else (not in logs, audit rows, alerts or task
arguments, which name the row by its id and what it is about by type and public id). The body may hold
a one-time link, so it is cleared once the message is sent or given up.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboundMail(models.Model):
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # The exception's class name only: its text may carry the address or the server's reply.
    last_error_kind = models.CharField(max_length=100, blank=True)
    # After HUB_MAIL_MAX_ATTEMPTS failed tries the sweep stops and raises an operator alert.
    gave_up_at = models.DateTimeField(null=True, blank=True)
    # What the message is about, for audit and debugging: a model name and its public id, never the address.
    about_type = models.CharField(max_length=50, blank=True)
    about_id = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True, gave_up_at__isnull=True),
                name="mail_queued",
            ),
            models.Index(fields=["about_type", "about_id"], name="mail_about"),
        ]

    def __str__(self) -> str:
        return f"mail {self.pk} about {self.about_label}"

    @property
    def about_label(self) -> str:
        return f"{self.about_type} {self.about_id}" if self.about_type else "nothing in particular"

    @property
    def state(self) -> str:
        if self.sent_at is not None:
            return "sent"
        return "given up" if self.gave_up_at is not None else "queued"

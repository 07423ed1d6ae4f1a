"""An invitation to join an organisation in a role: a one-time, expiring link whose token is stored hashed."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from accounts.roles import Role


class Invitation(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    # Lower-cased; becomes the member's username. Personal data: never in audit rows or logs.
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    # SHA-256 of the one-time token; the token itself is only in the mail (or the command's output).
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        "accounts.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    member = models.OneToOneField(
        "accounts.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="invitation"
    )

    class Meta:
        app_label = "accounts"

    def __str__(self) -> str:
        return f"invitation {self.public_id}"

    @property
    def status(self) -> str:
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

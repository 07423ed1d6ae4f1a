"""The restricted tier: envelope-encrypted payloads that only a court disclosure may open."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class RestrictedRecord(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner_type = models.CharField(max_length=40)
    owner_id = models.CharField(max_length=64)
    field = models.CharField(max_length=60)
    data_class = models.CharField(max_length=20, default="restricted")
    kek_version = models.PositiveIntegerField()
    wrapped_key = models.BinaryField()
    ciphertext = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner_type", "owner_id", "field"], name="restricted_record_unique_field"
            ),
            models.CheckConstraint(
                condition=models.Q(data_class="restricted"), name="restricted_record_class"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner_type}:{self.owner_id}/{self.field}"

"""The listed person's own route: proving control of an identifier, and what they asked of the hub.

Nothing here holds a raw identifier or a code: the identifier is its token (the keyed hash checks
compute) in its storage form, sealed under the token storage key as IdentifierToken.token is (found by
its lookup forms, re-sealed by a storage key rotation); the one-time code a keyed hash of it. A rectification's own words are sealed in the
restricted tier (owner type "rectification"), never here.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

# Identifier types a person proves control of: the ones the hub can send a code to.
PROVABLE_TYPES = ("email", "phone")


class IdentifierChallenge(models.Model):
    """One one-time code sent to an identifier; proven once, within its expiry and attempt limit."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    identifier_type = models.CharField(max_length=40)
    token = models.CharField(max_length=200, db_index=True)  # storage form, like IdentifierToken.token
    key_version = models.PositiveIntegerField()
    # HMAC-SHA256 of the code under the hub's secret, bound to this challenge's public id.
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    proven_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(identifier_type__in=PROVABLE_TYPES), name="identifier_challenge_type_provable"
            ),
            models.CheckConstraint(
                condition=Q(attempts__lte=5), name="identifier_challenge_at_most_5_attempts"
            ),
        ]


class RectificationRequest(models.Model):
    """A listed person says what is wrong; the words are sealed (restricted tier), the reporters told."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    identifier_type = models.CharField(max_length=40)
    token = models.CharField(max_length=200, db_index=True)  # storage form, like IdentifierToken.token
    reports = models.ManyToManyField("sharing.Report", related_name="rectification_requests")
    created_at = models.DateTimeField(default=timezone.now)

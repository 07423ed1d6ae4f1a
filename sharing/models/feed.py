"""The feed's store: every version of every STIX object the TAXII feed has published, append-only.

A subject's shareable state is published as one STIX object whose versions share an id; a
withdrawal publishes a last version with `revoked: true`, so a mirror drops it. Rows are never
updated: `sequence` (the primary key) orders them, and `date_added` strictly increases with it
under the feed clock's lock (sharing/locks.py), so paging by either never skips or repeats one.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.purposes import Purpose


class FeedClock(models.Model):
    """One row: the last `date_added` given out. Locked by every publication until it commits, so
    versions become visible in `date_added` order and a poller's `added_after` never skips one."""

    last_added = models.DateTimeField(null=True)


class FeedObjectVersion(models.Model):
    """One version of one STIX object in one TAXII collection."""

    sequence = models.BigAutoField(primary_key=True)
    collection = models.CharField(max_length=64)
    stix_id = models.CharField(max_length=100)
    stix_type = models.CharField(max_length=64)
    # The STIX `modified` (or `created` for objects that are never versioned): the TAXII version.
    version = models.DateTimeField()
    date_added = models.DateTimeField(unique=True)
    revoked = models.BooleanField(default=False)
    # The subject this object describes, by primary key and not a foreign key: a subject merged
    # away is deleted, and its object must still be found to be revoked. None for fixed objects.
    subject_pk = models.BigIntegerField(null=True)
    # The organisation a row is for, in a collection of one object per organisation and subject
    # ("Sellers you reported"); None: every reader of the collection sees it (fixed objects, listings).
    audience_organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The subject an object of the audience collections (a rights owner's outcomes, the operators'
    # view) is about. Kept apart from `subject_pk`, which names only the listing indicators'
    # subjects: sightings, feedback and relinking resolve a subject's indicator through it.
    about_subject_pk = models.BigIntegerField(null=True)
    # SHA-256 of the shareable state the content was built from: publish again only when it differs.
    state_digest = models.CharField(max_length=64)
    content = models.JSONField()

    class Meta:
        constraints = [
            # A fixed object (identity, extension definitions, markings) is in every collection once.
            models.UniqueConstraint(
                fields=["collection", "stix_id", "version"], name="feed_object_version_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["collection", "date_added"], name="feed_collection_added_idx"),
            models.Index(fields=["subject_pk", "sequence"], name="feed_subject_sequence_idx"),
            models.Index(fields=["stix_id", "sequence"], name="feed_stix_id_sequence_idx"),
            models.Index(fields=["about_subject_pk", "sequence"], name="feed_about_sequence_idx"),
            models.Index(
                fields=["collection", "audience_organisation", "sequence"], name="feed_audience_sequence_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stix_id} @ {self.version:%Y-%m-%dT%H:%M:%S.%fZ}"


class FeedSubscription(models.Model):
    """An organisation's stated purpose for reading one TAXII collection: a collection's objects and
    manifest are served only while the reader's organisation holds one with a purpose still allowed
    (accounts/purposes.py). One per (organisation, collection); subscribing again restates the purpose."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    collection = models.CharField(max_length=64)
    purpose = models.CharField(max_length=30)
    created_by = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "collection"], name="feed_subscription_once"),
            models.CheckConstraint(
                condition=Q(purpose__in=Purpose.values), name="feed_subscription_purpose_known"
            ),
        ]

    def __str__(self) -> str:
        return f"feed subscription {self.public_id}"

"""Bulk screening: a job of many sellers, checked in chunks by workers that may die at any point.

The database, not the broker, is the record of progress: a chunk is done only when its
results are written, and results are unique per (job, row index), so a rerun after a
crash writes nothing twice. Rows hold tokens in their storage form, never raw values.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BulkJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")


# A job in one of these still counts against the organisation's concurrent-job limit.
BULK_ACTIVE_STATUSES = (BulkJobStatus.QUEUED, BulkJobStatus.RUNNING)


class BulkJob(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=BulkJobStatus.choices, default=BulkJobStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    # The submitter's language (a code of settings.LANGUAGES): the worker writes the result file's
    # explanations and row errors in it, whatever language the worker itself runs in.
    language = models.CharField(max_length=10, default="en")
    # The purpose the submitter stated (accounts/purposes.py); "" on jobs older than purpose limitation.
    purpose = models.CharField(max_length=30, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["organisation", "status"], name="bulk_job_org_status_idx")]

    def __str__(self) -> str:
        return f"bulk job {self.public_id}"


class BulkRow(models.Model):
    """One input row: the member's ref and its tokens [{type, token}] (storage form), or an error."""

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="rows")
    index = models.PositiveIntegerField()
    ref = models.CharField(max_length=200)
    tokens = models.JSONField(default=list)
    # A message naming what was wrong with the row, never the value that was.
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="bulk_row_unique_index")]


class BulkChunkStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")


class BulkChunk(models.Model):
    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    first_row = models.PositiveIntegerField()
    last_row = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=BulkChunkStatus.choices, default=BulkChunkStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # When a worker last took it (or it was enqueued); the sweeper re-enqueues it after a lease.
    attempted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="bulk_chunk_unique_number")]
        indexes = [models.Index(fields=["status", "attempted_at"], name="bulk_chunk_status_idx")]


class BulkResult(models.Model):
    """The shareable answer for one row: the single-check fields, or the row's error."""

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="results")
    index = models.PositiveIntegerField()
    ref = models.CharField(max_length=200)
    result = models.JSONField(default=dict)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="bulk_result_unique_index")]

"""Bulk screening: a member uploads many sellers, workers check them chunk by chunk.

Raw values are tokenised while the upload is read and never stored; rows keep only
tokens in their storage form. A chunk is checked as a set, a fixed number of statements
whatever its size (bulk_match.py, bulk_sql.py). It is processed idempotently (results are
unique per row and the chunk flips to done once), so a worker killed at any point loses
nothing: the sweeper re-enqueues chunks whose lease ran out, and a rerun duplicates nothing.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import IO

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record, audit_record_denied
from accounts.audit.tags import AuditTag
from accounts.models import Organisation
from accounts.quotas import Limit
from accounts.roles import Capability
from hub.errors import ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError
from sharing.csv_safe import csv_line
from sharing.models.bulk import BULK_ACTIVE_STATUSES, BulkChunk, BulkChunkStatus, BulkJob, BulkJobStatus, BulkResult, BulkRow
from sharing.services.bulk_files import ParsedRow, RowTokeniser, file_error, rows_parsed
from sharing.services.bulk_match import RESULT_FIELDS, ChunkRow, chunk_results
from sharing.services.bulk_sql import results_write, rows_write
from sharing.services.enumeration import sequential_observe
from sharing.services.quotas import quota_take_or_refuse
from sharing.services.tokens import TokenisedIdentifier


# --- submitting a job ------------------------------------------------------------------


@transaction.atomic
def bulk_submit(*, upload: IO[bytes], actor: Actor) -> BulkJob:
    """Take the limits, store the rows' tokens chunk by chunk, audit, and enqueue the chunks after commit."""
    if not actor.can(Capability.BULK_RUN):
        raise ForbiddenError("Your role does not grant bulk:run.")
    _limits_take(actor)
    now = timezone.now()
    job = BulkJob.objects.create(organisation=actor.organisation, member=actor.member, created_at=now,
                                 expires_at=now + timedelta(days=settings.HUB_BULK_RETENTION_DAYS))
    total, errors = _rows_store(job, rows_parsed(upload), actor=actor)
    if total == 0:
        raise file_error("The file has a header but no rows.")
    BulkJob.objects.filter(pk=job.pk).update(total=total)
    job.total = total
    audit_record(actor=actor, tag=AuditTag.BULK_SUBMITTED, data_class=DataClass.SHAREABLE, target=job,
                 details={"rows": total, "error_rows": errors})
    chunk_ids = list(BulkChunk.objects.filter(job=job).order_by("number").values_list("pk", flat=True))
    transaction.on_commit(lambda: chunks_enqueue(chunk_ids))
    return job


def _limits_take(actor: Actor) -> None:
    """Concurrent jobs and jobs per day per organisation; refusals are audited and answer 429."""
    # Lock the organisation's row so two concurrent submissions cannot both pass the count.
    Organisation.objects.select_for_update().filter(pk=actor.organisation.pk).first()
    active = BulkJob.objects.filter(organisation=actor.organisation, status__in=BULK_ACTIVE_STATUSES).count()
    if active >= settings.HUB_BULK_CONCURRENT_JOBS:
        audit_record_denied(actor=actor, tag=AuditTag.QUOTA_EXCEEDED, target_type="bulkjob",
                            reason=f"bulk jobs over {settings.HUB_BULK_CONCURRENT_JOBS} at once")
        raise TooManyRequestsError(f"Your organisation already has {active} bulk jobs queued or running; at most "
                                   f"{settings.HUB_BULK_CONCURRENT_JOBS} at once. Wait for one to finish or cancel one.")
    daily = Limit(bucket="bulk:jobs", window="day", limit=settings.HUB_BULK_JOBS_PER_DAY)
    quota_take_or_refuse(actor=actor, demands={daily: 1}, tag=AuditTag.BULK_SUBMITTED)


def _rows_store(job: BulkJob, parsed: Iterator[ParsedRow], *, actor: Actor) -> tuple[int, int]:
    """Tokenise and store rows one chunk at a time, so memory holds one chunk, never the file; (rows, error rows)."""
    size, limit = settings.HUB_BULK_CHUNK_ROWS, settings.HUB_BULK_MAX_ROWS
    tokeniser = RowTokeniser(default_country=actor.organisation.country)
    buffer: list[ChunkRow] = []
    index, errors = -1, 0
    for index, row in enumerate(parsed):
        if index >= limit:
            audit_record_denied(actor=actor, tag=AuditTag.QUOTA_EXCEEDED, target_type="bulkjob",
                                reason=f"bulk job over {limit} rows")
            raise TooManyRequestsError(f"A bulk job has at most {limit} rows; split the file into several jobs.")
        tokens, error = tokeniser.tokens(row)
        errors += bool(error)
        buffer.append((index, row.ref, tokens, error))
        if len(buffer) == size:
            _chunk_store(job, buffer, tokeniser.take_raw(), actor=actor)
            buffer = []
    if buffer:
        _chunk_store(job, buffer, tokeniser.take_raw(), actor=actor)
    return index + 1, errors


def _chunk_store(job: BulkJob, rows: list[ChunkRow], raw: list[TokenisedIdentifier], *, actor: Actor) -> None:
    """Write one chunk's rows and its pending chunk record; its raw identifiers feed sweep detection."""
    # A number range walked in a file is the sweep it would be in single checks. (The no-match and
    # volume rules stay with single checks: a seller base mostly misses, and bulk is volume by design.)
    sequential_observe(actor=actor, tokenised=raw, hour=job.created_at.replace(minute=0, second=0, microsecond=0))
    rows_write(job.pk, rows)
    first, last = rows[0][0], rows[-1][0]
    BulkChunk.objects.create(job=job, number=first // settings.HUB_BULK_CHUNK_ROWS, first_row=first, last_row=last)


def chunks_enqueue(chunk_ids: list[int]) -> None:
    """Send each chunk to the bulk queue (routed in hub/celery.py)."""
    from sharing.tasks import bulk_chunk_task

    for chunk_id in chunk_ids:
        bulk_chunk_task.delay(chunk_id)


# --- processing a chunk ------------------------------------------------------------------


def bulk_chunk_process(*, chunk_id: int) -> bool:
    """Check one chunk's rows and record the results; True when this run finished the chunk."""
    chunk = BulkChunk.objects.select_related("job__member__organisation").filter(pk=chunk_id).first()
    if chunk is None or chunk.status == BulkChunkStatus.DONE or chunk.job.status not in BULK_ACTIVE_STATUSES:
        return False
    now = timezone.now()
    # Committed at once: the lease the sweeper measures starts now, whatever happens next.
    BulkChunk.objects.filter(pk=chunk.pk).update(attempted_at=now, attempts=F("attempts") + 1)
    BulkJob.objects.filter(pk=chunk.job_id, status=BulkJobStatus.QUEUED).update(status=BulkJobStatus.RUNNING, started_at=now)
    rows = list(BulkRow.objects.filter(job_id=chunk.job_id, index__gte=chunk.first_row, index__lte=chunk.last_row)
                .order_by("index").values_list("index", "ref", "tokens", "error"))
    results = chunk_results(chunk.job, rows, now=now)
    with transaction.atomic():
        results_write(chunk.job_id, results)
        # Only the run that flips the chunk counts its rows, so `done` never counts a row twice.
        flipped = BulkChunk.objects.filter(pk=chunk.pk, status=BulkChunkStatus.PENDING).update(status=BulkChunkStatus.DONE)
        if flipped:
            BulkJob.objects.filter(pk=chunk.job_id).update(done=F("done") + len(rows))
            BulkJob.objects.filter(pk=chunk.job_id, status=BulkJobStatus.RUNNING, done=F("total")).update(
                status=BulkJobStatus.DONE, finished_at=timezone.now())
    return bool(flipped)


def bulk_pause_after(seconds_worked: float) -> float:
    """How long a bulk worker rests after a chunk so it is busy at most HUB_BULK_DUTY_PERCENT of the time.

    Single checks and bulk chunks share the database: at full speed one bulk worker halved the
    check rate on the benchmark machine (benchmarks/RESULTS.md). Not under eager Celery (the
    embedded default), where the chunks run inside the upload request.
    """
    duty = settings.HUB_BULK_DUTY_PERCENT
    if duty >= 100 or settings.CELERY_TASK_ALWAYS_EAGER:
        return 0.0
    return seconds_worked * (100 - duty) / duty


# --- sweeping, status, cancelling, results ---------------------------------------------


def bulk_sweep(*, now: datetime | None = None) -> int:
    """Re-enqueue unfinished chunks of live jobs whose last attempt is older than the lease; expire old jobs."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.HUB_BULK_LEASE_SECONDS)
    # A chunk a worker took and did not finish within the lease lost its worker. A chunk never
    # taken is only waiting in the queue, unless its job has not moved for a lease (a lost
    # enqueue): re-enqueueing those sooner would only pile duplicates behind a long job.
    moving = BulkChunk.objects.filter(attempts__gt=0, attempted_at__gte=cutoff).values("job_id")
    stale = list(BulkChunk.objects.filter(status=BulkChunkStatus.PENDING, attempted_at__lt=cutoff,
                                          job__status__in=BULK_ACTIVE_STATUSES)
                 .filter(Q(attempts__gt=0) | ~Q(job_id__in=moving))
                 .order_by("attempted_at").values_list("pk", flat=True)[: settings.HUB_BULK_SWEEP_BATCH])
    # Renew the lease as we enqueue, so the next sweep does not enqueue the same chunk again at once.
    taken = [pk for pk in stale if BulkChunk.objects.filter(pk=pk, attempted_at__lt=cutoff).update(attempted_at=now)]
    chunks_enqueue(taken)
    BulkJob.objects.filter(expires_at__lt=now).delete()
    return len(taken)


def bulk_jobs_listed(*, actor: Actor, limit: int = 100, request_id: str = "") -> list[BulkJob]:
    """The organisation's latest jobs; the listing itself is audited (a count, nothing more)."""
    jobs = list(BulkJob.objects.filter(organisation=actor.organisation).order_by("-created_at")[:limit])
    audit_record(actor=actor, tag=AuditTag.BULK_READ, data_class=DataClass.SHAREABLE, target_type="bulkjob",
                 details={"listed": len(jobs)}, request_id=request_id)
    return jobs


def bulk_job_get(*, actor: Actor, public_id) -> BulkJob:
    """A job of the actor's own organisation; any other organisation's job does not exist for it."""
    job = BulkJob.objects.filter(public_id=public_id, organisation=actor.organisation).first()
    if job is None:
        raise NotFoundError("No such bulk job.")
    return job


def bulk_status(*, job: BulkJob, actor: Actor, now: datetime | None = None) -> dict:
    """Progress, rate (rows per second since the first chunk started) and an estimate of the time left."""
    now = now or timezone.now()
    rate = 0.0
    if job.started_at and job.done:
        elapsed = ((job.finished_at or now) - job.started_at).total_seconds()
        rate = round(job.done / max(elapsed, 0.001), 1)
    left = job.total - job.done
    eta = 0 if left == 0 else (math.ceil(left / rate) if rate else None)
    audit_record(actor=actor, tag=AuditTag.BULK_READ, data_class=DataClass.SHAREABLE, target=job,
                 details={"status": job.status, "done": job.done})
    return {"id": str(job.public_id), "status": job.status, "done": job.done, "total": job.total, "rate": rate,
            "eta_seconds": eta}


@transaction.atomic
def bulk_cancel(*, job: BulkJob, actor: Actor, reason: str = "") -> BulkJob:
    """Stop a queued or running job; workers skip its remaining chunks."""
    cancelled = BulkJob.objects.filter(pk=job.pk, status__in=BULK_ACTIVE_STATUSES).update(
        status=BulkJobStatus.CANCELLED, finished_at=timezone.now())
    job.refresh_from_db()
    if not cancelled:
        raise ConflictError(f"The job is {job.status}; only a queued or running job can be cancelled.")
    audit_record(actor=actor, tag=AuditTag.BULK_CANCELLED, data_class=DataClass.SHAREABLE, target=job,
                 details={"done": job.done, "total": job.total, "reason": reason})
    return job


def bulk_results_open(*, job: BulkJob, actor: Actor, file_format: str) -> Iterator[str]:
    """Audit the download (a count, no contents) and return the lines of a finished job's results."""
    if job.status != BulkJobStatus.DONE:
        raise ConflictError(f"The job is {job.status}; results are ready when it is done.")
    count = BulkResult.objects.filter(job=job).count()
    audit_record(actor=actor, tag=AuditTag.BULK_RESULTS_DOWNLOADED, data_class=DataClass.SHAREABLE, target=job,
                 details={"rows": count, "format": file_format})
    return _csv_lines(job) if file_format == "csv" else _jsonl_lines(job)


def _results(job: BulkJob) -> Iterator[BulkResult]:
    """The job's results in input order, fetched in batches rather than all at once."""
    return BulkResult.objects.filter(job=job).order_by("index").iterator(chunk_size=1000)


def _jsonl_lines(job: BulkJob) -> Iterator[str]:
    """One JSON line per input row: its ref and either the check fields or its error."""
    for item in _results(job):
        row = {"ref": item.ref, **({"error": item.error} if item.error else item.result)}
        yield json.dumps(row, separators=(",", ":")) + "\n"


def _csv_lines(job: BulkJob) -> Iterator[str]:
    """A header, then one CSV line per input row; list fields are joined with ';'."""
    columns = ["ref", "error", *RESULT_FIELDS]
    yield csv_line(columns)
    for item in _results(job):
        values = {"ref": item.ref, "error": item.error, **item.result}
        yield csv_line([";".join(v) if isinstance(v, list) else "" if v is None else v for v in
                         (values.get(name) for name in columns)])

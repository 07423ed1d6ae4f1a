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
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import IO

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record, audit_record_denied
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.locks import lock_organisation
from accounts.purposes import purpose_require
from accounts.quotas import Limit, quota_consume
from accounts.roles import Capability, OrganisationKind
from accounts.scoped import scoped_get
from accounts.transfers.models import TransferChannel
from accounts.transfers.services import transfer_gate, transfer_record
from hub.errors import ConflictError, TooManyRequestsError
from hub.tasks_enqueue import enqueue_after_commit, enqueue_now, task_named
from hub.wording import status_word
from hubcore.csv_safe import csv_line
from sharing.bulk.services.bulk_files import ParsedRow, RowTokeniser, file_error, rows_parsed
from sharing.bulk.services.bulk_match import RESULT_FIELDS, ChunkRow, ResultRow, chunk_results, result_is_miss
from sharing.bulk.services.bulk_sql import results_write, rows_write
from sharing.checks.services.match_gate import (
    bulk_covers,
    bulk_gate,
    bulk_numbers_observe,
    bulk_rows_observe,
    lookup_counts,
)
from sharing.checks.services.suppression import suppressed_from_json
from sharing.models.bulk import (
    BULK_ACTIVE_STATUSES,
    BulkChunk,
    BulkChunkStatus,
    BulkJob,
    BulkJobStatus,
    BulkResult,
    BulkRow,
)
from sharing.models.parcels import ParcelEventKind
from sharing.subjects.services.tokens import TokenisedIdentifier

# --- submitting a job ------------------------------------------------------------------


def bulk_submit(
    *, upload: IO[bytes], purpose: str, actor: Actor, language: str = settings.LANGUAGE_CODE
) -> BulkJob:
    """Store the job for its stated purpose, or refuse it over a limit with nothing stored and the
    refusal on record.

    `language` is the submitter's (the request's LANGUAGE_CODE): the job's row errors and
    explanations are written in it, by this request and later by the workers."""
    require(actor, Capability.BULK_RUN, message=gettext("Your role does not grant bulk:run."))
    transfer_gate(organisation=actor.organisation, channel=TransferChannel.BULK_RESULTS, actor=actor)
    purpose = purpose_require(organisation=actor.organisation, purpose=purpose)
    try:
        return _bulk_job_store(upload=upload, purpose=purpose, actor=actor, language=job_language(language))
    except TooManyRequestsError as refused:
        # Written after the job's transaction rolled back, so the refusal stays on record.
        audit_record_denied(
            actor=actor, tag=AuditTag.QUOTA_EXCEEDED, target_type="bulkjob", reason=refused.message
        )
        raise


def job_language(language: str) -> str:
    """The language a job's texts are written in: the one asked for when the hub speaks it, else the hub's default."""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


@transaction.atomic
def _bulk_job_store(*, upload: IO[bytes], purpose: str, actor: Actor, language: str) -> BulkJob:
    """Take the limits, store the rows' tokens chunk by chunk, take the file's bulk quota, audit, enqueue after commit."""
    _limits_take(actor)
    now = timezone.now()
    job = BulkJob.objects.create(
        organisation=actor.organisation,
        member=actor.member,
        created_at=now,
        expires_at=now + timedelta(days=settings.HUB_BULK_RETENTION_DAYS),
        language=language,
        purpose=purpose,
    )
    per_type: Counter[str] = Counter()
    with translation.override(job.language):  # the row errors stored now are the result file's
        total, errors = _rows_store(job, rows_parsed(upload), actor=actor, per_type=per_type)
    if total == 0:
        raise file_error(gettext("The file has a header but no rows."))
    # The whole file's identifiers per type, at once: over the quota, the upload is refused and nothing stays.
    bulk_gate(actor=actor, identifiers_per_type=per_type)
    BulkJob.objects.filter(pk=job.pk).update(total=total)
    job.total = total
    audit_record(
        actor=actor,
        tag=AuditTag.BULK_SUBMITTED,
        data_class=DataClass.SHAREABLE,
        target=job,
        details={
            "rows": total,
            "error_rows": errors,
            "identifiers": dict(sorted(per_type.items())),
            "purpose": purpose,
        },
    )
    chunk_ids = list(BulkChunk.objects.filter(job=job).order_by("number").values_list("pk", flat=True))
    enqueue_after_commit(_chunk_task(), chunk_ids)
    return job


def _limits_take(actor: Actor) -> None:
    """Concurrent jobs and jobs per day per organisation; refusals are audited and answer 429."""
    # Lock the organisation's row so two concurrent submissions cannot both pass the count.
    lock_organisation(actor.organisation.pk)
    active = BulkJob.objects.filter(organisation=actor.organisation, status__in=BULK_ACTIVE_STATUSES).count()
    if active >= settings.HUB_BULK_CONCURRENT_JOBS:
        raise TooManyRequestsError(
            gettext(
                "Your organisation already has %(active)s bulk jobs queued or running; at most %(limit)s at once. "
                "Wait for one to finish or cancel one."
            )
            % {"active": active, "limit": settings.HUB_BULK_CONCURRENT_JOBS}
        )
    quota_consume(
        organisation=actor.organisation,
        demands={Limit(bucket="bulk:jobs", window="day", limit=settings.HUB_BULK_JOBS_PER_DAY): 1},
    )


def _rows_store(
    job: BulkJob, parsed: Iterator[ParsedRow], *, actor: Actor, per_type: Counter[str]
) -> tuple[int, int]:
    """Tokenise and store rows one chunk at a time, so memory holds one chunk, never the file; (rows, error rows).

    Counts the identifiers of each type into `per_type`, for the file's bulk quota.
    """
    size, limit = settings.HUB_BULK_CHUNK_ROWS, settings.HUB_BULK_MAX_ROWS
    tokeniser = RowTokeniser(default_country=actor.organisation.country)
    buffer: list[ChunkRow] = []
    index, errors = -1, 0
    for index, row in enumerate(parsed):
        if index >= limit:
            raise TooManyRequestsError(
                gettext("A bulk job has at most %(limit)s rows; split the file into several jobs.")
                % {"limit": limit}
            )
        tokens, error = tokeniser.tokens(row)
        errors += bool(error)
        per_type.update(item["type"] for item in tokens)
        buffer.append((index, row.ref, tokens, error))
        if len(buffer) == size:
            _chunk_store(job, buffer, tokeniser.take_raw(), actor=actor)
            buffer = []
            # A file the bulk quota cannot take is refused at the chunk that shows it, not after
            # the whole file was tokenised (up to HUB_BULK_MAX_ROWS): bulk_gate takes it at the end.
            bulk_covers(actor=actor, identifiers_per_type=per_type)
    if buffer:
        _chunk_store(job, buffer, tokeniser.take_raw(), actor=actor)
    return index + 1, errors


def _chunk_store(job: BulkJob, rows: list[ChunkRow], raw: list[TokenisedIdentifier], *, actor: Actor) -> None:
    """Write one chunk's rows and its pending chunk record; its raw identifiers feed sweep detection."""
    # A number range walked in a file is the sweep it would be in single checks. (The no-match and
    # volume rules see bulk rows when they are answered, with bulk thresholds: bulk_chunk_process.)
    bulk_numbers_observe(actor=actor, raw=raw, hour=job.created_at.replace(minute=0, second=0, microsecond=0))
    rows_write(job.pk, rows)
    first, last = rows[0][0], rows[-1][0]
    BulkChunk.objects.create(
        job=job, number=first // settings.HUB_BULK_CHUNK_ROWS, first_row=first, last_row=last
    )


def _chunk_task():
    """The task that checks one chunk, on the bulk queue (routed in hub/celery.py)."""
    return task_named("sharing.tasks.bulk_chunk_task")


def chunks_enqueue(chunk_ids: list[int]) -> int:
    """Send each chunk to the bulk queue now; a broker that is down leaves them to the next sweep."""
    return enqueue_now(_chunk_task(), chunk_ids)


# --- processing a chunk ------------------------------------------------------------------


def bulk_chunk_process(*, chunk_id: int) -> bool:
    """Check one chunk's rows and record the results; True when this run finished the chunk."""
    chunk = BulkChunk.objects.select_related("job__member__organisation").filter(pk=chunk_id).first()
    if chunk is None or chunk.status == BulkChunkStatus.DONE or chunk.job.status not in BULK_ACTIVE_STATUSES:
        return False
    now = timezone.now()
    # Committed at once: the lease the sweeper measures starts now, whatever happens next.
    BulkChunk.objects.filter(pk=chunk.pk).update(attempted_at=now, attempts=F("attempts") + 1)
    BulkJob.objects.filter(pk=chunk.job_id, status=BulkJobStatus.QUEUED).update(
        status=BulkJobStatus.RUNNING, started_at=now
    )
    rows = list(
        BulkRow.objects.filter(job_id=chunk.job_id, index__gte=chunk.first_row, index__lte=chunk.last_row)
        .order_by("index")
        .values_list("index", "ref", "tokens", "error")
    )
    # A worker runs in no request's language: the job's explanations and errors are its submitter's.
    with translation.override(chunk.job.language):
        results = chunk_results(chunk.job, rows, now=now)
    with transaction.atomic():
        results_write(chunk.job_id, results)
        # Only the run that flips the chunk counts its rows, so `done` never counts a row twice.
        flipped = BulkChunk.objects.filter(pk=chunk.pk, status=BulkChunkStatus.PENDING).update(
            status=BulkChunkStatus.DONE
        )
        if flipped:
            BulkJob.objects.filter(pk=chunk.job_id).update(done=F("done") + len(rows))
            BulkJob.objects.filter(pk=chunk.job_id, status=BulkJobStatus.RUNNING, done=F("total")).update(
                status=BulkJobStatus.DONE, finished_at=timezone.now()
            )
            # Last: the sweep-window and audit-head rows it locks are shared with single checks.
            _chunk_answers_record(chunk, results, now=now)
    return bool(flipped)


def _chunk_answers_record(chunk: BulkChunk, results: list[ResultRow], *, now: datetime) -> None:
    """Feed the chunk's answered rows to the no-match and volume rules and audit its hits and misses (once per chunk)."""
    answered = [result for _, _, result, error in results if not error]
    misses = sum(1 for result in answered if result_is_miss(result))
    bulk_rows_observe(organisation=chunk.job.member.organisation, rows=len(answered), misses=misses, now=now)
    audit_record(
        actor=Actor(member=chunk.job.member),
        tag=AuditTag.BULK_CHUNK_ANSWERED,
        data_class=DataClass.SHAREABLE,
        target=chunk.job,
        details={
            "chunk": chunk.number,
            "rows": len(results),
            "purpose": chunk.job.purpose,
            **lookup_counts(hits=len(answered) - misses, looked_up=len(answered)),
        },
    )


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
    stale = list(
        BulkChunk.objects.filter(
            status=BulkChunkStatus.PENDING, attempted_at__lt=cutoff, job__status__in=BULK_ACTIVE_STATUSES
        )
        .filter(Q(attempts__gt=0) | ~Q(job_id__in=moving))
        .order_by("attempted_at")
        .values_list("pk", flat=True)[: settings.HUB_BULK_SWEEP_BATCH]
    )
    # Renew the lease as we enqueue, so the next sweep does not enqueue the same chunk again at once.
    taken = [
        pk
        for pk in stale
        if BulkChunk.objects.filter(pk=pk, attempted_at__lt=cutoff).update(attempted_at=now)
    ]
    chunks_enqueue(taken)
    BulkJob.objects.filter(expires_at__lt=now).delete()
    return len(taken)


def bulk_jobs_of(*, actor: Actor):
    """The organisation's jobs still kept, newest first."""
    return _jobs_kept(actor).order_by("-created_at", "-id")


def bulk_jobs_page_audit(*, actor: Actor, page: list[BulkJob], request_id: str = "") -> None:
    """The listing of jobs is audited (a count, nothing more)."""
    audit_record(
        actor=actor,
        tag=AuditTag.BULK_READ,
        data_class=DataClass.SHAREABLE,
        target_type="bulkjob",
        details={"listed": len(page)},
        request_id=request_id,
    )


def _jobs_kept(actor: Actor):
    return BulkJob.objects.filter(organisation=actor.organisation, expires_at__gt=timezone.now())


def bulk_job_get(*, actor: Actor, public_id) -> BulkJob:
    """A job of the actor's own organisation; any other organisation's job does not exist for it, nor does
    one past its retention (at once, not only once the sweeper has deleted it)."""
    return scoped_get(
        actor=actor,
        queryset=_jobs_kept(actor),
        public_id=public_id,
        tag=AuditTag.BULK_READ,
        target_type="bulkjob",
        noun=gettext_noop("bulk job"),
    )


def bulk_status(*, job: BulkJob, actor: Actor, now: datetime | None = None) -> dict:
    """Progress, rate (rows per second since the first chunk started) and an estimate of the time left."""
    now = now or timezone.now()
    rate = 0.0
    if job.started_at and job.done:
        elapsed = ((job.finished_at or now) - job.started_at).total_seconds()
        rate = round(job.done / max(elapsed, 0.001), 1)
    left = job.total - job.done
    eta = 0 if left == 0 else (math.ceil(left / rate) if rate else None)
    audit_record(
        actor=actor,
        tag=AuditTag.BULK_READ,
        data_class=DataClass.SHAREABLE,
        target=job,
        details={"status": job.status, "done": job.done, "purpose": job.purpose},
    )
    return {
        "id": str(job.public_id),
        "status": job.status,
        "purpose": job.purpose,
        "done": job.done,
        "total": job.total,
        "rate": rate,
        "eta_seconds": eta,
    }


@transaction.atomic
def bulk_cancel(*, job: BulkJob, actor: Actor, reason: str = "") -> BulkJob:
    """Stop a queued or running job; workers skip its remaining chunks."""
    cancelled = BulkJob.objects.filter(pk=job.pk, status__in=BULK_ACTIVE_STATUSES).update(
        status=BulkJobStatus.CANCELLED, finished_at=timezone.now()
    )
    job.refresh_from_db()
    if not cancelled:
        raise ConflictError(
            gettext("The job is %(status)s; only a queued or running job can be cancelled.")
            % {"status": status_word(BulkJobStatus, job.status)}
        )
    audit_record(
        actor=actor,
        tag=AuditTag.BULK_CANCELLED,
        data_class=DataClass.SHAREABLE,
        target=job,
        details={"done": job.done, "total": job.total, "reason": reason},
    )
    return job


def bulk_results_open(*, job: BulkJob, actor: Actor, file_format: str) -> Iterator[str]:
    """Audit the download (a count, no contents) and return the lines of a finished job's results."""
    if job.status != BulkJobStatus.DONE:
        raise ConflictError(
            gettext("The job is %(status)s; results are ready when it is done.")
            % {"status": status_word(BulkJobStatus, job.status)}
        )
    transfer_gate(organisation=actor.organisation, channel=TransferChannel.BULK_RESULTS, actor=actor)
    count = BulkResult.objects.filter(job=job).count()
    with transaction.atomic():
        transfer_record(
            organisation=actor.organisation,
            channel=TransferChannel.BULK_RESULTS,
            target_type="bulkjob",
            target_id=str(job.public_id),
            member=actor.member,
        )
        audit_record(
            actor=actor,
            tag=AuditTag.BULK_RESULTS_DOWNLOADED,
            data_class=DataClass.SHAREABLE,
            target=job,
            details={"rows": count, "format": file_format},
        )
    return _csv_lines(job) if file_format == "csv" else _jsonl_lines(job)


def _results(job: BulkJob) -> Iterator[BulkResult]:
    """The job's results in input order, fetched in batches rather than all at once."""
    return BulkResult.objects.filter(job=job).order_by("index").iterator(chunk_size=1000)


def _jsonl_lines(job: BulkJob) -> Iterator[str]:
    """One JSON line per input row: its ref and either the check fields or its error."""
    for item in _results(job):
        row = {"ref": item.ref, **({"error": item.error} if item.error else item.result)}
        yield json.dumps(row, separators=(",", ":")) + "\n"


def csv_result_columns(organisation_kind: str) -> list[str]:
    """The result columns of a CSV download: the parcel events one column per kind
    ("parcel_events.seized", ...), and the parcel action for a courier's jobs only."""
    columns: list[str] = []
    for name in RESULT_FIELDS:
        if name == "parcel_events":
            columns += [f"parcel_events.{kind}" for kind in ParcelEventKind.values]
        elif name != "parcel_action" or organisation_kind == OrganisationKind.LOGISTICS:
            columns.append(name)
    return columns


def _csv_lines(job: BulkJob) -> Iterator[str]:
    """A header, then one CSV line per input row; list fields are joined with ';'."""
    columns = ["ref", "error", *csv_result_columns(job.organisation.kind)]
    yield csv_line(columns)
    for item in _results(job):
        values = {"ref": item.ref, "error": item.error, **item.result}
        for kind, count in (values.pop("parcel_events", None) or {}).items():
            values[f"parcel_events.{kind}"] = count
        yield csv_line([_csv_cell(values.get(name)) for name in columns])


def _csv_cell(value):
    """A result's value in a CSV cell: lists joined with ';', a suppressed count as "<N"."""
    if isinstance(value, list):
        return ";".join(value)
    count = suppressed_from_json(value)
    if count is not None:
        return count.as_csv()
    return "" if value is None else value

"""A bulk job's hits on its page: counts by level and recommended action, and the hit rows filtered.

Reads of results already answered (the quota was taken at upload); each page of hits shown is
audited like a download, with counts and the filter, never the rows' contents."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.transfers.models import TransferChannel
from accounts.transfers.services import transfer_record
from sharing.models.bulk import BulkJob, BulkResult

LEVELS = ("none", "reported", "listed", "confirmed")
ACTIONS = ("allow", "review", "block")


def bulk_hit_summary(*, job: BulkJob) -> dict:
    """How many answered rows are at each level and each recommended action, and how many failed."""
    answered = BulkResult.objects.filter(job=job, error="")
    by_level = dict(
        answered.values_list("result__level").annotate(n=Count("pk")).values_list("result__level", "n")
    )
    by_action = dict(
        answered.values_list("result__recommended_action")
        .annotate(n=Count("pk"))
        .values_list("result__recommended_action", "n")
    )
    return {
        "levels": [(level, by_level.get(level, 0)) for level in LEVELS],
        "actions": [(action, by_action.get(action, 0)) for action in ACTIONS],
        "errors": BulkResult.objects.filter(job=job).exclude(error="").count(),
        "hits": sum(n for level, n in by_level.items() if level != "none"),
    }


def bulk_hits_of(*, job: BulkJob, level: str = "", action: str = "") -> QuerySet[BulkResult]:
    """The job's rows that matched a live report, in input order, narrowed to a level and an action."""
    hits = BulkResult.objects.filter(job=job, error="").exclude(result__level="none").order_by("index")
    if level:
        hits = hits.filter(result__level=level)
    if action:
        hits = hits.filter(result__recommended_action=action)
    return hits


def bulk_hits_page_audit(*, actor: Actor, job: BulkJob, page: list[BulkResult], filters: dict) -> None:
    """Audit a page of hits shown (row indexes and the filter; refs are the member's own free text)."""
    transfer_record(
        organisation=actor.organisation,
        channel=TransferChannel.BULK_RESULTS,
        target_type="bulkjob",
        target_id=str(job.public_id),
        member=actor.member,
    )
    audit_record(
        actor=actor,
        tag=AuditTag.BULK_READ,
        data_class=DataClass.SHAREABLE,
        target=job,
        details={"hits_shown": [row.index for row in page], "filters": filters},
    )

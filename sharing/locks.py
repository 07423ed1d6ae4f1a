"""Row locks for the domain: taken here only (tests/test_one_way.py searches the tree), in one order.

Two transactions that lock the same rows in the same order queue instead of deadlocking, so every
transaction that holds more than one kind of row takes them in this global order, and rows of one
kind in ascending primary key:

    1. organisation            (accounts/locks.py: accounts may not import sharing)
   1b. invitation              (accounts/locks.py)
    2. alert                   (accounts/locks.py)
    3. organisation application, its documents (by pk) (accounts/locks.py)
    4. dispute
    5. dispute coverage rows   (by pk)
    6. report                  (several: by pk)
    7. report appeal
    8. identifier tokens       (by pk; accepting, lapsing or deciding relinks subjects)
   8b. current hit feedback    (by pk; a replacement, then the reporters' standing it may move)
    9. reporter standing       (several: by organisation; a decision refreshes its reporters')
   10. disclosure request
   10b. subject (sales totals: serialises requests for one seller, so periods never overlap)
   10c. sales totals request, then its tasks (by pk)
   11. restricted records      (by pk)
   12. bulk rows, then stored token rows (by pk; key rotation)
   13. webhook endpoint
   14. webhook outbox row
   15. outbound mail row       (accounts/locks.py: held alone while it is sent; giving up raises its
                               alert first)
   15b. identifier challenge   (held alone: a listed person's one-time code, checked and counted once)
   16. legal hold              (alone: released by an operator; sharing/retention/)
   17. feed clock              (last, and after the audit log's head: a publication audits itself
                               before it takes the clock, so every transaction takes the two in one order)

Two reviewers accepting reports that share identifiers lock overlapping token rows; taking them in
ascending id order means neither can hold one the other waits for while waiting for one the other
holds. Each caller re-checks the state it read before the lock, inside it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model, QuerySet

from sharing.models import (
    BulkRow,
    DisclosureRequest,
    Dispute,
    DisputedReport,
    FeedClock,
    HitFeedback,
    IdentifierChallenge,
    IdentifierToken,
    LegalHold,
    Report,
    ReportAppeal,
    ReporterStanding,
    RestrictedRecord,
    SalesTotalsRequest,
    SalesTotalsTask,
    Subject,
    WebhookEndpoint,
    WebhookOutbox,
)


def lock_dispute(dispute_id: int) -> Dispute:
    return Dispute.objects.select_for_update().get(pk=dispute_id)


def lock_coverage(rows: QuerySet[DisputedReport], *, by_report: bool = False) -> list[DisputedReport]:
    """A dispute's coverage rows (already filtered by the caller), in primary-key order; `by_report`
    when the caller joins their reports in (select_related), so those are locked in report order too."""
    return list(rows.select_for_update().order_by("report_id" if by_report else "pk"))


def lock_report(report: Report) -> Report:
    return Report.objects.select_for_update().get(pk=report.pk)


def lock_report_id(report_id: int) -> Report:
    return Report.objects.select_for_update().get(pk=report_id)


def lock_reports(report_ids: Iterable[int]) -> dict[int, Report]:
    """Several reports by pk, locked in primary-key order."""
    rows = Report.objects.filter(pk__in=set(report_ids)).order_by("pk").select_for_update()
    return {report.pk: report for report in rows}


def lock_appeal_of(report: Report) -> ReportAppeal | None:
    return ReportAppeal.objects.select_for_update().filter(report=report).first()


def lock_tokens(token_ids: Iterable[int]) -> list[IdentifierToken]:
    return list(IdentifierToken.objects.filter(pk__in=set(token_ids)).order_by("pk").select_for_update())


def lock_current_feedback(rows: QuerySet[HitFeedback]) -> list[HitFeedback]:
    return list(rows.select_for_update().order_by("pk"))


def lock_standing(standing_id: int) -> ReporterStanding:
    return ReporterStanding.objects.select_for_update().get(pk=standing_id)


def lock_subject(subject_id: int) -> Subject | None:
    return Subject.objects.select_for_update().filter(pk=subject_id).first()


def lock_sales_totals_request(request_id: int) -> SalesTotalsRequest:
    return SalesTotalsRequest.objects.select_for_update().get(pk=request_id)


def lock_sales_totals_task(task_id: int) -> SalesTotalsTask:
    return SalesTotalsTask.objects.select_for_update().get(pk=task_id)


def lock_sales_totals_tasks(request_id: int) -> list[SalesTotalsTask]:
    return list(
        SalesTotalsTask.objects.select_for_update(of=("self",))
        .filter(request_id=request_id)
        .select_related("organisation")
        .order_by("pk")
    )


def lock_disclosure(request_id: int) -> DisclosureRequest:
    return DisclosureRequest.objects.select_for_update().get(pk=request_id)


def lock_disclosure_if(request_id: int, **state) -> DisclosureRequest | None:
    """The request, locked, if it is still in the given state (e.g. status__in=...), else None."""
    return (
        DisclosureRequest.objects.select_for_update()
        .select_related("court")
        .filter(pk=request_id, **state)
        .first()
    )


def lock_restricted(rows: QuerySet[RestrictedRecord]) -> QuerySet[RestrictedRecord]:
    """Restricted records (filtered by the caller), locked in primary-key order as they are read."""
    return rows.select_for_update().order_by("pk")


def lock_bulk_rows(pks: Iterable[int]) -> QuerySet[BulkRow]:
    return BulkRow.objects.filter(pk__in=list(pks)).order_by("pk").select_for_update()


def lock_legal_hold(hold_id: int) -> LegalHold:
    return LegalHold.objects.select_for_update().get(pk=hold_id)


def lock_rows_of(model: type[Model], pks: Iterable[int]) -> QuerySet:
    """Rows of a token-storage model (key rotation), locked in primary-key order as they are read."""
    return model._default_manager.filter(pk__in=list(pks)).order_by("pk").select_for_update()


def lock_webhook_endpoint(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    return WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)


def lock_outbox_to_claim(rows: QuerySet[WebhookOutbox]) -> WebhookOutbox | None:
    """One outbox row to claim; skip_locked: a row another worker is claiming now is theirs."""
    return rows.select_for_update(skip_locked=True).first()


def lock_outbox_to_settle(outbox_id: int) -> WebhookOutbox:
    """The outbox row only (of=self), not the endpoint and organisation rows joined in for the audit."""
    return (
        WebhookOutbox.objects.select_for_update(of=("self",))
        .select_related("endpoint__organisation")
        .get(pk=outbox_id)
    )


def lock_feed_clock() -> FeedClock:
    """The feed's one clock row, created on first use; held until the publication commits."""
    FeedClock.objects.get_or_create(pk=1)
    return FeedClock.objects.select_for_update().get(pk=1)


def lock_identifier_challenge(public_id: str) -> IdentifierChallenge | None:
    """A listed person's code challenge, so two attempts at once count as two (None: no such challenge)."""
    return IdentifierChallenge.objects.select_for_update().filter(public_id=public_id).first()

"""The transparency report's document: built from a quarter's figures, signed with the hub's key,
published once after the quarter ends (the beat task) and drawn up on demand, as a draft, for
operators. The format is in docs/formats.md; the signature in hubcore/transparency.py."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.roles import Capability
from hub.keys import signing_key
from hubcore.transparency import DOCUMENT_FORMAT, document_bytes, signature_make
from sharing.models import TransparencyReport
from sharing.outcomes.selectors import SuppressedCount
from sharing.transparency.selectors import (
    MemberIndicators,
    Quarter,
    QuarterFigures,
    member_indicators,
    quarter_figures,
    quarter_of,
)


def _count(value: SuppressedCount) -> int | None:
    """A count as the document carries it: null when suppressed (fewer than the threshold)."""
    return value.value


def figures_document(figures: QuarterFigures, *, draft: bool, generated_at: datetime) -> dict:
    """The JSON document of the figures: counts or null (suppressed), codes not words, no names."""
    counts = {
        key: _count(value)
        for key, value in (
            ("checks", figures.checks),
            ("bulk_rows", figures.bulk_rows),
            ("reports_filed", figures.reports_filed),
            ("reports_accepted", figures.accepted),
            ("reports_rejected", figures.rejected),
            ("disputes_filed", figures.disputes_filed),
            ("reporter_suspensions", figures.reporter_suspensions),
            ("alerts_raised", figures.alerts_raised),
        )
    }
    return {
        "format": DOCUMENT_FORMAT,
        "origin": settings.HUB_AUDIT_ORIGIN,
        "period": figures.quarter.label,
        "start": figures.quarter.start.isoformat(),
        "end": figures.quarter.end.isoformat(),
        "status": "draft" if draft else "final",
        "generated_at": generated_at.isoformat(),
        "suppression_threshold": figures.threshold,
        "figures": {
            **counts,
            "median_review_hours": figures.median_review_hours,
            "reports_by_category": {k: _count(v) for k, v in figures.reports_by_category.items()},
            "reports_by_verification_level": {k: _count(v) for k, v in figures.reports_by_level.items()},
            "dispute_outcomes": {k: _count(v) for k, v in figures.dispute_outcomes.items()},
            "disclosure_orders": {k: _count(v) for k, v in figures.disclosure_orders.items()},
        },
    }


def _signed(document: dict) -> tuple[bytes, str]:
    body = document_bytes(document)
    return body, signature_make(
        body,
        period=document["period"],
        origin=settings.HUB_AUDIT_ORIGIN,
        key=signing_key(),
        draft=document["status"] == "draft",
    )


def transparency_report_publish(
    *, quarter: Quarter, now: datetime | None = None
) -> TransparencyReport | None:
    """Publish an ended quarter's report once: signed and stored; the stored one when it exists
    already; None while the quarter runs (its figures are not final)."""
    now = now or timezone.now()
    if quarter.end > now:
        return None
    existing = TransparencyReport.objects.filter(period=quarter.label).first()
    if existing is not None:
        return existing
    body, signature = _signed(figures_document(quarter_figures(quarter), draft=False, generated_at=now))
    try:
        with transaction.atomic():
            report = TransparencyReport.objects.create(
                period=quarter.label,
                starts_at=quarter.start,
                ends_at=quarter.end,
                document=body.decode(),
                signature=signature,
                published_at=now,
            )
            audit_record(
                actor=None,
                tag=AuditTag.TRANSPARENCY_PUBLISHED,
                target_type="transparency_report",
                target_id=quarter.label,
                data_class=DataClass.ADMINISTRATIVE,
                legal_basis=LegalBasis.OPERATOR_DUTY,
                details={"period": quarter.label},
            )
    except IntegrityError:  # another worker published it first: theirs stands
        return TransparencyReport.objects.get(period=quarter.label)
    return report


def transparency_reports_publish_due(*, now: datetime | None = None) -> int:
    """Publish the last ended quarter's report if it is not yet (beat: daily); how many were made."""
    now = now or timezone.now()
    previous = quarter_of(now).previous()
    if TransparencyReport.objects.filter(period=previous.label).exists():
        return 0
    return 1 if transparency_report_publish(quarter=previous, now=now) else 0


def transparency_draft(*, actor: Actor, now: datetime | None = None) -> tuple[QuarterFigures, bytes, str]:
    """The running quarter's figures so far, as a signed document marked "draft" (never stored);
    operators only, audited."""
    require(actor, Capability.TRANSPARENCY_OPERATE)
    now = now or timezone.now()
    quarter = quarter_of(now)
    figures = quarter_figures(quarter)
    body, signature = _signed(figures_document(figures, draft=True, generated_at=now))
    audit_record(
        actor=actor,
        tag=AuditTag.TRANSPARENCY_DRAFT_READ,
        target_type="transparency_report",
        target_id=quarter.label,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"period": quarter.label},
    )
    return figures, body, signature


def indicators_read(*, actor: Actor, quarter: Quarter) -> list[MemberIndicators]:
    """The per-member indicators of the quarter (operators only); the read is audited with the
    quarter and the organisations shown (public ids), no figures."""
    require(actor, Capability.TRANSPARENCY_OPERATE)
    rows = member_indicators(quarter)
    audit_record(
        actor=actor,
        tag=AuditTag.INDICATORS_READ,
        target_type="organisation",
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"period": quarter.label, "organisations": [str(row.organisation.public_id) for row in rows]},
    )
    return rows

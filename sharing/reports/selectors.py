"""Reads of reports, scoped so that another organisation's object is simply not there."""

from __future__ import annotations

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

from accounts.actors import Actor
from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.roles import Capability
from accounts.scoped import scoped_get
from sharing.checks.services.risk import OFFICIAL
from sharing.models import Report, ReportStatus


def reports_of_organisation(*, actor: Actor) -> QuerySet[Report]:
    """The actor's own organisation's reports, newest first."""
    return (
        Report.objects.filter(reporter_organisation=actor.organisation)
        .prefetch_related("identifiers__token")
        .order_by("-submitted_at", "-id")
    )


def reports_for_review(*, actor: Actor) -> QuerySet[Report]:
    """Every organisation's reports, metadata only, for operator reviewers."""
    require(actor, Capability.REPORT_REVIEW)
    return (
        Report.objects.select_related("reporter_organisation")
        .prefetch_related("identifiers__token")
        .order_by("submitted_at", "id")
    )


# Urgent: a trusted flagger's notice (handled with priority, DSA Art. 22) or a report that claims an
# administrative decision or a court judgment, whose seller may be trading on under an official ruling.
URGENT = Q(reporter_organisation__standing__trusted_flagger=True) | Q(verification_level__in=OFFICIAL)


def reports_review_queue(*, actor: Actor) -> QuerySet[Report]:
    """The pending reports for operator reviewers: urgent ones first, then the oldest."""
    return (
        reports_for_review(actor=actor)
        .filter(status=ReportStatus.PENDING)
        .annotate(
            urgent=Case(When(URGENT, then=Value(True)), default=Value(False), output_field=BooleanField())
        )
        .order_by("-urgent", "submitted_at", "id")
    )


def report_get(*, actor: Actor, public_id, for_review: bool = False) -> Report:
    """One report the actor may see, or NotFound (never "forbidden": existence is secret)."""
    scope = reports_for_review(actor=actor) if for_review else reports_of_organisation(actor=actor)
    # Probing for other organisations' reports is worth an auditor's eye: scoped_get audits it.
    return scoped_get(
        actor=actor,
        queryset=scope,
        public_id=public_id,
        tag=AuditTag.REPORT_READ,
        target_type="report",
        noun="report",
    )


def report_read(*, actor: Actor, public_id, for_review: bool = False) -> Report:
    """Fetch one report and audit the read; the API view's transaction holds both."""
    report = report_get(actor=actor, public_id=public_id, for_review=for_review)
    audit_record(
        actor=actor,
        tag=AuditTag.REPORT_READ,
        target=report,
        data_class=DataClass.SHAREABLE,
        legal_basis=LegalBasis.OPERATOR_DUTY if for_review else LegalBasis.MEMBERSHIP_TERMS,
    )
    return report


def reports_page_audit(*, actor: Actor, page: list[Report], legal_basis: str) -> None:
    """Audit a page of reports shown to the actor (ids only), in the request's transaction."""
    audit_record(
        actor=actor,
        tag=AuditTag.REPORT_LISTED,
        data_class=DataClass.SHAREABLE,
        target_type="report",
        legal_basis=legal_basis,
        details={"count": len(page), "ids": [str(r.public_id) for r in page]},
    )

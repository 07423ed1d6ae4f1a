"""Reads of reports, scoped so that another organisation's object is simply not there."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.actors import Actor
from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.roles import Capability
from accounts.scoped import scoped_get
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


def reports_of_organisation_in(*, actor: Actor, status: str) -> QuerySet[Report]:
    """The organisation's reports in one state ("" for all), newest first; an unknown state lists none."""
    reports = reports_of_organisation(actor=actor)
    if not status:
        return reports
    return reports.filter(status=status) if status in ReportStatus.values else reports.none()

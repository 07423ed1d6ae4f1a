"""Reads of the application queue: operator admins only, every read audited."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext, gettext_noop

from accounts.actors import Actor
from accounts.admission.models import ApplicationDocument, OrganisationApplication
from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.models import Organisation
from accounts.roles import Capability
from accounts.scoped import scoped_get


def _require_reviewer(actor: Actor) -> None:
    require(
        actor,
        Capability.ORGANISATION_ADMIN,
        message=gettext("Only operator administrators review applications."),
        denied_tag=AuditTag.APPLICATION_READ,
        target_type="application",
    )


def applications_queue(*, actor: Actor, state: str = "") -> QuerySet[OrganisationApplication]:
    """The queue, oldest first, optionally in one state."""
    _require_reviewer(actor)
    queryset = OrganisationApplication.objects.select_related("organisation").prefetch_related("documents")
    if state:
        queryset = queryset.filter(state=state)
    return queryset.order_by("created_at", "pk")


def applications_page_audit(*, actor: Actor, page: list[OrganisationApplication], filters: dict) -> None:
    audit_record(
        actor=actor,
        tag=AuditTag.APPLICATION_LISTED,
        data_class=DataClass.ADMINISTRATIVE,
        target_type="application",
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"ids": [str(a.public_id) for a in page], "filters": filters},
    )


def application_get(*, actor: Actor, public_id) -> OrganisationApplication:
    """One application (a miss is a probe, audited)."""
    return scoped_get(
        actor=actor,
        queryset=applications_queue(actor=actor),
        public_id=public_id,
        tag=AuditTag.APPLICATION_READ,
        target_type="application",
        noun=gettext_noop("application"),
    )


def application_read(*, actor: Actor, public_id) -> OrganisationApplication:
    """One application for its reviewer, the read audited."""
    application = application_get(actor=actor, public_id=public_id)
    audit_record(
        actor=actor,
        tag=AuditTag.APPLICATION_READ,
        target=application,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.OPERATOR_DUTY,
    )
    return application


def application_document_get(*, actor: Actor, application_id, document_id) -> ApplicationDocument:
    """A document of one application (either id unknown: the same audited 404)."""
    _require_reviewer(actor)
    return scoped_get(
        actor=actor,
        queryset=ApplicationDocument.objects.select_related("application").filter(
            application__public_id=application_id
        ),
        public_id=document_id,
        tag=AuditTag.APPLICATION_DOCUMENT_OPENED,
        target_type="applicationdocument",
        noun=gettext_noop("document"),
    )


def application_of(*, actor: Actor, organisation: Organisation) -> OrganisationApplication | None:
    """The application that admitted the organisation, if it applied (the operator admits some directly)."""
    _require_reviewer(actor)
    return OrganisationApplication.objects.filter(organisation=organisation).first()

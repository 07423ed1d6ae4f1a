"""Organisations apply, operator admins decide; each write one transaction with its audit row.

Refusals (duplicates, wrong secrets) are audited before the write's transaction opens, which would
roll their rows back. The applicant's contact email is personal data: it is mailed to, never audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.actors import Actor
from accounts.admission.mail import applicant_tell, public_link
from accounts.admission.models import (
    OPEN_STATES,
    ApplicationDocument,
    ApplicationState,
    OrganisationApplication,
)
from accounts.admission.organisations import duplicates_of
from accounts.admission.registration import name_normalised
from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record, audit_record_denied
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.invitations.services import invitation_create
from accounts.locks import lock_application
from accounts.models import Organisation, VerificationState
from accounts.roles import Capability, OrganisationKind, Role
from accounts.scoped import not_found_message
from hub.envelope import Sealed, associated_data, open_sealed, seal
from hub.errors import ConflictError, DomainError, NotFoundError
from hub.keys import key_encryption_keys

RESTRICTED = "restricted"
DOCUMENT_FIELD = "content"


@dataclass(frozen=True)
class DocumentUpload:
    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Applicant:
    legal_name: str
    kind: OrganisationKind
    country: str
    registration_number: str  # already validated and compacted (accounts/admission/registration.py)
    contact_name: str
    contact_email: str
    terms_version: str


# --- uniqueness -------------------------------------------------------------------------------


def _refuse_duplicate(*, actor: Actor | None, tag: AuditTag, target_type: str, fields: dict) -> None:
    audit_record_denied(
        actor=actor,
        tag=tag,
        target_type=target_type,
        reason=f"duplicate {' and '.join(sorted(fields))}",
        request_id=actor.request_id if actor else "",
    )
    raise ConflictError(
        gettext("An organisation or open application already holds this name or number."), fields=fields
    )


# --- applying ---------------------------------------------------------------------------------


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def application_submit(
    *, applicant: Applicant, documents: list[DocumentUpload], request_id: str = ""
) -> tuple[OrganisationApplication, str]:
    """File an application; returns it and the one-time secret for adding documents (only its hash is kept)."""
    fields = duplicates_of(
        name=applicant.legal_name,
        country=applicant.country,
        registration_number=applicant.registration_number,
    )
    if fields:
        _refuse_duplicate(
            actor=None, tag=AuditTag.APPLICATION_SUBMITTED, target_type="application", fields=fields
        )
    secret = secrets.token_urlsafe(32)
    try:
        application = _application_create(
            applicant=applicant, documents=documents, secret=secret, request_id=request_id
        )
    except IntegrityError:  # a concurrent application took the name or number first
        fields = duplicates_of(
            name=applicant.legal_name,
            country=applicant.country,
            registration_number=applicant.registration_number,
        )
        _refuse_duplicate(
            actor=None,
            tag=AuditTag.APPLICATION_SUBMITTED,
            target_type="application",
            fields=fields or {"legal_name": [gettext("Already taken.")]},
        )
    return application, secret


@transaction.atomic
def _application_create(
    *, applicant: Applicant, documents: list[DocumentUpload], secret: str, request_id: str
) -> OrganisationApplication:
    application = OrganisationApplication.objects.create(
        legal_name=name_normalised(applicant.legal_name),
        kind=applicant.kind,
        country=applicant.country.upper(),
        registration_number=applicant.registration_number,
        contact_name=applicant.contact_name.strip(),
        contact_email=applicant.contact_email.strip(),
        terms_version=applicant.terms_version,
        terms_accepted_at=timezone.now(),
        upload_secret_hash=secret_hash(secret),
    )
    stored = _documents_store(application=application, documents=documents)
    audit_record(
        actor=None,
        tag=AuditTag.APPLICATION_SUBMITTED,
        target=application,
        data_class=DataClass.ADMINISTRATIVE,
        request_id=request_id,
        details={
            "kind": application.kind,
            "country": application.country,
            "terms_version": application.terms_version,
            "documents": [str(d.public_id) for d in stored],
        },
    )
    return application


def _documents_store(
    *, application: OrganisationApplication, documents: list[DocumentUpload]
) -> list[ApplicationDocument]:
    """Seal each document under a fresh data key, bound to its own id (never stored in clear)."""
    stored = []
    for upload in documents:
        document = ApplicationDocument(
            public_id=uuid.uuid4(),
            application=application,
            name=upload.name[:255],
            content_type=upload.content_type[:100] or "application/octet-stream",
            size=len(upload.content),
        )
        sealed = seal(upload.content, aad=document_aad(document), keys=key_encryption_keys())
        document.kek_version, document.wrapped_key, document.ciphertext = (
            sealed.kek_version,
            sealed.wrapped_key,
            sealed.ciphertext,
        )
        document.save(force_insert=True)
        stored.append(document)
    return stored


def document_aad(document: ApplicationDocument) -> bytes:
    return associated_data(record_id=document.record_id, field=DOCUMENT_FIELD, data_class=RESTRICTED)


def application_upload_authorised(*, public_id, secret: str, request_id: str = "") -> OrganisationApplication:
    """The open application this reference and one-time secret name, or an audited 404.

    An unknown reference, a wrong or used secret and a decided application all answer the same.
    """
    application = (
        OrganisationApplication.objects.filter(public_id=public_id, state__in=OPEN_STATES).first()
        if _is_uuid(public_id)
        else None
    )
    stored_hash = application.upload_secret_hash if application is not None else ""
    if application is None or not (stored_hash and hmac.compare_digest(stored_hash, secret_hash(secret))):
        audit_record_denied(
            actor=None,
            tag=AuditTag.APPLICATION_DOCUMENTS_ADDED,
            target_type="application",
            reason="no open application with this reference and secret",
            request_id=request_id,
        )
        raise NotFoundError(not_found_message(gettext_noop("application")))
    return application


def application_documents_add(
    *, application: OrganisationApplication, documents: list[DocumentUpload], request_id: str = ""
) -> OrganisationApplication:
    """The applicant adds documents (authorised above); a requested application returns to pending."""
    return _documents_add(application=application, documents=documents, request_id=request_id)


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@transaction.atomic
def _documents_add(
    *, application: OrganisationApplication, documents: list[DocumentUpload], request_id: str
) -> OrganisationApplication:
    # Re-read under the row lock: a concurrent upload may have used the one-time secret meanwhile.
    expected = application.upload_secret_hash
    application = lock_application(application)
    if not application.is_open or application.upload_secret_hash != expected:
        raise NotFoundError(not_found_message(gettext_noop("application")))
    stored = _documents_store(application=application, documents=documents)
    application.upload_secret_hash = ""  # one-time: a further request for documents mails a new one
    application.state = ApplicationState.PENDING
    application.save(update_fields=["upload_secret_hash", "state"])
    audit_record(
        actor=None,
        tag=AuditTag.APPLICATION_DOCUMENTS_ADDED,
        target=application,
        data_class=DataClass.ADMINISTRATIVE,
        request_id=request_id,
        details={"documents": [str(d.public_id) for d in stored]},
    )
    return application


# --- deciding ---------------------------------------------------------------------------------


def _require_reviewer(actor: Actor) -> None:
    require(
        actor,
        Capability.ORGANISATION_ADMIN,
        message=gettext("Only operator administrators decide applications."),
        denied_tag=AuditTag.APPLICATION_READ,
        target_type="application",
    )


def _require_open(actor: Actor, application: OrganisationApplication, tag: AuditTag) -> None:
    if application.is_open:
        return
    audit_record_denied(
        actor=actor,
        tag=tag,
        target_type="application",
        reason=f"application {application.public_id} is already {application.state}",
        request_id=actor.request_id,
    )
    raise ConflictError(
        gettext("This application was already decided (%(state)s).")
        % {"state": application.get_state_display()},
        fields={
            "state": [gettext("The application is %(state)s.") % {"state": application.get_state_display()}]
        },
    )


def application_verify(*, application: OrganisationApplication, reason: str, actor: Actor) -> Organisation:
    """Admit the applicant: a verified organisation with the terms it accepted; the contact is told."""
    _require_reviewer(actor)
    _require_open(actor, application, AuditTag.APPLICATION_VERIFIED)
    fields = duplicates_of(
        name=application.legal_name,
        country=application.country,
        registration_number=application.registration_number,
        exclude=application,
    )
    if fields:
        _refuse_duplicate(
            actor=actor, tag=AuditTag.APPLICATION_VERIFIED, target_type="application", fields=fields
        )
    try:
        organisation = _application_admit(application=application, reason=reason, actor=actor)
    except IntegrityError:
        _refuse_duplicate(
            actor=actor,
            tag=AuditTag.APPLICATION_VERIFIED,
            target_type="application",
            fields={
                "legal_name": [gettext("An organisation of this name or number was admitted meanwhile.")]
            },
        )
    applicant_tell(
        application=application,
        subject=gettext("Your organisation is verified"),
        body=gettext(
            "%(name)s is now a verified member of the Infringer Intelligence Hub (reference %(reference)s).\n\n"
            "An invitation to become its administrator follows in a separate message to this address.\n\n"
            "%(link)s\n"
        )
        % {"name": application.legal_name, "reference": application.public_id, "link": public_link("/")},
    )
    # The contact who applied becomes the organisation's first administrator, by invitation: they set
    # a password (and enrol a second factor) through the one-time link, and invite the others.
    invitation_create(
        email=application.contact_email, role=Role.ADMIN, actor=actor, organisation=organisation
    )
    return organisation


@transaction.atomic
def _application_admit(*, application: OrganisationApplication, reason: str, actor: Actor) -> Organisation:
    organisation = Organisation.objects.create(
        name=application.legal_name,
        kind=application.kind,
        country=application.country,
        # An applicant receives the hub's data where it is registered: abroad, that is a cross-border
        # transfer (accounts/transfers/), refused until the deployment names a basis for it.
        jurisdiction=application.country.upper(),
        registration_number=application.registration_number,
        verification=VerificationState.VERIFIED,
        terms_version=application.terms_version,
        terms_accepted_at=application.terms_accepted_at,
    )
    _decide(application, ApplicationState.VERIFIED, reason, organisation=organisation)
    audit_record(
        actor=actor,
        tag=AuditTag.APPLICATION_VERIFIED,
        target=application,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"organisation": str(organisation.public_id), "reason": reason},
    )
    audit_record(
        actor=actor,
        tag=AuditTag.ORGANISATION_CREATED,
        target=organisation,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={
            "kind": organisation.kind,
            "verified": True,
            "application": str(application.public_id),
            "terms_version": organisation.terms_version,
        },
    )
    return organisation


def _decide(
    application: OrganisationApplication,
    state: ApplicationState,
    reason: str,
    *,
    organisation: Organisation | None = None,
) -> None:
    application.state, application.reason, application.decided_at = state, reason, timezone.now()
    fields = ["state", "reason", "decided_at"]
    if organisation is not None:
        application.organisation = organisation
        fields.append("organisation")
    if state not in OPEN_STATES:
        application.upload_secret_hash = ""
        fields.append("upload_secret_hash")
    application.save(update_fields=fields)


def application_reject(
    *, application: OrganisationApplication, reason: str, actor: Actor
) -> OrganisationApplication:
    """Refuse the application with a reason the applicant is told."""
    _require_reviewer(actor)
    _require_open(actor, application, AuditTag.APPLICATION_REJECTED)
    _application_decide(application=application, state=ApplicationState.REJECTED, reason=reason, actor=actor)
    applicant_tell(
        application=application,
        subject=gettext("Your application was not accepted"),
        body=gettext(
            "The application of %(name)s (reference %(reference)s) to join the Infringer Intelligence Hub "
            "was not accepted.\n\nReason: %(reason)s\n"
        )
        % {"name": application.legal_name, "reference": application.public_id, "reason": reason},
    )
    return application


def application_documents_request(
    *, application: OrganisationApplication, reason: str, actor: Actor
) -> OrganisationApplication:
    """Ask the applicant for more documents: a new one-time upload link goes to the contact."""
    _require_reviewer(actor)
    _require_open(actor, application, AuditTag.APPLICATION_DOCUMENTS_REQUESTED)
    secret = secrets.token_urlsafe(32)
    _application_decide(
        application=application,
        state=ApplicationState.DOCUMENTS_REQUESTED,
        reason=reason,
        actor=actor,
        new_secret_hash=secret_hash(secret),
    )
    link = public_link(f"/join/{application.public_id}/documents?secret={secret}")
    applicant_tell(
        application=application,
        subject=gettext("More documents needed for your application"),
        body=gettext(
            "To decide the application of %(name)s (reference %(reference)s) the hub needs more documents."
            "\n\nWhat is needed: %(reason)s\n\nUpload them here (the link works once):\n%(link)s\n"
        )
        % {
            "name": application.legal_name,
            "reference": application.public_id,
            "reason": reason,
            "link": link,
        },
    )
    return application


_DECISION_TAGS = {
    ApplicationState.REJECTED: AuditTag.APPLICATION_REJECTED,
    ApplicationState.DOCUMENTS_REQUESTED: AuditTag.APPLICATION_DOCUMENTS_REQUESTED,
}


@transaction.atomic
def _application_decide(
    *,
    application: OrganisationApplication,
    state: ApplicationState,
    reason: str,
    actor: Actor,
    new_secret_hash: str = "",
) -> None:
    _decide(application, state, reason)
    if new_secret_hash:
        application.upload_secret_hash = new_secret_hash
        application.save(update_fields=["upload_secret_hash"])
    audit_record(
        actor=actor,
        tag=_DECISION_TAGS[state],
        target=application,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"reason": reason},
    )


@transaction.atomic
def application_document_open(*, document: ApplicationDocument, actor: Actor) -> bytes:
    """Decrypt a verification document for its reviewer: restricted-class access, audited as such."""
    _require_reviewer(actor)
    application = document.application
    if not application.is_open:
        raise DomainError(
            gettext("Documents are open for review only while the application is."),
            fields={
                "state": [
                    gettext("The application is: %(state)s.") % {"state": application.get_state_display()}
                ]
            },
        )
    audit_record(
        actor=actor,
        tag=AuditTag.APPLICATION_DOCUMENT_OPENED,
        target=document,
        data_class=DataClass.RESTRICTED,
        legal_basis=LegalBasis.ADMISSION_REVIEW,
        details={"application": str(application.public_id)},
    )
    sealed = Sealed(
        kek_version=document.kek_version,
        wrapped_key=bytes(document.wrapped_key),
        ciphertext=bytes(document.ciphertext),
    )
    return open_sealed(sealed, aad=document_aad(document), keys=key_encryption_keys())


def terms_current() -> tuple[str, str]:
    """The membership terms an applicant accepts now: (version, text)."""
    return settings.HUB_MEMBERSHIP_TERMS_VERSION, settings.HUB_MEMBERSHIP_TERMS_TEXT

"""The records of processing (GDPR Art. 30, PIPL Art. 54-55): what the hub processes, for which
purposes, kept how long, and who receives it, generated from the code's own tables and settings.

Only what a table cannot say is written here: each activity's name, description, the models it
keeps, the capabilities that receive it and the settings that bound it. Everything else is read
when the document is made: the models' fields, the retention periods from settings, the recipients
from the role matrix (accounts/roles.py), the data classes and legal bases from the audit log's
choices, the purposes from the purpose list (accounts/purposes.py) and the transfers abroad from the
residency and transfer-basis settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.actors import Actor
from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.purposes import KIND_PURPOSES, Purpose
from accounts.roles import ROLE_CAPABILITIES, Capability
from hub.jurisdiction import TransferBasis

_C = Capability


@dataclass(frozen=True)
class Activity:
    code: str
    name: Promise
    description: Promise
    models: tuple[str, ...]
    data_classes: tuple[DataClass, ...]
    legal_bases: tuple[LegalBasis, ...]
    recipients: tuple[Capability, ...]
    # (setting, what it bounds); a setting of None: kept for as long as the record it belongs to.
    retention: tuple[tuple[str, Promise], ...]
    # Whether members state a purpose from the purpose list for it (checks, bulk, watch, feed).
    purpose_stated: bool = False


ACTIVITIES: tuple[Activity, ...] = (
    Activity(
        "screening",
        _("Screening sellers"),
        _("Members check sellers one by one, in bulk files and on watchlists, and read the feed."),
        (
            "sharing.IdentifierToken",
            "sharing.Subject",
            "sharing.SubjectMatch",
            "sharing.BulkJob",
            "sharing.BulkResult",
            "sharing.WatchEntry",
            "sharing.FeedObjectVersion",
        ),
        (DataClass.SHAREABLE,),
        (LegalBasis.MEMBERSHIP_TERMS,),
        (_C.CHECK_RUN, _C.BULK_RUN, _C.WATCHLIST_MANAGE, _C.FEED_READ),
        (
            ("HUB_SUBJECT_MATCH_RETENTION_DAYS", _("records of what a member's screening matched")),
            ("HUB_BULK_RETENTION_DAYS", _("bulk jobs with their rows and results")),
        ),
        purpose_stated=True,
    ),
    Activity(
        "reporting",
        _("Infringer reports"),
        _("Rights owners, platforms and couriers report sellers; operators review the reports."),
        ("sharing.Report", "sharing.ReportIdentifier", "sharing.IdentifierToken", "sharing.Subject"),
        (DataClass.SHAREABLE, DataClass.ADMINISTRATIVE),
        (LegalBasis.MEMBERSHIP_TERMS, LegalBasis.OPERATOR_DUTY),
        (_C.REPORT_READ, _C.REPORT_REVIEW, _C.CHECK_RUN),
        (
            ("HUB_REPORT_RETENTION_DAYS", _("an accepted report counts until it expires, unless renewed")),
            ("HUB_REPORT_METADATA_RETENTION_DAYS", _("a closed report's metadata and report-token links")),
        ),
    ),
    Activity(
        "parcel_events",
        _("Parcel events"),
        _(
            "Couriers record parcels seized, refused, returned or held at customs with the sender's "
            "identifiers as tokens; others see them counted per kind, never one by one."
        ),
        ("sharing.ParcelEvent", "sharing.IdentifierToken"),
        (DataClass.SHAREABLE,),
        (LegalBasis.MEMBERSHIP_TERMS,),
        (_C.PARCEL_RECORD, _C.CHECK_RUN, _C.REPORT_READ),
        (("HUB_PARCEL_EVENT_RETENTION_DAYS", _("a courier's parcel events and their token links")),),
    ),
    Activity(
        "restricted",
        _("The restricted tier"),
        _("Raw identifiers, statements, evidence and reporter identity, sealed on arrival."),
        ("sharing.RestrictedRecord",),
        (DataClass.RESTRICTED,),
        (LegalBasis.COURT_ORDER, LegalBasis.REPORT_REVIEW, LegalBasis.DISPUTE_REVIEW),
        (_C.DISCLOSURE_DOWNLOAD, _C.REPORT_REVIEW, _C.DISPUTE_DECIDE),
        (("HUB_RESTRICTED_RETENTION_DAYS", _("a closed report's restricted payloads")),),
    ),
    Activity(
        "due_process",
        _("Disputes and appeals"),
        _("Listed sellers contest listings through platforms or in person; reporters appeal rejections."),
        ("sharing.Dispute", "sharing.DisputedReport", "sharing.ReportAppeal"),
        (DataClass.SHAREABLE, DataClass.ADMINISTRATIVE),
        (LegalBasis.MEMBERSHIP_TERMS, LegalBasis.OPERATOR_DUTY),
        (_C.DISPUTE_READ, _C.DISPUTE_RESPOND, _C.DISPUTE_DECIDE),
        (("HUB_REPORT_METADATA_RETENTION_DAYS", _("decided disputes go with the last report they cover")),),
    ),
    Activity(
        "data_subject_rights",
        _("The listed person's own route"),
        _(
            "A person proves control of an email address or phone number by a one-time code, then reads "
            "the statement of reasons, exports what the shareable tier holds, appeals or asks for a "
            "correction."
        ),
        ("sharing.IdentifierChallenge", "sharing.RectificationRequest"),
        (DataClass.SHAREABLE, DataClass.RESTRICTED),
        (LegalBasis.DATA_SUBJECT_RIGHTS,),
        (_C.DISPUTE_RESPOND, _C.DISPUTE_DECIDE, _C.ALERT_HANDLE),
        (("HUB_REPORT_METADATA_RETENTION_DAYS", _("an appeal goes with the last report it covers")),),
    ),
    Activity(
        "disclosure",
        _("Court disclosure"),
        _("Courts obtain restricted data under a verified order approved by two officers."),
        ("sharing.DisclosureRequest", "sharing.DisclosureApproval", "sharing.DisclosurePackage"),
        (DataClass.RESTRICTED, DataClass.ADMINISTRATIVE),
        (LegalBasis.COURT_ORDER,),
        (_C.DISCLOSURE_REQUEST, _C.DISCLOSURE_READ, _C.DISCLOSURE_APPROVE, _C.DISCLOSURE_DOWNLOAD),
        (("HUB_DISCLOSURE_MAX_DOWNLOADS", _("downloads of a package (a count, not days)")),),
    ),
    Activity(
        "audit",
        _("The audit log"),
        _("Every access, with actor, data class and legal basis, in a verifiable log."),
        ("accounts.AuditEvent", "accounts.AuditCheckpoint"),
        (DataClass.ADMINISTRATIVE,),
        (LegalBasis.OPERATOR_DUTY,),
        (_C.AUDIT_READ,),
        (("HUB_AUDIT_DETAILS_RETENTION_DAYS", _("an event's details; its columns and leaf hash are kept")),),
    ),
)

RETENTION_EXCEPTIONS = (
    _("A legal hold placed by an operator keeps its report or seller from every purge."),
    _("A live dispute or a pending appeal keeps the reports it covers."),
    _("A court order in progress keeps every report in its scope."),
)


def records_of_processing_read(*, actor: Actor) -> dict:
    """The records of processing for an operator or auditor; the read is audited."""
    require(actor, Capability.AUDIT_READ)
    document = records_of_processing()
    audit_record(
        actor=actor,
        tag=AuditTag.RECORDS_OF_PROCESSING_READ,
        data_class=DataClass.ADMINISTRATIVE,
        target_type="records_of_processing",
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"activities": len(document["activities"])},
    )
    return document


def records_of_processing() -> dict:
    """The document, as of now and this deployment's settings."""
    purposes = _purposes()
    return {
        "generated_at": timezone.now().isoformat(),
        "controller": settings.HUB_PUBLIC_URL,
        "activities": [_activity(activity, purposes) for activity in ACTIVITIES],
        "data_classes": [{"code": c.value, "name": str(c.label)} for c in DataClass],
        "legal_bases": [{"code": b.value, "name": str(b.label)} for b in LegalBasis],
        "purposes": purposes,
        "transfers": _transfers(),
        "retention_exceptions": [str(text) for text in RETENTION_EXCEPTIONS],
    }


def _activity(activity: Activity, purposes: list[dict]) -> dict:
    return {
        "code": activity.code,
        "name": str(activity.name),
        "description": str(activity.description),
        "records": [_record(label) for label in activity.models],
        "data_classes": [c.value for c in activity.data_classes],
        "legal_bases": [b.value for b in activity.legal_bases],
        "purposes": [p["code"] for p in purposes] if activity.purpose_stated else [],
        "recipients": _recipients(activity.recipients),
        "retention": [
            {"setting": name, "value": getattr(settings, name), "applies_to": str(what)}
            for name, what in activity.retention
        ],
    }


def _record(label: str) -> dict:
    """A model and its stored fields (names only), read from the model itself."""
    model = apps.get_model(label)
    return {"model": label, "columns": [field.name for field in model._meta.concrete_fields]}


def _recipients(capabilities: tuple[Capability, ...]) -> list[dict]:
    """Every organisation kind and role whose capabilities receive the activity's data."""
    return [
        {"organisation_kind": kind.value, "role": role.value, "capabilities": sorted(c.value for c in held)}
        for (kind, role), granted in sorted(ROLE_CAPABILITIES.items())
        if (held := granted & set(capabilities))
    ]


def _purposes() -> list[dict]:
    """The closed purpose list (accounts/purposes.py) with the organisation kinds that may state each."""
    return [
        {
            "code": purpose.value,
            "name": str(purpose.label),
            "organisation_kinds": sorted(
                str(kind) for kind, allowed in KIND_PURPOSES.items() if purpose in allowed
            ),
        }
        for purpose in Purpose
    ]


def _transfers() -> dict:
    """Where the data lives and where it may go, under which basis (HUB_DATA_RESIDENCY,
    HUB_TRANSFER_BASES); each transfer to a member abroad is recorded as a CrossBorderTransfer."""
    return {
        "residency": settings.HUB_DATA_RESIDENCY,
        "destinations": [
            {"jurisdiction": code, "basis": basis, "basis_name": str(TransferBasis(basis).label)}
            for code, basis in sorted(settings.HUB_TRANSFER_BASES.items())
        ],
        "recorded_as": "accounts.CrossBorderTransfer",
        "record_columns": _record("accounts.CrossBorderTransfer")["columns"],
    }

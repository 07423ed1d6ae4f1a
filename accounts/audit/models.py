"""The append-only audit event: who touched which object, which class of data, on what basis."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DataClass(models.TextChoices):
    SHAREABLE = "shareable", _("Shareable")
    RESTRICTED = "restricted", _("Restricted")
    ADMINISTRATIVE = "administrative", _("Administrative")


class Outcome(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    DENIED = "denied", _("Denied")


class LegalBasis(models.TextChoices):
    MEMBERSHIP_TERMS = "membership_terms", _("Membership terms")
    OPERATOR_DUTY = "operator_duty", _("Operator's duty of oversight")
    COURT_ORDER = "court_order", _("Court order")
    # An operator admin reading an applicant's own verification documents to decide its application.
    ADMISSION_REVIEW = "admission_review", _("Admission review")
    # An operator reviewer reading a pending report's statement and evidence to decide it.
    REPORT_REVIEW = "report_review", _("Report review")
    # An operator reviewer reading both sides' submissions in an undecided dispute to decide it.
    DISPUTE_REVIEW = "dispute_review", _("Dispute review")
    # A listed person exercising their own rights (access, rectification, contest: GDPR Art. 15-16 & 21,
    # PIPL Art. 44-46) over an identifier they proved control of.
    DATA_SUBJECT_RIGHTS = "data_subject_rights", _("Data subject rights")


class AuditEventContent(models.Model):
    """What an audit event says, shared by the log's rows and the rows staged for them (sequencer.py)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Stable references and their names at the time; rows never follow later renames.
    actor_member = models.ForeignKey(
        "accounts.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_api_key = models.ForeignKey(
        "accounts.ApiKey", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data_class = models.CharField(max_length=20, choices=DataClass.choices)
    legal_basis = models.CharField(max_length=200)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.ALLOWED)
    # The hub's own id of the request (uuid4), never chosen by the client.
    request_id = models.CharField(max_length=64, blank=True)
    # The client's X-Request-Id, if it sent an acceptable one (hub/middleware.py). Nullable so that
    # SQLite adds the column in place: rebuilding the table would drop the append-only triggers.
    client_request_id = models.CharField(max_length=64, null=True, blank=True)
    # Counts, token prefixes and stable ids only; never raw identifiers or display strings.
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


class AuditEvent(AuditEventContent):
    """One leaf of the audit log's Merkle tree (RFC 9162); append-only, see accounts/audit/log.py."""

    # Gapless position in the log (0-based), allocated under the AuditLogHead row lock.
    seq = models.BigIntegerField(unique=True)
    # SHA-256(0x00 ‖ canonical serialisation); a convenience copy: verify_audit recomputes it.
    leaf_hash = models.CharField(max_length=64)
    # Set once, when `details` were emptied after HUB_AUDIT_DETAILS_RETENTION_DAYS (accounts/audit/
    # retention.py): the one update the append-only triggers allow. The leaf hash stays as it was, so
    # the row is verified by it (its leaf can no longer be recomputed). Nullable: added in place.
    details_purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["organisation", "occurred_at"]),
            models.Index(fields=["data_class", "occurred_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(data_class__in=DataClass.values), name="audit_data_class_known"
            ),
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="audit_outcome_known"),
            models.CheckConstraint(condition=~Q(legal_basis=""), name="audit_legal_basis_present"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.outcome}"


class AuditStagedEvent(AuditEventContent):
    """An audit event written in its action's transaction, waiting for the sequencer (batched
    sequencing, accounts/audit/sequencer.py), which gives it its place in the log and deletes it here.

    Not append-only, unlike the log: rows leave as they are sequenced. Only the primary key is
    indexed beyond what the constraints need, since every audited action inserts here."""

    occurred_at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=80)

    class Meta:
        # The constraints of the log, so that a row the log would refuse fails its action here
        # instead of stopping the sequencer at it.
        constraints = [
            models.CheckConstraint(
                condition=Q(data_class__in=DataClass.values), name="audit_staged_data_class_known"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="audit_staged_outcome_known"
            ),
            models.CheckConstraint(condition=~Q(legal_basis=""), name="audit_staged_legal_basis_present"),
        ]

    def __str__(self) -> str:
        return f"staged #{self.pk} {self.action} {self.outcome}"


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


# What each alert kind means, in words for the alerts page; a kind not listed shows as its code.
ALERT_KINDS = {
    "canary_hit": _("A canary identifier was checked"),
    "denied_burst": _("Many refused requests from one organisation"),
    "disclosure_build_failed": _("A disclosure package keeps failing to build"),
    "mail_undeliverable": _("A message could not be delivered"),
    "no_match_sweep": _("Many checks that match nothing (a sweep)"),
    "rectification_requested": _("A listed person asks for a rectification"),
    "restricted_without_order": _("Restricted data opened without a court order"),
    "sequential_sweep": _("Checks of sequential identifiers (a sweep)"),
    "urgent_review_overdue": _("An urgent live-stream report is past its review target"),
    "volume_spike": _("An unusual volume of checks"),
}


class Alert(models.Model):
    """Something an operator or auditor should look at: a sweep, a canary hit, a restricted access."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=40, db_index=True)
    severity = models.CharField(max_length=10, default="medium")
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # One open alert per subject of concern: repeats update it instead of piling up.
    dedupe_key = models.CharField(max_length=200)
    raised_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    occurrences = models.PositiveIntegerField(default=1)
    details = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    handled_by = models.ForeignKey(
        "accounts.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=~Q(status="resolved"), name="alert_one_unresolved_per_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status})"

    @property
    def kind_label(self) -> str:
        return str(ALERT_KINDS.get(self.kind, self.kind))


class AuditLogHead(models.Model):
    """The single row that hands out sequence numbers: its lock makes them gapless (taken once per
    action in inline sequencing, once per batch by the sequencer in batched sequencing)."""

    size = models.BigIntegerField(default=0)


class AuditCheckpoint(models.Model):
    """A signed checkpoint (C2SP tlog-checkpoint note) of the log at some size."""

    size = models.BigIntegerField(unique=True)
    root_hash = models.CharField(max_length=64)
    note = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["size"]

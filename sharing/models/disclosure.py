"""Court disclosure: an order, its review by two distinct officers, and the package it yields.

The rules that must never break are enforced by the database too (constraints here,
triggers in migration 0004): approvers are distinct operator disclosure officers, never
the requester; a request is approved only with two approvals; refusals carry reasons.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DisclosureStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under Review")
    APPROVED = "approved", _("Approved")
    PACKAGE_READY = "package_ready", _("Package Ready")
    DELIVERED = "delivered", _("Delivered")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RestrictedField(models.TextChoices):
    """Which restricted fields of a report an order may reach."""

    IDENTIFIERS = "identifiers", _("Identifiers")
    STATEMENT = "statement", _("Statement")
    EVIDENCE = "evidence", _("Evidence")
    REPORTER = "reporter", _("Reporter")


OPEN_STATUSES = (DisclosureStatus.SUBMITTED, DisclosureStatus.UNDER_REVIEW)


class DisclosureRequest(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    court = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="disclosure_requests"
    )
    requested_by = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="+")
    case_number = models.CharField(max_length=100)
    issuing_court = models.CharField(max_length=200)
    legal_basis = models.CharField(max_length=500)
    scope_reports = models.JSONField(default=list, help_text="report public ids")
    scope_subjects = models.JSONField(default=list, help_text="subject public ids")
    scope_tokens = models.JSONField(default=list, help_text="identifier tokens (hex)")
    scope_fields = models.JSONField(default=list)
    # The report ids the scope resolved to when the package was built (subjects and
    # tokens map to reports); check_restricted_access holds decryptions to this list.
    resolved_reports = models.JSONField(default=list)
    deadline = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=DisclosureStatus.choices, default=DisclosureStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_expires_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    downloads = models.PositiveIntegerField(default=0)
    max_downloads = models.PositiveIntegerField(default=3)
    # Package builds started (each counted in its own commit) and when the last one started or was
    # sent: the sweeper re-sends an approved order unbuilt for a lease, and alerts after the last attempt.
    build_attempts = models.PositiveIntegerField(default=0)
    build_attempted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DisclosureStatus.values), name="disclosure_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_reason=""),
                name="disclosure_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "package_ready", "delivered"])
                | Q(approved_at__isnull=False, approval_expires_at__isnull=False),
                name="disclosure_approval_recorded",
            ),
            models.CheckConstraint(
                condition=Q(downloads__lte=models.F("max_downloads")), name="disclosure_downloads_bounded"
            ),
        ]

    def __str__(self) -> str:
        return f"disclosure {self.order_reference} ({self.status})"

    @property
    def order_reference(self) -> str:
        return f"{self.issuing_court} {self.case_number}"

    @property
    def legal_basis_tag(self) -> str:
        """The legal basis written on every audit row this order authorises."""
        return f"court_order:{self.public_id}"

    @property
    def overdue(self) -> bool:
        return self.status in OPEN_STATUSES and timezone.now() > self.deadline


class DisclosureApproval(models.Model):
    request = models.ForeignKey(DisclosureRequest, on_delete=models.PROTECT, related_name="approvals")
    officer = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "officer"], name="disclosure_approval_once_per_officer"
            )
        ]


class DisclosureScopeChange(models.Model):
    """An officer narrowing an order's scope; the reason is mandatory."""

    request = models.ForeignKey(DisclosureRequest, on_delete=models.PROTECT, related_name="scope_changes")
    officer = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    before = models.JSONField()
    after = models.JSONField()
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="disclosure_narrowing_has_reason")
        ]


class DisclosurePackage(models.Model):
    """The signed package, encrypted to the court's key; the hub cannot read it back."""

    request = models.OneToOneField(DisclosureRequest, on_delete=models.PROTECT, related_name="package")
    envelope = models.BinaryField()
    manifest_sha256 = models.CharField(max_length=64)
    built_at = models.DateTimeField(default=timezone.now)


class DisclosureAuthorityApproval(models.Model):
    """The competent authority's approval of an order from a court outside the data's jurisdiction
    (PIPL Art. 41): the third, named step. Its document is sealed in the restricted tier
    (owner disclosure, field authority_approval); a disclosure officer who approves the order
    neither records it nor may be recorded for it (sharing/disclosure/services/authority.py)."""

    request = models.OneToOneField(
        DisclosureRequest, on_delete=models.PROTECT, related_name="authority_approval"
    )
    authority = models.CharField(max_length=200)
    reference = models.CharField(max_length=100)
    decided_on = models.DateField()
    recorded_by = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(authority="") & ~Q(reference=""), name="disclosure_authority_approval_named"
            )
        ]

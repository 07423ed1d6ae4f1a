"""Organisations' applications to join the hub, and their verification documents (restricted tier)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import OrganisationKind

# Courts, auditors and the administrative authorities (market regulation, customs) never apply: public
# bodies, the operator creates them directly (OrganisationsApi, admit_organisation). Payment providers
# apply as platforms do.
APPLYING_KINDS = (
    OrganisationKind.PLATFORM,
    OrganisationKind.LOGISTICS,
    OrganisationKind.RIGHTS_OWNER,
    OrganisationKind.PAYMENT_PROVIDER,
)
APPLYING_KIND_CHOICES = [(kind.value, kind.label) for kind in APPLYING_KINDS]


class ApplicationState(models.TextChoices):
    PENDING = "pending", _("Pending review")
    DOCUMENTS_REQUESTED = "documents_requested", _("More documents requested")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


# An open application holds its name and registration number against every other applicant.
OPEN_STATES = (ApplicationState.PENDING, ApplicationState.DOCUMENTS_REQUESTED)


class OrganisationApplication(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    legal_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    registration_number = models.CharField(max_length=64)
    # Personal data: shown to operator admins reviewing the queue and used to write to the applicant,
    # never copied into an audit row, a log line or an error.
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    terms_version = models.CharField(max_length=40)
    terms_accepted_at = models.DateTimeField()
    state = models.CharField(
        max_length=20, choices=ApplicationState.choices, default=ApplicationState.PENDING
    )
    # SHA-256 of the one-time secret that lets the applicant add documents; empty once used.
    upload_secret_hash = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True, help_text="The operator's reason for the last decision")
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    organisation = models.OneToOneField(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="application"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in APPLYING_KINDS]), name="application_kind_applies"
            ),
            models.CheckConstraint(
                condition=Q(state__in=ApplicationState.values), name="application_state_known"
            ),
            models.UniqueConstraint(
                Lower("legal_name"),
                condition=Q(state__in=[s.value for s in OPEN_STATES]),
                name="application_open_name_unique",
                violation_error_message="An application under this name is already open.",
            ),
            models.UniqueConstraint(
                "country",
                "registration_number",
                condition=Q(state__in=[s.value for s in OPEN_STATES]),
                name="application_open_registration_unique",
                violation_error_message="An application with this registration number is already open.",
            ),
        ]

    def __str__(self) -> str:
        return f"application {self.public_id} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class ApplicationDocument(models.Model):
    """A verification document, envelope-encrypted (hub/envelope.py) as restricted-tier evidence is."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        OrganisationApplication, on_delete=models.PROTECT, related_name="documents"
    )
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    kek_version = models.PositiveIntegerField()
    wrapped_key = models.BinaryField()
    ciphertext = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"document {self.public_id}"

    @property
    def record_id(self) -> str:
        """What the envelope binds the ciphertext to, so it cannot be moved to another document."""
        return f"application_document:{self.public_id}"

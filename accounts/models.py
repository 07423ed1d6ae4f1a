"""Organisations, their members, members' API keys; the audit event lives in audit/."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.admission.models import ApplicationDocument, OrganisationApplication  # noqa: F401  (registers)
from accounts.audit.models import AuditEvent  # noqa: F401  (registers the model)
from accounts.roles import ROLE_CAPABILITIES, OrganisationKind, Role, Scope
from hub.jurisdiction import data_residency


class VerificationState(models.TextChoices):
    PENDING = "pending", _("Pending")
    VERIFIED = "verified", _("Verified")


class Organisation(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    # Where the organisation receives the hub's data (ISO 3166-1 alpha-2): data sent to one outside the
    # hub's residency is a cross-border transfer (accounts/transfers/), an order from a court outside
    # it needs the competent authority's approval (sharing/disclosure/services/authority.py).
    jurisdiction = models.CharField(max_length=2, default=data_residency, help_text="ISO 3166-1 alpha-2")
    verification = models.CharField(
        max_length=10, choices=VerificationState.choices, default=VerificationState.PENDING
    )
    suspended = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # A court's X25519 public key (hex); disclosure packages are encrypted to it.
    encryption_public_key = models.CharField(max_length=64, blank=True)
    encryption_key_set_at = models.DateTimeField(null=True, blank=True)
    # Compact form (validated per country, accounts/admission/registration.py); "" when not given.
    registration_number = models.CharField(max_length=64, blank=True)
    # The membership terms the organisation accepted when admitted: every later access rests on them.
    terms_version = models.CharField(max_length=40, blank=True)
    terms_accepted_at = models.DateTimeField(null=True, blank=True)
    # The purposes its membership agreement allows (accounts/purposes.py), a subset of its kind's;
    # NULL agrees to every purpose the kind allows, a list to those named only.
    agreed_purposes = models.JSONField(null=True, blank=True, default=None)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="organisation_name_unique_ignoring_case",
                violation_error_message="An organisation of this name already exists.",
            ),
            models.UniqueConstraint(
                "country",
                "registration_number",
                condition=~Q(registration_number=""),
                name="organisation_registration_unique",
                violation_error_message="An organisation with this registration number already exists.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values), name="organisation_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(verification__in=VerificationState.values),
                name="organisation_verification_known",
            ),
            # The services take only codes of hub.jurisdiction.COUNTRY_CODES; the database keeps the shape,
            # not the list, so that a library update adding a territory needs no migration.
            models.CheckConstraint(
                condition=Q(jurisdiction__regex=r"^[A-Z]{2}$"),
                name="organisation_jurisdiction_iso_shape",
                violation_error_message="Give an ISO 3166-1 alpha-2 country code.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def in_good_standing(self) -> bool:
        return self.verification == VerificationState.VERIFIED and not self.suspended


def _valid_kind_role_pairs() -> Q:
    condition = Q(pk__in=[])
    for kind, role in ROLE_CAPABILITIES:
        condition |= Q(organisation_kind=kind, role=role)
    return condition


class Member(models.Model):
    """A person acting for one organisation in one role; the user logs in to the web pages."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="member")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="members")
    # Copied from the organisation (kinds never change) so the database can refuse
    # roles the organisation kind does not have, such as a platform "reviewer".
    organisation_kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    role = models.CharField(max_length=20, choices=Role.choices)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=_valid_kind_role_pairs(), name="member_role_fits_organisation_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.role} at {self.organisation})"


class ApiKey(models.Model):
    """A member's API key: shown once, stored as a SHA-256 hash, found by its prefix."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="api_keys")
    # Who created the key. The service only lets members create their own keys, so anything but
    # `member` here is a credential minted for someone else: check_restricted_access flags its use.
    created_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="api_key_expires_after_creation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now and self.member.active

    @property
    def minted_by_its_member(self) -> bool:
        return self.created_by_id == self.member_id

    def has_scope(self, scope: Scope | tuple[Scope, ...] | None) -> bool:
        if scope is None:
            return True
        wanted = scope if isinstance(scope, tuple) else (scope,)
        return any(s.value in self.scopes for s in wanted)


class QuotaUsage(models.Model):
    """How much of one quota an organisation used in one window; see accounts/quotas.py."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    bucket = models.CharField(max_length=40)  # e.g. "check:phone", "evaluate"
    window = models.CharField(max_length=10)  # "minute" or "day"
    window_start = models.DateTimeField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "bucket", "window", "window_start"], name="quota_usage_unique"
            ),
        ]


from accounts.invitations.models import Invitation  # noqa: E402, F401  (registers the model)
from accounts.mail.models import OutboundMail  # noqa: E402, F401  (registers the model)
from accounts.transfers.models import CrossBorderTransfer  # noqa: E402, F401  (registers the model)

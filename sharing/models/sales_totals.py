"""Cross-platform sales totals under the requester's Paillier key (issue 17).

A rights owner (or a court, for a case) asks for a listed subject's sales over a period; every
platform and logistics member whose own screening matched the subject gets a task and answers with
three ciphertexts under the requester's key (gross sales in minor units, orders, units) or declines.
At the deadline the hub adds the ciphertexts, re-randomises the sum and releases only the aggregate,
and only when at least k members contributed; the individual ciphertexts are then deleted.

The database holds the rules too: k ≥ 3, a period that does not run backwards, a refusal with its
reason, a submitted task with its ciphertexts or (after release or refusal) none, a declined one
with its reason.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The smallest Paillier modulus the hub accepts (bits): NIST SP 800-57's 128-bit strength for RSA moduli.
SALES_TOTALS_MIN_KEY_BITS = 3072
# The figures each member encrypts, in the order of its ciphertexts.
SALES_TOTALS_FIGURES = ("gross_minor", "orders", "units")


class SalesTotalsStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RELEASED = "released", _("Released")
    REFUSED = "refused", _("Refused")


class SalesTotalsTaskStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUBMITTED = "submitted", _("Submitted")
    DECLINED = "declined", _("Declined")


class SalesTotalsRequest(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requester = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="+")
    # A subject merged away or gone keeps its request (the record); its id stays in subject_ref.
    subject = models.ForeignKey("sharing.Subject", null=True, on_delete=models.SET_NULL, related_name="+")
    subject_ref = models.UUIDField()
    # The seller's token ids when asked: the seller itself however it is later merged or split, so a
    # later request for any part of it in an overlapping period is refused (no differencing).
    tokens = models.JSONField(default=list)
    # A court names its case; a rights owner may name its own.
    case_reference = models.CharField(max_length=200, blank=True)
    period_start = models.DateField()
    period_end = models.DateField()
    currency = models.CharField(max_length=3)
    # The requester's Paillier modulus n, in decimal; the private key never reaches the hub.
    public_key_n = models.TextField()
    k = models.PositiveSmallIntegerField()
    deadline = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=SalesTotalsStatus.choices, default=SalesTotalsStatus.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    # On release: the re-randomised sums (decimal ciphertexts by figure), the signed statement.
    aggregate = models.JSONField(null=True, blank=True)
    statement = models.TextField(blank=True)
    statement_signature = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(k__gte=3), name="sales_totals_k_at_least_3"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="sales_totals_period_forwards"
            ),
            models.CheckConstraint(
                condition=Q(status__in=SalesTotalsStatus.values), name="sales_totals_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""), name="sales_totals_refusal_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="released") | (Q(aggregate__isnull=False) & ~Q(statement="")),
                name="sales_totals_release_has_aggregate",
            ),
        ]
        indexes = [models.Index(fields=["subject_ref", "period_start"], name="sales_totals_subject_idx")]

    def __str__(self) -> str:
        return f"sales totals {self.public_id} ({self.status})"

    @property
    def legal_basis_tag(self) -> str:
        """The legal basis written on the audit rows of this request's restricted steps."""
        return f"sales_totals_request:{self.public_id}"


class SalesTotalsTask(models.Model):
    """One member's part in a request: pending, submitted (ciphertexts until release) or declined."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(SalesTotalsRequest, on_delete=models.CASCADE, related_name="tasks")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=SalesTotalsTaskStatus.choices, default=SalesTotalsTaskStatus.PENDING
    )
    # Decimal ciphertexts by figure; emptied (None) when the request is released or refused.
    ciphertexts = models.JSONField(null=True, blank=True)
    accounts = models.PositiveIntegerField(null=True, blank=True)
    decline_reason = models.TextField(blank=True, max_length=2000)
    responded_by = models.ForeignKey(
        "accounts.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "organisation"], name="sales_totals_task_once"),
            models.CheckConstraint(
                condition=Q(status__in=SalesTotalsTaskStatus.values), name="sales_totals_task_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="sales_totals_decline_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="submitted") | Q(accounts__isnull=False),
                name="sales_totals_submit_counts",
            ),
            models.CheckConstraint(
                condition=Q(status="submitted") | Q(ciphertexts__isnull=True),
                name="sales_totals_ciphertexts_only_submitted",
            ),
        ]

    def __str__(self) -> str:
        return f"sales totals task {self.public_id} ({self.status})"

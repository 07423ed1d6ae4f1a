"""A report names one infringing seller by several identifier tokens; its raw data is restricted."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from hub.errors import ConflictError
from hub.jurisdiction import data_residency
from hub.wording import starts_with_vowel, status_word


class IpType(models.TextChoices):
    TRADEMARK = "trademark", _("Trademark")
    COPYRIGHT = "copyright", _("Copyright")
    PATENT = "patent", _("Patent")
    OTHER = "other", _("Other")


class Category(models.TextChoices):
    COUNTERFEIT = "counterfeit", _("Counterfeit goods")
    PIRACY = "piracy", _("Piracy")
    DESIGN_COPY = "design_copy", _("Copied design")
    GREY_MARKET = "grey_market", _("Grey-market goods")
    OTHER = "other", _("Other")


class VerificationLevel(models.TextChoices):
    """Ordered from weakest to strongest; see VERIFICATION_RANK."""

    SELF_DECLARED = "self_declared", _("Self-declared")
    RIGHTS_OWNER_VERIFIED = "rights_owner_verified", _("Verified by the rights owner (test purchase)")
    PLATFORM_ENFORCEMENT = "platform_enforcement", _("Platform enforcement")
    ADMINISTRATIVE_DECISION = "administrative_decision", _("Administrative decision")
    COURT_JUDGMENT = "court_judgment", _("Court judgment")


VERIFICATION_RANK = {level: rank for rank, level in enumerate(VerificationLevel.values)}


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    RETRACTED = "retracted", _("Retracted")
    EXPIRED = "expired", _("Expired")
    # The reporter did not answer a dispute in time; stops matching until decided.
    SUSPENDED = "suspended", _("Suspended")
    # An operator upheld the dispute against it: the report was unfounded.
    OVERTURNED = "overturned", _("Overturned")


class UrgencyReason(models.TextChoices):
    """Why a live-room report cannot wait: a closed list, never free text (it could carry personal data)."""

    LIVE_NOW = "live_now", _("Streaming now")
    LIVE_SCHEDULED = "live_scheduled", _("Live stream scheduled within 24 hours")
    LIVE_RECURRING = "live_recurring", _("Streams again every night")


CLOSED_STATUSES = (
    ReportStatus.REJECTED,
    ReportStatus.RETRACTED,
    ReportStatus.EXPIRED,
    ReportStatus.SUSPENDED,
    ReportStatus.OVERTURNED,
)


class Report(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reporter_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="reports"
    )
    submitted_by = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="+")
    ip_type = models.CharField(max_length=20, choices=IpType.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    verification_level = models.CharField(max_length=30, choices=VerificationLevel.choices)
    status = models.CharField(max_length=20, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    disputed = models.BooleanField(default=False)
    # The operator checked the administrative decision or judgment the reporter claims;
    # until then such a claim weighs like a rights-owner-verified report (see risk.py).
    decision_verified = models.BooleanField(default=False)
    fast_tracked = models.BooleanField(
        default=False, help_text="accepted at once: the reporter is a trusted flagger"
    )
    renewed_at = models.DateTimeField(null=True, blank=True)
    payload_destroyed_at = models.DateTimeField(null=True, blank=True)
    evidence_count = models.PositiveIntegerField(default=0)
    # The right the report rests on (a valid notice proves the right: SPC Guideline Art. 5). The
    # registration number and holder are public register data, not personal data: shareable tier.
    right_registration_number = models.CharField(max_length=100, blank=True)
    right_territory = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    right_holder = models.CharField(max_length=200, blank=True)
    # When the reporter gave the written guarantee that the notice is authentic (Art. 5); null only
    # for reports filed before the guarantee was asked for.
    authenticity_guaranteed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    # The jurisdiction of the report's data: the hub's residency when it arrived, since the hub collects
    # and holds it there (the reporter's own transfer to the hub is the reporter's to justify). A court
    # outside it needs the competent authority's approval (sharing/disclosure/services/authority.py).
    jurisdiction = models.CharField(max_length=2, default=data_residency, help_text="ISO 3166-1 alpha-2")
    reviewed_by = models.ForeignKey(
        "accounts.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # Urgency of a report naming a live-stream room (issue 19): the harm is done within hours, so it
    # goes to the top of the review queue with a target time; an alert fires when the target passes.
    # "live_urgent" in code: the review queue's "urgent" annotation (trusted flaggers, official
    # decisions) keeps its name; the API calls this field "urgent".
    live_urgent = models.BooleanField(default=False)
    urgency_reason = models.CharField(max_length=20, choices=UrgencyReason.choices, blank=True)
    live_starts_at = models.DateTimeField(null=True, blank=True)
    review_target_at = models.DateTimeField(null=True, blank=True)
    target_missed_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "expires_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="report_status_known"),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(expires_at__isnull=False, reviewed_at__isnull=False),
                name="report_accepted_has_review_and_expiry",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(review_reason=""),
                name="report_rejected_has_reason",
            ),
            # Urgent implies a known reason and a target; not urgent implies no reason, start, target or alert.
            models.CheckConstraint(
                condition=Q(
                    live_urgent=True,
                    urgency_reason__in=UrgencyReason.values,
                    review_target_at__isnull=False,
                )
                | Q(
                    live_urgent=False,
                    urgency_reason="",
                    live_starts_at__isnull=True,
                    review_target_at__isnull=True,
                    target_missed_alerted_at__isnull=True,
                ),
                name="report_urgent_has_reason_and_target",
            ),
        ]

    def __str__(self) -> str:
        return f"report {self.public_id} ({self.status})"

    @property
    def identifier_types(self) -> list[str]:
        """The types of identifiers the report names (never their values)."""
        return sorted({link.token.identifier_type for link in self.identifiers.all()})

    @property
    def review_target_passed(self) -> bool:
        """A pending urgent report whose target review time has passed."""
        return bool(
            self.live_urgent
            and self.status == ReportStatus.PENDING
            and self.review_target_at
            and self.review_target_at <= timezone.now()
        )

    def accept(self, *, by, reason: str, expires_at) -> None:
        self._require_status(ReportStatus.PENDING, pgettext_lazy("a report can be …", "accepted"))
        self.status = ReportStatus.ACCEPTED
        self.reviewed_by, self.reviewed_at, self.review_reason = (
            by,
            timezone.now(),
            reason,
        )  # by None: fast track
        self.expires_at = expires_at

    def reject(self, *, by, reason: str) -> None:
        self._require_status(ReportStatus.PENDING, pgettext_lazy("a report can be …", "rejected"))
        self.status = ReportStatus.REJECTED
        self.reviewed_by, self.reviewed_at, self.review_reason = by, timezone.now(), reason
        self.closed_at = self.reviewed_at

    def reopen_on_appeal(self) -> None:
        """A granted appeal: the rejected report goes back to review, to be accepted by the appeal's reviewer."""
        self._require_status(ReportStatus.REJECTED, pgettext_lazy("a report can be …", "reopened on appeal"))
        self.status, self.closed_at = ReportStatus.PENDING, None

    def retract(self) -> None:
        if self.status not in (ReportStatus.PENDING, ReportStatus.ACCEPTED):
            raise ConflictError(
                _refused(
                    self.status,
                    gettext("A %(status)s report cannot be retracted."),
                    gettext("An %(status)s report cannot be retracted."),
                )
            )
        self.status = ReportStatus.RETRACTED
        self.closed_at = timezone.now()

    def expire(self) -> None:
        self._require_status(ReportStatus.ACCEPTED, pgettext_lazy("a report can be …", "expired"))
        self.status = ReportStatus.EXPIRED
        self.closed_at = timezone.now()

    def renew(self, *, expires_at) -> None:
        self._require_status(ReportStatus.ACCEPTED, pgettext_lazy("a report can be …", "renewed"))
        self.renewed_at, self.expires_at = timezone.now(), expires_at

    def suspend(self) -> None:
        self._require_status(ReportStatus.ACCEPTED, pgettext_lazy("a report can be …", "suspended"))
        self.status, self.closed_at = ReportStatus.SUSPENDED, timezone.now()

    def overturn(self) -> None:
        if self.status not in (ReportStatus.ACCEPTED, ReportStatus.SUSPENDED):
            raise ConflictError(
                _refused(
                    self.status,
                    gettext("A %(status)s report cannot be overturned."),
                    gettext("An %(status)s report cannot be overturned."),
                )
            )
        self.status, self.closed_at, self.disputed = ReportStatus.OVERTURNED, timezone.now(), False

    def reinstate(self) -> None:
        """A dispute decided for the reporter: the report counts again, no longer disputed."""
        if self.status == ReportStatus.SUSPENDED:
            self.status, self.closed_at = ReportStatus.ACCEPTED, None
        self.disputed = False

    def _require_status(self, expected: str, becoming) -> None:
        if self.status != expected:
            message = (
                gettext("Only an %(expected)s report can be %(becoming)s; this one is %(status)s.")
                if starts_with_vowel(expected)
                else gettext("Only a %(expected)s report can be %(becoming)s; this one is %(status)s.")
            )
            raise ConflictError(
                message
                % {
                    "expected": status_word(ReportStatus, expected),
                    "becoming": becoming,
                    "status": status_word(ReportStatus, self.status),
                }
            )


def _refused(status: str, a: str, an: str) -> str:
    """The refusal with the article English puts before the status, the status in the active language."""
    return (an if starts_with_vowel(status) else a) % {"status": status_word(ReportStatus, status)}


class ReportIdentifier(models.Model):
    """Which tokens a report names; the link that joins tokens into subjects."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="identifiers")
    token = models.ForeignKey(
        "sharing.IdentifierToken", on_delete=models.PROTECT, related_name="report_links"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "token"], name="report_identifier_unique")]

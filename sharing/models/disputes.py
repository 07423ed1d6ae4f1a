"""Counter-notices: a platform contests the listing of a seller it hosts."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")  # waiting for the reporters to show a complaint or suit was filed
    ANSWERED = "answered", _("Answered")  # a reporter showed it; an operator decides
    UPHELD = "upheld", _("Upheld")  # the reports stand
    OVERTURNED = "overturned", _("Overturned")  # the reports were unfounded
    LAPSED = "lapsed", _("Lapsed")  # no answer in time: the reports are suspended


class CoverageState(models.TextChoices):
    """Where one covered report stands in a dispute; its reporter's clock runs per report."""

    OPEN = "open", _("Open")  # the reporter's window runs
    ANSWERED = "answered", _("Answered")  # the reporter showed a complaint or suit; an operator decides
    UPHELD = "upheld", _("Upheld")
    OVERTURNED = "overturned", _("Overturned")
    LAPSED = "lapsed", _("Lapsed")  # no answer in time: the report is suspended until decided


# A dispute of a report stays live (blocks a second one by the same organisation) until decided.
LIVE_COVERAGE_STATES = (CoverageState.OPEN, CoverageState.ANSWERED, CoverageState.LAPSED)


class Dispute(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # A member organisation files for a seller it hosts, or the listed person files for themself
    # (sharing/subject_access/): exactly one of the two, the database says so.
    filed_by = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_by_member = models.ForeignKey(
        "accounts.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_by_subject = models.BooleanField(default=False)
    reports = models.ManyToManyField("sharing.Report", related_name="disputes", through="DisputedReport")
    grounds = models.TextField()
    status = models.CharField(max_length=20, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    filed_at = models.DateTimeField(default=timezone.now)
    response_due = models.DateField()
    answered_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DisputeStatus.values), name="dispute_status_known"),
            models.CheckConstraint(
                condition=~Q(status__in=["upheld", "overturned"]) | ~Q(decision_reason=""),
                name="dispute_decision_has_reason",
            ),
            models.CheckConstraint(
                condition=(
                    Q(filed_by_subject=False, filed_by__isnull=False, filed_by_member__isnull=False)
                    | Q(filed_by_subject=True, filed_by__isnull=True, filed_by_member__isnull=True)
                ),
                name="dispute_filed_by_one_filer",
            ),
        ]


class DisputedReport(models.Model):
    """One report a dispute covers: matched by the disputed seller's own strong or medium identifiers.

    Each row carries its reporter's clock: the working days allotted (pauses for notarisation
    included, never more than 20), the due date, and whether and when the reporter answered.
    """

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="covered")
    report = models.ForeignKey("sharing.Report", on_delete=models.PROTECT, related_name="dispute_rows")
    # The dispute's filer again, so that the database itself refuses a second live dispute
    # (null when the listed person filed: one live dispute of theirs per report, too).
    filed_by = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=20, choices=CoverageState.choices, default=CoverageState.OPEN)
    working_days = models.PositiveSmallIntegerField()
    paused_working_days = models.PositiveSmallIntegerField(default=0)
    pause_reason = models.TextField(blank=True)
    response_due = models.DateField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "report"], name="disputed_report_once"),
            models.UniqueConstraint(
                fields=["report", "filed_by"],
                condition=Q(state__in=LIVE_COVERAGE_STATES),
                name="one_live_dispute_per_report_and_filer",
            ),
            models.UniqueConstraint(
                fields=["report"],
                condition=Q(state__in=LIVE_COVERAGE_STATES, filed_by__isnull=True),
                name="one_live_subject_dispute_per_report",
            ),
            models.CheckConstraint(
                condition=Q(state__in=CoverageState.values), name="disputed_report_state_known"
            ),
            models.CheckConstraint(
                condition=Q(working_days__lte=20) & Q(paused_working_days__lte=models.F("working_days")),
                name="disputed_report_clock_at_most_20_working_days",
            ),
            models.CheckConstraint(
                condition=Q(paused_working_days=0) | ~Q(pause_reason=""),
                name="disputed_report_pause_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(state="answered") | Q(answered_at__isnull=False),
                name="disputed_report_answer_has_time",
            ),
        ]


class Notification(models.Model):
    """A message to an organisation (a dispute against its report, a suspension, …)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=60)
    message = models.TextField()
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    # Read for the whole organisation (its members share one inbox): when, and by whom first.
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        "accounts.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "read_at"], name="notification_unread")]


class ReporterStanding(models.Model):
    """A reporting organisation's trusted-flagger status and any reporting suspension."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="standing"
    )
    trusted_flagger = models.BooleanField(default=False)
    # An operator's override of the automatic rule: "grant", "revoke", or "" (automatic).
    override = models.CharField(max_length=10, blank=True)
    override_reason = models.TextField(blank=True)
    reporting_suspended_until = models.DateTimeField(null=True, blank=True)
    # The reason as first written (English, the record); readers get it in their language from
    # suspension_figures (sharing.reports.services.reputation.suspension_reason_text).
    suspension_reason = models.TextField(blank=True)
    # What the misuse rule counted when it suspended: {"overturned": n, "accepted": m}.
    suspension_figures = models.JSONField(default=dict, blank=True)
    # The prior warning the misuse rule gives (DSA Art. 23): no suspension before this passes.
    # Cleared when the record improves, when a suspension starts and when one is lifted, so
    # every suspension has its own warning before it.
    misuse_warning_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(override__in=["", "grant", "revoke"]), name="standing_override_known"
            ),
            models.CheckConstraint(
                condition=Q(override="") | ~Q(override_reason=""), name="standing_override_has_reason"
            ),
        ]


class MemberPolicy(models.Model):
    """A platform's or courier's own rule for what to do with a match."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="policy"
    )
    strikes = models.PositiveIntegerField(default=3)
    window_months = models.PositiveIntegerField(default=24)
    one_strike_verification_levels = models.JSONField(default=list)
    one_strike_categories = models.JSONField(default=list)
    updated_at = models.DateTimeField(default=timezone.now)


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Open")
    GRANTED = "granted", _("Granted")  # the rejection is reversed: the report is accepted
    REFUSED = "refused", _("Refused")  # the rejection stands


class ReportAppeal(models.Model):
    """The one appeal a reporter has against a rejected report, decided by a different reviewer."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # One-to-one: a report is appealed once, whatever the outcome.
    report = models.OneToOneField("sharing.Report", on_delete=models.CASCADE, related_name="appeal")
    filed_by_member = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="+")
    # The grounds are sealed in the restricted tier (they may name the seller), not kept here.
    filed_at = models.DateTimeField(default=timezone.now)
    # Who rejected the report, kept so the database can refuse them as the appeal's judge.
    rejected_by = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    decided_by = models.ForeignKey(
        "accounts.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=AppealStatus.values), name="appeal_status_known"),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("rejected_by")),
                name="appeal_decided_by_another_reviewer",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | (Q(decided_by__isnull=False) & ~Q(decision_reason="")),
                name="appeal_decision_has_reviewer_and_reason",
            ),
        ]

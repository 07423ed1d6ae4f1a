"""Feedback from recipients: what a member did about a subject its own screening matched.

`SubjectMatch` records that an organisation's check, bulk screening or watch matched a subject:
the only subjects it may give feedback on. `HitFeedback` is one piece of feedback; an
organisation has at most one current row per subject, and a new one replaces it (the old row
stays, marked replaced), so the history is kept and only the current rows count.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MatchSource(models.TextChoices):
    CHECK = "check", _("Check")
    BULK = "bulk", _("Bulk screening")
    WATCH = "watch", _("Watchlist")


class SubjectMatch(models.Model):
    """A subject one organisation's own screening matched; `reference` is the check id, bulk job id
    or watch entry id. Written once per (organisation, subject, source, reference): a bulk chunk run
    again, or a watcher told again, adds nothing. The outcome pages count members that checked a
    seller, and hits, from these rows."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    # A subject that loses its last token is deleted: what was matched then is no longer there to act on.
    subject = models.ForeignKey("sharing.Subject", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=10, choices=MatchSource.choices)
    reference = models.CharField(max_length=64)
    matched_at = models.DateTimeField(default=timezone.now)
    # The ids of the subject's tokens the screening matched: when the subject splits, the match
    # (and the organisation's feedback) follows the part holding them. Empty on rows older than this.
    tokens = models.JSONField(default=list, blank=True)
    # The purpose the check, bulk job or watch entry stated (accounts/purposes.py), for the
    # statistics by purpose; "" on rows older than purpose limitation.
    purpose = models.CharField(max_length=30, blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=MatchSource.values), name="subject_match_source_known"
            ),
            models.UniqueConstraint(
                fields=["organisation", "subject", "source", "reference"], name="subject_match_once"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "subject"], name="subject_match_org_subject_idx"),
            models.Index(fields=["organisation", "reference"], name="subject_match_org_ref_idx"),
        ]


class FeedbackOutcome(models.TextChoices):
    ACTED = "acted", _("We acted on this seller")
    FALSE_POSITIVE = "false_positive", _("False positive")


class FeedbackAction(models.TextChoices):
    BLOCKED = "blocked", _("Blocked")
    DELISTED = "delisted", _("Delisted")
    PARCEL_REFUSED = "parcel_refused", _("Parcel refused")


class FeedbackReason(models.TextChoices):
    """The closed list of reason codes a member may give with its feedback."""

    COUNTERFEIT_CONFIRMED = "counterfeit_confirmed", _("Counterfeit confirmed")
    TEST_PURCHASE = "test_purchase", _("Confirmed by a test purchase")
    CUSTOMER_COMPLAINTS = "customer_complaints", _("Customer complaints")
    DIFFERENT_SELLER = "different_seller", _("A different seller shares the identifier")
    AUTHORISED_RESELLER = "authorised_reseller", _("An authorised reseller")
    OUTDATED = "outdated", _("The information is out of date")


class HitFeedback(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    # Kept when the subject goes (history), detached from it: a gone subject has no risk to move.
    subject = models.ForeignKey("sharing.Subject", null=True, on_delete=models.SET_NULL, related_name="+")
    member = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=20, choices=FeedbackOutcome.choices)
    action = models.CharField(max_length=20, choices=FeedbackAction.choices, blank=True)
    reasons = models.JSONField(default=list)
    # The member's own note: shown to its own organisation only, never to others.
    note = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when a newer feedback of the same organisation on the same subject replaced this one.
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "subject"],
                condition=Q(replaced_at__isnull=True),
                name="hit_feedback_one_current",
            ),
            models.CheckConstraint(
                condition=(Q(outcome="acted") & ~Q(action="")) | (Q(outcome="false_positive") & Q(action="")),
                name="hit_feedback_action_iff_acted",
            ),
        ]
        indexes = [models.Index(fields=["subject", "replaced_at"], name="hit_feedback_subject_idx")]

    def __str__(self) -> str:
        return f"feedback {self.public_id}"

"""Reporter reputation: each reporting organisation's record, trusted flaggers and the misuse rule.

Record (last 90 days, by submission): accepted (ever accepted), upheld (accepted and
not overturned), overturned, retracted, expired.

Trusted flagger (automatic, unless an operator overrode it with a reason): at least
HUB_TRUSTED_MIN_REPORTS accepted reports, ≥ 90 % of them upheld and ≤ 5 % overturned.
Trusted flaggers' reports skip the pending queue.

Each report counts once, by its present state, however many disputes covered it or
decided it.

Misfired (feedback from recipients, sharing/feedback/): an accepted report, not overturned,
listing a subject that at least HUB_MISFIRE_MIN_MEMBERS independent members (none of them the
reporter) now call a false positive. Members who screen sellers see the hits; when several of
them independently find one wrong, the report that listed it counts against its reporter.

Misuse (DSA Art. 23): at least HUB_MISUSE_MIN_OVERTURNED overturned or misfired reports
making up ≥ 20 % of the accepted ones. First a warning with the figures and HUB_MISUSE_WARNING_DAYS
to improve; if the record still meets the rule when that period is over, reporting is
suspended for HUB_MISUSE_SUSPENSION_DAYS (or until an operator lifts it with a reason).
Every suspension has its own warning before it.

Counter-notices are judged too: a dispute decided against the organisation that filed it
(the listing upheld) counts in that organisation's record as a filer, shown to operators
(bad-faith counter-notices can carry punitive damages).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from accounts.actors import Actor
from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.models import Organisation
from accounts.roles import Capability
from hub.errors import ConflictError, DomainError
from sharing import locks
from sharing.models import (
    Dispute,
    DisputeStatus,
    FeedbackOutcome,
    HitFeedback,
    Report,
    ReporterStanding,
    ReportStatus,
)
from sharing.reports.services.notifications import notify

WINDOW = timedelta(days=90)
EVER_ACCEPTED = [ReportStatus.ACCEPTED, ReportStatus.EXPIRED, ReportStatus.SUSPENDED, ReportStatus.OVERTURNED]


@dataclass(frozen=True)
class ReporterRecord:
    accepted: int
    upheld: int
    overturned: int
    retracted: int
    expired: int
    misfired: int = (
        0  # accepted, not overturned, listing a subject several independent members call a false positive
    )

    @property
    def trusted_by_rule(self) -> bool:
        return (
            self.accepted >= settings.HUB_TRUSTED_MIN_REPORTS
            and self.upheld * 100 >= self.accepted * 90
            and self.overturned * 100 <= self.accepted * 5
        )

    @property
    def misuse(self) -> bool:
        against = self.overturned + self.misfired
        return against >= settings.HUB_MISUSE_MIN_OVERTURNED and against * 100 >= self.accepted * 20


def reporter_record(*, organisation_id: int, now=None) -> ReporterRecord:
    since = (now or timezone.now()) - WINDOW
    counts = Report.objects.filter(
        reporter_organisation_id=organisation_id, submitted_at__gte=since
    ).aggregate(
        accepted=Count("pk", filter=Q(status__in=EVER_ACCEPTED)),
        overturned=Count("pk", filter=Q(status=ReportStatus.OVERTURNED)),
        retracted=Count("pk", filter=Q(status=ReportStatus.RETRACTED)),
        expired=Count("pk", filter=Q(status=ReportStatus.EXPIRED)),
    )
    misfired = (
        Report.objects.filter(
            reporter_organisation_id=organisation_id,
            submitted_at__gte=since,
            status__in=[status for status in EVER_ACCEPTED if status != ReportStatus.OVERTURNED],
            identifiers__token__subject_id__in=subjects_found_false(
                excluding_organisation_id=organisation_id
            ),
        )
        .values("pk")
        .distinct()
        .count()
    )
    return ReporterRecord(upheld=counts["accepted"] - counts["overturned"], misfired=misfired, **counts)


def subjects_found_false(*, excluding_organisation_id: int):
    """Subjects at least HUB_MISFIRE_MIN_MEMBERS organisations other than this one now call a false positive."""
    return (
        HitFeedback.objects.filter(
            outcome=FeedbackOutcome.FALSE_POSITIVE, replaced_at__isnull=True, subject__isnull=False
        )
        .exclude(organisation_id=excluding_organisation_id)
        .values("subject_id")
        .annotate(members=Count("organisation_id", distinct=True))
        .filter(members__gte=settings.HUB_MISFIRE_MIN_MEMBERS)
        .values("subject_id")
    )


@dataclass(frozen=True)
class CounterNoticeRecord:
    """Disputes an organisation filed (last 90 days, by filing), by outcome."""

    filed: int
    failed: int  # decided upheld: the listing stood against the counter-notice
    succeeded: int  # decided overturned
    lapsed: int  # the reporters showed no complaint in time


def counter_notice_record(*, organisation_id: int, now=None) -> CounterNoticeRecord:
    since = (now or timezone.now()) - WINDOW
    counts = Dispute.objects.filter(filed_by_id=organisation_id, filed_at__gte=since).aggregate(
        filed=Count("pk"),
        failed=Count("pk", filter=Q(status=DisputeStatus.UPHELD)),
        succeeded=Count("pk", filter=Q(status=DisputeStatus.OVERTURNED)),
        lapsed=Count("pk", filter=Q(status=DisputeStatus.LAPSED)),
    )
    return CounterNoticeRecord(**counts)


def standing_of(organisation_id: int) -> ReporterStanding:
    standing, _ = ReporterStanding.objects.get_or_create(organisation_id=organisation_id)
    return standing


@transaction.atomic
def reputation_refresh(*, organisation_id: int) -> ReporterStanding:
    """Apply the documented thresholds to the organisation's record."""
    standing = locks.lock_standing(standing_of(organisation_id).pk)
    record = reporter_record(organisation_id=organisation_id)
    trusted = {"grant": True, "revoke": False}.get(standing.override, record.trusted_by_rule)
    changes = {}
    if trusted != standing.trusted_flagger:
        standing.trusted_flagger, changes["trusted_flagger"] = trusted, trusted
    changes.update(_misuse_apply(standing, record))
    if changes:
        standing.updated_at = timezone.now()
        standing.save()
        audit_record(
            actor=None,
            tag=AuditTag.REPUTATION_CHANGED,
            target_type="organisation",
            target_id=str(Organisation.objects.get(pk=organisation_id).public_id),
            data_class=DataClass.ADMINISTRATIVE,
            legal_basis=LegalBasis.OPERATOR_DUTY,
            details={**changes, "record": asdict(record)},
        )
    return standing


def _misuse_apply(standing: ReporterStanding, record: ReporterRecord) -> dict:
    """Warn first, suspend only once the warning's period is over and the record has not improved."""
    now = timezone.now()
    if reporting_suspended(standing):
        return {}
    if not record.misuse:
        if standing.misuse_warning_until is None:
            return {}
        standing.misuse_warning_until = None
        return {"misuse_warning_until": None}
    if standing.misuse_warning_until is None:
        standing.misuse_warning_until = now + timedelta(days=settings.HUB_MISUSE_WARNING_DAYS)
        until = standing.misuse_warning_until.isoformat()
        notify(
            organisation_id=standing.organisation_id,
            kind="reporting.warned",
            data={"until": until, "record": asdict(record)},
        )
        return {"misuse_warning_until": until}
    if standing.misuse_warning_until > now:
        return {}
    standing.misuse_warning_until = None
    standing.reporting_suspended_until = now + timedelta(days=settings.HUB_MISUSE_SUSPENSION_DAYS)
    standing.suspension_figures = {"overturned": record.overturned, "accepted": record.accepted}
    if record.misfired:
        standing.suspension_figures["misfired"] = record.misfired
    with translation.override("en"):
        standing.suspension_reason = suspension_reason_text(standing)
    until = standing.reporting_suspended_until.isoformat()
    notify(
        organisation_id=standing.organisation_id,
        kind="reporting.suspended",
        data={"until": until, "record": asdict(record)},
    )
    return {"reporting_suspended_until": until}


def suspension_reason_text(standing: ReporterStanding) -> str:
    """Why reporting is suspended, in the reader's language (a row from before the figures: as written)."""
    figures = standing.suspension_figures
    if not figures:
        return standing.suspension_reason
    if figures.get("misfired"):
        return ngettext(
            "%(against)d of your %(accepted)d accepted reports in the last 90 days was overturned on dispute "
            "or called a false positive by several independent members, after a warning; reporting is "
            "suspended (misuse rule).",
            "%(against)d of your %(accepted)d accepted reports in the last 90 days were overturned on dispute "
            "or called a false positive by several independent members, after a warning; reporting is "
            "suspended (misuse rule).",
            figures["overturned"] + figures["misfired"],
        ) % {"against": figures["overturned"] + figures["misfired"], "accepted": figures["accepted"]}
    return ngettext(
        "%(overturned)d of your %(accepted)d accepted reports in the last 90 days was overturned on dispute, "
        "after a warning; reporting is suspended (misuse rule).",
        "%(overturned)d of your %(accepted)d accepted reports in the last 90 days were overturned on dispute, "
        "after a warning; reporting is suspended (misuse rule).",
        figures["overturned"],
    ) % {"overturned": figures["overturned"], "accepted": figures["accepted"]}


def reputation_summary(*, organisation_id: int) -> dict:
    """An organisation's record and standing, as its members and operators see them."""
    standing = standing_of(organisation_id)
    record = reporter_record(organisation_id=organisation_id)
    return {
        **asdict(record),
        "trusted_flagger": standing.trusted_flagger,
        "override": standing.override,
        "reporting_suspended_until": standing.reporting_suspended_until,
        "suspension_reason": suspension_reason_text(standing),
        "misuse_warning_until": standing.misuse_warning_until,
    }


def reputation_read_any(*, organisation: Organisation, actor: Actor) -> dict:
    """Any organisation's standing for operators: its reporter record and its counter-notice record."""
    require(
        actor,
        Capability.REPUTATION_READ_ANY,
        message=gettext("Only operators read another organisation's standing."),
    )
    audit_record(
        actor=actor,
        tag=AuditTag.REPUTATION_READ,
        target=organisation,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.OPERATOR_DUTY,
    )
    return {
        **reputation_summary(organisation_id=organisation.pk),
        "counter_notices": asdict(counter_notice_record(organisation_id=organisation.pk)),
    }


def reputation_read(*, actor: Actor) -> dict:
    """The actor's own organisation's reputation, its read audited."""
    audit_record(
        actor=actor,
        tag=AuditTag.REPUTATION_READ,
        target=actor.organisation,
        data_class=DataClass.ADMINISTRATIVE,
    )
    return reputation_summary(organisation_id=actor.organisation.pk)


def reporting_suspended(standing: ReporterStanding) -> bool:
    return bool(standing.reporting_suspended_until and standing.reporting_suspended_until > timezone.now())


def reputation_override(
    *, organisation: Organisation, override: str, reason: str, actor: Actor
) -> ReporterStanding:
    """An operator grants or revokes trusted-flagger status against the rule, or returns it to the rule ("")."""
    require(
        actor,
        Capability.REPUTATION_OVERRIDE,
        message=gettext("Only operator administrators override reputation."),
    )
    if override not in ("", "grant", "revoke") or (override and len(reason.strip()) < 3):
        raise DomainError(
            gettext("Give grant, revoke or an empty override, and a reason."),
            fields={"reason": [gettext("Required.")]},
        )
    with transaction.atomic():
        ReporterStanding.objects.filter(pk=standing_of(organisation.pk).pk).update(
            override=override, override_reason=reason
        )
        audit_record(
            actor=actor,
            tag=AuditTag.REPUTATION_CHANGED,
            target=organisation,
            data_class=DataClass.ADMINISTRATIVE,
            legal_basis=LegalBasis.OPERATOR_DUTY,
            details={"override": override, "reason": reason},
        )
        return reputation_refresh(organisation_id=organisation.pk)


def reputations_refresh_all() -> int:
    """Re-apply the thresholds to every reporting organisation (beat: records age out of the window)."""
    ids = set(Report.objects.values_list("reporter_organisation_id", flat=True).distinct())
    for organisation_id in ids:
        reputation_refresh(organisation_id=organisation_id)
    return len(ids)


def reporting_suspension_lift(*, organisation: Organisation, reason: str, actor: Actor) -> ReporterStanding:
    """An operator ends a reporting suspension early, with a reason; a new suspension needs a new warning first."""
    require(
        actor,
        Capability.REPUTATION_OVERRIDE,
        message=gettext("Only operator administrators lift a reporting suspension."),
    )
    if len(reason.strip()) < 3:
        raise DomainError(
            gettext("Give a reason for lifting the suspension."), fields={"reason": [gettext("Required.")]}
        )
    with transaction.atomic():
        standing = locks.lock_standing(standing_of(organisation.pk).pk)
        if not reporting_suspended(standing):
            raise ConflictError(gettext("Reporting is not suspended for this organisation."))
        assert standing.reporting_suspended_until is not None  # reporting_suspended said so
        lifted_from = standing.reporting_suspended_until.isoformat()
        standing.reporting_suspended_until, standing.misuse_warning_until = None, None
        standing.suspension_reason, standing.suspension_figures, standing.updated_at = "", {}, timezone.now()
        standing.save()
        notify(
            organisation_id=standing.organisation_id,
            kind="reporting.reinstated",
            data={"was_until": lifted_from, "reason": reason},
        )
        audit_record(
            actor=actor,
            tag=AuditTag.REPORTING_SUSPENSION_LIFTED,
            target=organisation,
            data_class=DataClass.ADMINISTRATIVE,
            legal_basis=LegalBasis.OPERATOR_DUTY,
            details={"reason": reason, "was_until": lifted_from},
        )
        return standing

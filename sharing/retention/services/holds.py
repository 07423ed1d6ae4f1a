"""Legal holds: placed and released by operator admins, each step audited in its transaction.

What a hold keeps (sharing/retention/services/purge.py reads `held_*` below): its report, its
tokens, and every report naming a held token, so a seller under a hold keeps its whole record.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.actors import Actor
from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.roles import Capability
from accounts.scoped import not_visible, scoped_get
from hub.errors import ConflictError, DomainError
from sharing.locks import lock_legal_hold
from sharing.models import IdentifierToken, LegalHold, Report, Subject
from sharing.subjects.services.tokens import stored_token_rows


def legal_hold_place(
    *, actor: Actor, reason: str, report_id=None, subject_id=None, token: str = ""
) -> LegalHold:
    """Hold one report, one subject's tokens or one token (by its token) from every purge."""
    # Before the transaction: a refusal's audit row must outlive the write it refuses.
    require(
        actor, Capability.LEGAL_HOLD_MANAGE, denied_tag=AuditTag.LEGAL_HOLD_PLACED, target_type="legal_hold"
    )
    return _place(actor=actor, reason=reason, report_id=report_id, subject_id=subject_id, token=token)


@transaction.atomic
def _place(*, actor: Actor, reason: str, report_id, subject_id, token: str) -> LegalHold:
    if not reason.strip():
        raise DomainError(gettext("Give the reason for the hold."), fields={"reason": [gettext("Required.")]})
    if sum(bool(x) for x in (report_id, subject_id, token)) != 1:
        raise DomainError(gettext("Hold exactly one report, subject or token."))
    hold = LegalHold(reason=reason.strip(), placed_by=actor.member)
    if report_id:
        hold.report = _get(actor, Report, report_id, gettext_noop("report"))
        hold.report_ref = hold.report.public_id
    elif subject_id:
        subject = _get(actor, Subject, subject_id, gettext_noop("subject"))
        hold.subject_ref = subject.public_id
        hold.tokens = sorted(IdentifierToken.objects.filter(subject=subject).values_list("pk", flat=True))
        if not hold.tokens:  # a subject left with no token holds nothing; the purge deletes it
            raise ConflictError(gettext("This subject has no identifiers left to hold."))
    else:
        rows = stored_token_rows([token])  # a hold on a token holds its row of every type
        if not rows:
            not_visible(
                actor=actor,
                tag=AuditTag.LEGAL_HOLD_PLACED,
                target_type="token",
                public_id=None,
                noun=gettext_noop("token"),
            )
        hold.tokens = sorted(row.pk for row in rows)
    hold.save()
    _audit(actor, AuditTag.LEGAL_HOLD_PLACED, hold)
    return hold


def legal_hold_release(*, actor: Actor, hold_id) -> LegalHold:
    """End a hold: what it kept follows the ordinary retention periods again."""
    require(
        actor, Capability.LEGAL_HOLD_MANAGE, denied_tag=AuditTag.LEGAL_HOLD_RELEASED, target_type="legal_hold"
    )
    return _release(actor=actor, hold_id=hold_id)


@transaction.atomic
def _release(*, actor: Actor, hold_id) -> LegalHold:
    found = scoped_get(
        actor=actor,
        queryset=LegalHold.objects.all(),
        public_id=hold_id,
        tag=AuditTag.LEGAL_HOLD_RELEASED,
        target_type="legal_hold",
        noun=gettext_noop("legal hold"),
    )
    hold = lock_legal_hold(found.pk)
    if not hold.active:
        raise ConflictError(gettext("This hold was already released."))
    hold.released_at, hold.released_by = timezone.now(), actor.member
    hold.save(update_fields=["released_at", "released_by"])
    _audit(actor, AuditTag.LEGAL_HOLD_RELEASED, hold)
    return hold


def held_report_pks() -> set[int]:
    """Reports an active hold names, or that name a token an active hold keeps."""
    active = LegalHold.objects.filter(released_at__isnull=True)
    direct = set(active.filter(report__isnull=False).values_list("report_id", flat=True))
    via_tokens = Report.objects.filter(identifiers__token_id__in=held_token_pks()).values_list(
        "pk", flat=True
    )
    return direct | set(via_tokens)


def held_token_pks() -> set[int]:
    """Tokens an active hold keeps: its own tokens and the tokens its report names."""
    active = LegalHold.objects.filter(released_at__isnull=True)
    held: set[int] = set()
    for tokens in active.values_list("tokens", flat=True):
        held.update(tokens)
    held.update(
        IdentifierToken.objects.filter(
            report_links__report__legal_holds__in=active.filter(report__isnull=False)
        ).values_list("pk", flat=True)
    )
    return held


def _get(actor: Actor, model, public_id, noun: str):
    """Operators see every organisation's rows: the lookup is unscoped, its miss still audited."""
    return scoped_get(
        actor=actor,
        queryset=model.objects.all(),
        public_id=public_id,
        tag=AuditTag.LEGAL_HOLD_PLACED,
        target_type=model._meta.model_name,
        noun=noun,
    )


def _audit(actor: Actor, tag: AuditTag, hold: LegalHold) -> None:
    audit_record(
        actor=actor,
        tag=tag,
        target=hold,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={
            "report": str(hold.report_ref) if hold.report_ref else None,
            "subject": str(hold.subject_ref) if hold.subject_ref else None,
            "tokens": len(hold.tokens),
        },
    )

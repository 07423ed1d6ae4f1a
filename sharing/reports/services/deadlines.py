"""Deadlines are honoured at the moment of action, not when the scheduled task next runs.

An action checks its deadline under its row lock and raises DeadlinePassed; refusing_past_deadline
then rolls the action back, applies the lapse the scheduled task would have applied (expire the
order, lapse the dispute, expire the report) and audits the refused attempt, both committed,
and answers 409 with a message saying which deadline passed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import models, transaction

from accounts.actors import Actor
from accounts.audit.models import DataClass, LegalBasis, Outcome
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from hub.errors import ConflictError

Result = TypeVar("Result")


class DeadlinePassed(Exception):
    """Raised inside an action's transaction when the deadline it depends on has passed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def refusing_past_deadline(
    action: Callable[..., Result], *, lapse: Callable[[str], None], **arguments
) -> Result:
    """Run `action(**arguments)`; past its deadline, run `lapse(message)` and answer 409 instead."""
    try:
        return action(**arguments)
    except DeadlinePassed as passed:
        lapse(passed.message)
        raise ConflictError(passed.message) from None


def refusal_record(
    *,
    actor: Actor | None,
    tag: AuditTag,
    target: models.Model,
    why: str,
    legal_basis: str = LegalBasis.MEMBERSHIP_TERMS,
    details: dict | None = None,
) -> None:
    """Audit an action refused because its deadline passed (call it in the lapse's transaction)."""
    audit_record(
        actor=actor,
        tag=tag,
        target=target,
        data_class=DataClass.ADMINISTRATIVE,
        outcome=Outcome.DENIED,
        legal_basis=legal_basis,
        details={**(details or {}), "reason": why},
    )


def lapse_with_refusal(lapse: Callable[[], None], **refusal) -> Callable[[str], None]:
    """A `lapse` for refusing_past_deadline: apply the lapse and audit the refusal in one transaction."""

    def apply(why: str) -> None:
        with transaction.atomic():
            lapse()
            refusal_record(why=why, **refusal)

    return apply

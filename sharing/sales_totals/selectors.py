"""Reads of sales totals requests and tasks, scoped so that another organisation's object is not there.

A requester sees its own requests (the aggregate and the statement once released, never a member's
figures or who was asked); a member sees its own tasks, each with what it needs to answer: the
period, the currency and the requester's public key.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.roles import Capability
from accounts.scoped import scoped_get
from accounts.transfers.models import TransferChannel
from accounts.transfers.services import transfer_for_actor
from sharing.models import SalesTotalsRequest, SalesTotalsStatus, SalesTotalsTask, SubjectMatch


def requests_visible_to(*, actor: Actor) -> QuerySet[SalesTotalsRequest]:
    """The actor's organisation's requests, newest first."""
    require(actor, Capability.SALES_TOTALS_REQUEST)
    return SalesTotalsRequest.objects.filter(requester=actor.organisation).order_by("-created_at", "-pk")


def request_read(*, actor: Actor, public_id) -> SalesTotalsRequest:
    """One of the organisation's requests; reading a released one is a restricted-class event."""
    request = scoped_get(
        actor=actor,
        queryset=requests_visible_to(actor=actor),
        public_id=public_id,
        tag=AuditTag.SALES_TOTALS_READ,
        target_type="salestotalsrequest",
        noun=gettext_noop("sales totals request"),
    )
    released = request.status == SalesTotalsStatus.RELEASED
    if released:  # the encrypted totals leave for the requester: abroad only under a basis, recorded
        transfer_for_actor(
            actor=actor,
            channel=TransferChannel.SALES_TOTALS,
            target_type="salestotalsrequest",
            target_id=str(request.public_id),
        )
    audit_record(
        actor=actor,
        tag=AuditTag.SALES_TOTALS_READ,
        target=request,
        data_class=DataClass.RESTRICTED if released else DataClass.ADMINISTRATIVE,
        legal_basis=request.legal_basis_tag,
        details={"status": request.status},
    )
    return request


def requests_page_audit(*, actor: Actor, page: list[SalesTotalsRequest]) -> None:
    if any(row.status == SalesTotalsStatus.RELEASED for row in page):  # as request_read: totals leave
        transfer_for_actor(
            actor=actor, channel=TransferChannel.SALES_TOTALS, target_type="salestotalsrequest"
        )
    audit_record(
        actor=actor,
        tag=AuditTag.SALES_TOTALS_LISTED,
        data_class=DataClass.ADMINISTRATIVE,
        target_type="salestotalsrequest",
        details={"count": len(page), "ids": [str(row.public_id) for row in page]},
    )


def tasks_visible_to(*, actor: Actor) -> QuerySet[SalesTotalsTask]:
    """The actor's organisation's tasks, newest request first."""
    require(actor, Capability.SALES_TOTALS_CONTRIBUTE)
    return (
        SalesTotalsTask.objects.filter(organisation=actor.organisation)
        .select_related("request")
        .order_by("-request__created_at", "-pk")
    )


def task_get(*, actor: Actor, public_id) -> SalesTotalsTask:
    return scoped_get(
        actor=actor,
        queryset=tasks_visible_to(actor=actor),
        public_id=public_id,
        tag=AuditTag.SALES_TOTALS_TASK_READ,
        target_type="salestotalstask",
        noun=gettext_noop("sales totals task"),
    )


def task_read(*, actor: Actor, public_id) -> SalesTotalsTask:
    task = task_get(actor=actor, public_id=public_id)
    audit_record(
        actor=actor,
        tag=AuditTag.SALES_TOTALS_TASK_READ,
        target=task,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=task.request.legal_basis_tag,
        details={"request": str(task.request.public_id), "status": task.status},
    )
    return task


def tasks_page_audit(*, actor: Actor, page: list[SalesTotalsTask]) -> None:
    audit_record(
        actor=actor,
        tag=AuditTag.SALES_TOTALS_TASKS_LISTED,
        data_class=DataClass.ADMINISTRATIVE,
        target_type="salestotalstask",
        details={"count": len(page), "ids": [str(row.public_id) for row in page]},
    )


def own_matches_of(*, actor: Actor, tasks: list[SalesTotalsTask]) -> dict[int, list[tuple[str, str]]]:
    """Per task, how the member's own screening matched its seller: (source: check, bulk or watch; its
    own reference: a check id, a bulk job id, a watch entry id), so the member can find the accounts
    to total. Only the member's own matches: never another member's."""
    subject_of = {task.pk: task.request.subject_id for task in tasks if task.request.subject_id}
    rows = SubjectMatch.objects.filter(
        organisation=actor.organisation, subject_id__in=set(subject_of.values())
    ).order_by("matched_at", "pk")
    by_subject: dict[int, list[tuple[str, str]]] = {}
    for row in rows:
        by_subject.setdefault(row.subject_id, []).append((row.source, row.reference))
    return {task_pk: by_subject.get(subject_id, []) for task_pk, subject_id in subject_of.items()}


def tasks_with_own_matches(*, actor: Actor, tasks: list[SalesTotalsTask]) -> list[SalesTotalsTask]:
    """The tasks, each carrying `own_matches` for the API's output."""
    matches = own_matches_of(actor=actor, tasks=tasks)
    for task in tasks:  # an attribute the output serializer reads, not a column
        own = [{"source": source, "reference": reference} for source, reference in matches.get(task.pk, [])]
        setattr(task, "own_matches", own)  # noqa: B010
    return tasks

"""The one scoped lookup: an object inside the actor's visibility, or a 404 that says nothing more.

"Not yours" and "does not exist" must be indistinguishable, in the answer and in the audit log:
both raise the same NotFoundError ("No such <noun>.") and both write the same denied row, so
probing for another organisation's ids is on record without telling the prober anything. A
malformed id is treated the same way, and its text never reaches the audit row.
"""

from __future__ import annotations

import uuid
from typing import NoReturn, TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext

from accounts.actors import Actor
from accounts.audit.services import audit_record_denied
from accounts.audit.tags import AuditTag
from hub.errors import NotFoundError

M = TypeVar("M", bound=Model)


def scoped_get(
    *,
    actor: Actor | None,
    queryset: QuerySet[M],
    public_id,
    tag: AuditTag,
    target_type: str,
    noun: str,
    field: str = "public_id",
) -> M:
    """The object of `queryset` (already scoped to the actor) with this public id, or an audited 404."""
    wanted = public_id_or_none(public_id)
    if wanted is not None:
        try:
            return queryset.get(**{field: wanted})
        except (ObjectDoesNotExist, ValueError, ValidationError):
            pass
    not_visible(actor=actor, tag=tag, target_type=target_type, public_id=wanted, noun=noun)


def not_visible(
    *, actor: Actor | None, tag: AuditTag, target_type: str, public_id: uuid.UUID | None, noun: str
) -> NoReturn:
    """The audited 404 of a lookup that found nothing the actor may see, for lookups that are not one
    `get` (several rows, or an id that names other rows): the same answer and row as scoped_get's."""
    probe_record(actor=actor, tag=tag, target_type=target_type, public_id=public_id)
    raise NotFoundError(not_found_message(noun))


def probe_record(
    *, actor: Actor | None, tag: AuditTag, target_type: str, public_id: uuid.UUID | None
) -> None:
    """Audit a lookup that found nothing the actor may see, in its own transaction (the request fails)."""
    reason = f"not visible: {public_id}" if public_id is not None else "not visible: malformed id"
    audit_record_denied(
        actor=actor,
        tag=tag,
        target_type=target_type,
        reason=reason,
        request_id=actor.request_id if actor is not None else "",
    )


def not_found_message(noun: str) -> str:
    """ "No such <noun>." in the reader's language; callers mark the noun with gettext_noop."""
    return gettext("No such %(thing)s.") % {"thing": gettext(noun)}


def public_id_or_none(value) -> uuid.UUID | None:
    """The UUID a public id names, or None when it names none (so its text is never stored)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None

"""Which data an order reaches, where that data belongs, and whether its court sits elsewhere.

PIPL Art. 41: personal information stored in China is not provided to a foreign judicial body without
the approval of the competent authority. An order from a court whose jurisdiction differs from the
data's needs a third, named step besides the two officers' approvals (recorded by
sharing/disclosure/services/authority.py); approving and building refuse without it.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext

from accounts.actors import Actor
from hub.errors import ConflictError
from sharing.models import DisclosureAuthorityApproval, DisclosureRequest, Report
from sharing.subjects.services.tokens import stored_token_rows


def reports_in_scope(request: DisclosureRequest) -> list[Report]:
    """The reports an order reaches: named directly, through subjects, or through tokens."""
    token_rows = stored_token_rows(list(request.scope_tokens))
    return list(
        Report.objects.filter(public_id__in=request.scope_reports)
        .union(Report.objects.filter(identifiers__token__subject__public_id__in=request.scope_subjects))
        .union(Report.objects.filter(identifiers__token__in=[row.pk for row in token_rows]))
    )


def data_jurisdictions(request: DisclosureRequest) -> list[str]:
    """The jurisdictions of the data an order reaches (the hub's residency while it reaches none)."""
    found = {report.jurisdiction for report in reports_in_scope(request)}
    return sorted(found or {settings.HUB_DATA_RESIDENCY})


def authority_approval_needed(request: DisclosureRequest) -> bool:
    """Whether the requesting court sits outside a jurisdiction of the data it asks for."""
    return any(code != request.court.jurisdiction for code in data_jurisdictions(request))


def authority_approval_of(request: DisclosureRequest) -> DisclosureAuthorityApproval | None:
    return DisclosureAuthorityApproval.objects.filter(request=request).select_related("recorded_by").first()


def authority_approval_require(request: DisclosureRequest) -> None:
    """Refuse (409) to approve or build a foreign court's order without the authority's approval."""
    if authority_approval_needed(request) and authority_approval_of(request) is None:
        raise ConflictError(
            gettext(
                "The court (%(court)s) is outside the data's jurisdiction (%(data)s): an officer who does "
                "not approve the order must first record the competent authority's approval (PIPL Art. 41)."
            )
            % {"court": request.court.jurisdiction, "data": ", ".join(data_jurisdictions(request))}
        )


def authority_approver_distinct(request: DisclosureRequest, *, actor: Actor) -> None:
    """The officer who recorded the authority's approval does not also approve the order."""
    recorded = authority_approval_of(request)
    if recorded is not None and recorded.recorded_by_id == actor.member.pk:
        raise ConflictError(
            gettext(
                "You recorded the authority's approval of this order; two other officers must approve it."
            )
        )

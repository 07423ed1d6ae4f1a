"""Keep subjects equal to the connected components of tokens linked by live accepted reports.

A report links all the tokens it names. Accepting a report can merge subjects;
rejecting, retracting or expiring one can split a subject again. Both cases are the
same computation: take every token of the subjects touched, rebuild their
components from the reports that still count, and give each component one subject.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from sharing.locks import lock_tokens
from sharing.models import IdentifierToken, Report, ReportIdentifier, ReportStatus, Subject


def counting(now=None, *, via: str = "") -> Q:
    """The condition for a report to contribute to matches: accepted and not past its expiry.
    `via` reaches the report through a relation (e.g. "report__" from a ReportIdentifier)."""
    now = now or timezone.now()
    return Q(**{f"{via}status": ReportStatus.ACCEPTED, f"{via}expires_at__gt": now})


def reports_counting(now=None) -> QuerySet[Report]:
    """Reports that contribute to matches: accepted and not past their expiry."""
    return Report.objects.filter(counting(now))


def subjects_relink(*, report: Report) -> None:
    """Recompute the subjects around the tokens this report names."""
    token_ids = set(ReportIdentifier.objects.filter(report=report).values_list("token_id", flat=True))
    subject_ids = set(IdentifierToken.objects.filter(pk__in=token_ids, subject__isnull=False).values_list("subject_id", flat=True))
    token_ids |= set(IdentifierToken.objects.filter(subject_id__in=subject_ids).values_list("pk", flat=True))
    components = _components(token_ids)
    _assign(components, touched_tokens=token_ids, old_subject_ids=subject_ids)


def _components(seed_token_ids: set[int]) -> list[set[int]]:
    """Breadth-first over token ↔ counting report links, locking rows as they are found."""
    live = reports_counting()
    unvisited, components = set(seed_token_ids), []
    while unvisited:
        component, frontier = set(), {min(unvisited)}
        while frontier:
            lock_tokens(frontier)
            component |= frontier
            reports = ReportIdentifier.objects.filter(token_id__in=frontier, report__in=live).values("report_id")
            linked = set(ReportIdentifier.objects.filter(report_id__in=reports).values_list("token_id", flat=True))
            frontier = linked - component
        unvisited -= component
        components.append(component)
    return components


def _assign(components: list[set[int]], *, touched_tokens: set[int], old_subject_ids: set[int]) -> None:
    linked_by_live_report = set(
        ReportIdentifier.objects.filter(token_id__in=touched_tokens, report__in=reports_counting()).values_list("token_id", flat=True)
    )
    reusable = sorted(old_subject_ids)
    for component in sorted(components, key=min):
        if not component & linked_by_live_report:
            IdentifierToken.objects.filter(pk__in=component).update(subject=None)
            continue
        # The oldest subject survives a merge, so an existing subject keeps its id.
        current = set(IdentifierToken.objects.filter(pk__in=component, subject__isnull=False).values_list("subject_id", flat=True))
        keep = next((s for s in reusable if s in current), None)
        if keep is None:
            keep = Subject.objects.create().pk
        else:
            reusable.remove(keep)
        IdentifierToken.objects.filter(pk__in=component).update(subject_id=keep)
    Subject.objects.filter(pk__in=old_subject_ids, tokens__isnull=True).delete()


def subjects_of_tokens(tokens: Iterable[str]) -> QuerySet[Subject]:
    return Subject.objects.filter(tokens__token__in=list(tokens)).distinct()

"""Keep subjects equal to the connected components of tokens linked by live accepted reports.

Only strong and medium identifiers link (LINKING_TYPES): a report links the linking tokens it
names, and a weak token (name, shipping address, device id) never carries a subject, so two
sellers who share only a name or a warehouse address stay two subjects. The report ↔ weak token
rows are kept: they corroborate a subject reached by a linking identifier, never reach one.

Accepting a report can merge subjects; rejecting, retracting or expiring one can split a subject
again. Both cases are the same computation: take every token of the subjects touched, rebuild
their components from the reports that still count, and give each component one subject.
`components_of` is the same rule as a pure function, for recomputing everything at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from hubcore.identifiers.types import LINKING_TYPES
from sharing.locks import lock_tokens
from sharing.models import (
    HitFeedback,
    IdentifierToken,
    Report,
    ReportIdentifier,
    ReportStatus,
    SalesTotalsRequest,
    Subject,
    SubjectMatch,
)


def counting(now=None, *, via: str = "") -> Q:
    """The condition for a report to contribute to matches: accepted and not past its expiry.
    `via` reaches the report through a relation (e.g. "report__" from a ReportIdentifier)."""
    now = now or timezone.now()
    return Q(**{f"{via}status": ReportStatus.ACCEPTED, f"{via}expires_at__gt": now})


def reports_counting(now=None) -> QuerySet[Report]:
    """Reports that contribute to matches: accepted and not past their expiry."""
    return Report.objects.filter(counting(now))


def linking_links() -> QuerySet[ReportIdentifier]:
    """Report ↔ token rows that link: the token is of a strong or medium type."""
    return ReportIdentifier.objects.filter(token__identifier_type__in=LINKING_TYPES)


def subjects_relink(*, report: Report) -> None:
    """Recompute the subjects around the tokens this report names."""
    subjects_recompute(set(ReportIdentifier.objects.filter(report=report).values_list("token_id", flat=True)))


def subjects_recompute(token_ids: set[int]) -> None:
    """Recompute the subjects of these tokens and of every token sharing a subject with them."""
    subject_ids = set(
        IdentifierToken.objects.filter(pk__in=token_ids, subject__isnull=False).values_list(
            "subject_id", flat=True
        )
    )
    touched = set(token_ids) | set(
        IdentifierToken.objects.filter(subject_id__in=subject_ids).values_list("pk", flat=True)
    )
    linking = set(
        IdentifierToken.objects.filter(pk__in=touched, identifier_type__in=LINKING_TYPES).values_list(
            "pk", flat=True
        )
    )
    if touched - linking:
        # A weak token never carries a subject (this also clears one linked before the strength rule).
        IdentifierToken.objects.filter(pk__in=touched - linking, subject__isnull=False).update(subject=None)
    _assign(_components(linking), touched_tokens=linking, old_subject_ids=subject_ids)


def _components(seed_token_ids: set[int]) -> list[set[int]]:
    """Breadth-first over linking token ↔ counting report links, locking rows as they are found."""
    live = reports_counting()
    unvisited, components = set(seed_token_ids), []
    while unvisited:
        component, frontier = set(), {min(unvisited)}
        while frontier:
            lock_tokens(frontier)
            component |= frontier
            reports = ReportIdentifier.objects.filter(token_id__in=frontier, report__in=live).values(
                "report_id"
            )
            linked = set(linking_links().filter(report_id__in=reports).values_list("token_id", flat=True))
            frontier = linked - component
        unvisited -= component
        components.append(component)
    return components


def _assign(components: list[set[int]], *, touched_tokens: set[int], old_subject_ids: set[int]) -> None:
    linked_by_live_report = set(
        ReportIdentifier.objects.filter(
            token_id__in=touched_tokens, report__in=reports_counting()
        ).values_list("token_id", flat=True)
    )
    reusable = sorted(old_subject_ids)
    successor: dict[int, int] = {}  # an old subject -> the one its tokens now belong to
    for component in sorted(components, key=min):
        if not component & linked_by_live_report:
            IdentifierToken.objects.filter(pk__in=component).update(subject=None)
            continue
        # The oldest subject survives a merge, so an existing subject keeps its id.
        current = set(
            IdentifierToken.objects.filter(pk__in=component, subject__isnull=False).values_list(
                "subject_id", flat=True
            )
        )
        keep = next((s for s in reusable if s in current), None)
        if keep is None:
            keep = Subject.objects.create().pk
        else:
            reusable.remove(keep)
        IdentifierToken.objects.filter(pk__in=component).update(subject_id=keep)
        for merged in current - {keep}:
            successor.setdefault(merged, keep)
    gone = set(
        Subject.objects.filter(pk__in=old_subject_ids, tokens__isnull=True).values_list("pk", flat=True)
    )
    _members_words_follow({old: new for old, new in successor.items() if old in gone})
    Subject.objects.filter(pk__in=gone).delete()


def _members_words_follow(successor: dict[int, int]) -> None:
    """What members matched and said about a subject merged into another now belongs to the survivor:
    their matches (so they may still give feedback) and their feedback (so it still counts). Where one
    organisation had current feedback on both, the newer stays current and the older is replaced."""
    now = timezone.now()
    for merged, survivor in successor.items():
        SubjectMatch.objects.filter(subject_id=merged).update(subject_id=survivor)
        # Sales totals requests follow too: their periods still block overlapping requests on the survivor.
        SalesTotalsRequest.objects.filter(subject_id=merged).update(subject_id=survivor)
        for moving in HitFeedback.objects.filter(subject_id=merged, replaced_at__isnull=True):
            there = HitFeedback.objects.filter(
                subject_id=survivor, organisation_id=moving.organisation_id, replaced_at__isnull=True
            ).first()
            if there is not None:
                older = min(moving, there, key=lambda row: (row.created_at, row.pk))
                older.replaced_at = now
                older.save(update_fields=["replaced_at"])
        HitFeedback.objects.filter(subject_id=merged).update(subject_id=survivor)


def components_of(links: Iterable[tuple[int, int]]) -> list[set[int]]:
    """The connected components of tokens under (report id, linking token id) links of counting
    reports: union-find, no database. Tokens named by no such link belong to no component."""
    parent: dict[int, int] = {}

    def root(token: int) -> int:
        while parent[token] != token:
            parent[token] = parent[parent[token]]
            token = parent[token]
        return token

    first_token_of: dict[int, int] = {}
    for report_id, token_id in links:
        parent.setdefault(token_id, token_id)
        first = first_token_of.setdefault(report_id, token_id)
        a, b = root(first), root(token_id)
        if a != b:
            parent[max(a, b)] = min(a, b)
    grouped: dict[int, set[int]] = {}
    for token in parent:
        grouped.setdefault(root(token), set()).add(token)
    return list(grouped.values())


def subjects_of_tokens(tokens: Iterable[str]) -> QuerySet[Subject]:
    return Subject.objects.filter(tokens__token__in=list(tokens)).distinct()

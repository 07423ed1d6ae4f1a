"""Keep subjects equal to the connected components of tokens linked by live accepted reports.

Only strong and medium identifiers link (LINKING_TYPES): a report links the linking tokens it
names, and a weak token (name, shipping address, device id) never carries a subject, so two
sellers who share only a name or a warehouse address stay two subjects. The report ↔ weak token
rows are kept: they corroborate a subject reached by a linking identifier, never reach one.

Accepting a report can merge subjects; rejecting, retracting or expiring one can split a subject
again. Both cases are the same computation: take every token of the subjects touched, rebuild
their components from the reports that still count, and give each component one subject.
`components_of` is the same rule as a pure function, for recomputing everything at once.
After either, what members matched and said about a subject (SubjectMatch, HitFeedback) follows
the tokens they matched: to the survivor of a merge, to the part holding them after a split.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

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
    members_words_follow(touched=old_subject_ids, successor=successor, gone=gone)
    Subject.objects.filter(pk__in=gone).delete()


def members_words_follow(*, touched: set[int], successor: dict[int, int], gone: set[int]) -> None:
    """What members matched and said about these subjects follows the tokens they matched: after a
    merge to the survivor, after a split to the part (or parts) holding them, so their feedback still
    counts where their seller now is, and only there. A match recorded without its tokens (older rows)
    follows the merge rule alone; a match whose tokens no longer belong to any subject is dropped and
    the organisation's feedback on it detached (kept, counting nowhere), as when a subject goes."""
    for merged, survivor in successor.items():
        # Sales totals requests follow a merge: their periods still block overlapping requests on the survivor.
        SalesTotalsRequest.objects.filter(subject_id=merged).update(subject_id=survivor)
    matches = list(SubjectMatch.objects.filter(subject_id__in=touched))
    feedback = list(HitFeedback.objects.filter(subject_id__in=touched))
    if not matches and not feedback:
        return
    holder = dict(
        IdentifierToken.objects.filter(pk__in={t for m in matches for t in m.tokens}).values_list(
            "pk", "subject_id"
        )
    )

    def unrecorded(subject_id: int) -> set[int]:
        if subject_id not in gone:
            return {subject_id}
        return {successor[subject_id]} if subject_id in successor else set()

    placed: dict[int, set[int]] = {}  # match pk -> the subjects it now belongs to
    followed: dict[tuple[int, int], set[int]] = defaultdict(set)  # (organisation, old subject) -> the same
    for match in matches:
        places = (
            {held for t in match.tokens if (held := holder.get(t)) is not None}
            if match.tokens
            else unrecorded(match.subject_id)
        )
        placed[match.pk] = places
        followed[(match.organisation_id, match.subject_id)] |= places
    if any(placed[m.pk] != {m.subject_id} or set(m.tokens) - _held(holder, m.subject_id) for m in matches):
        _matches_rewrite(matches, placed, holder)
    _feedback_follow(
        feedback,
        lambda row: followed.get((row.organisation_id, row.subject_id), unrecorded(row.subject_id)),
    )


def _held(holder: Mapping[int, int | None], subject_id: int) -> set[int]:
    return {token for token, holding in holder.items() if holding == subject_id}


def _matches_rewrite(matches: list[SubjectMatch], placed: dict[int, set[int]], holder: dict) -> None:
    """Write the matches again where they now belong: one row per (organisation, source, reference,
    subject), holding the matched tokens that subject holds, matched when it was first matched."""
    rows: dict[tuple, SubjectMatch] = {}
    for match in sorted(matches, key=lambda m: (m.matched_at, m.pk)):
        for subject_id in sorted(placed[match.pk]):
            tokens = {t for t in match.tokens if holder.get(t) == subject_id}
            key = (match.organisation_id, match.source, match.reference, subject_id)
            if key in rows:
                rows[key].tokens = sorted(set(rows[key].tokens) | tokens)
                continue
            rows[key] = SubjectMatch(
                organisation_id=match.organisation_id,
                subject_id=subject_id,
                source=match.source,
                reference=match.reference,
                matched_at=match.matched_at,
                tokens=sorted(tokens),
            )
    SubjectMatch.objects.filter(pk__in=[m.pk for m in matches]).delete()
    SubjectMatch.objects.bulk_create(list(rows.values()))


def _feedback_follow(rows: list[HitFeedback], places_of) -> None:
    """Move each feedback to the first of its places and copy it to the others (the same words, a new
    id); where an organisation then has several current feedbacks on one subject, the newest stays
    current and the others are replaced. Rows with no place are detached from their subject."""
    now = timezone.now()
    placements: list[tuple[HitFeedback, int | None, bool]] = []  # (row, subject, as a copy)
    for row in rows:
        places = sorted(places_of(row), key=lambda s: (s != row.subject_id, s))
        placements.append((row, places[0] if places else None, False))
        placements += [(row, place, True) for place in places[1:]]
    newest: dict[tuple[int, int], HitFeedback] = {}
    for row, place, _ in placements:
        if row.replaced_at is None and place is not None:
            key = (row.organisation_id, place)
            if key not in newest or (row.created_at, row.pk) > (newest[key].created_at, newest[key].pk):
                newest[key] = row

    def superseded(row: HitFeedback, place: int | None) -> bool:
        return (
            row.replaced_at is None and place is not None and newest[(row.organisation_id, place)] is not row
        )

    moved = [(row, place) for row, place, copy in placements if not copy and place != row.subject_id]
    lost = [row.pk for row, place, copy in placements if not copy and superseded(row, place)]
    copies = [(row, place) for row, place, copy in placements if copy]
    if not moved and not lost and not copies:
        return
    # Replaced first, then every moving row parked on no subject: the one-current rule holds at each step.
    HitFeedback.objects.filter(pk__in=lost).update(replaced_at=now)
    HitFeedback.objects.filter(pk__in=[row.pk for row, _ in moved]).update(subject=None)
    for row, place in moved:
        if place is not None:
            HitFeedback.objects.filter(pk=row.pk).update(subject_id=place)
    HitFeedback.objects.bulk_create(
        HitFeedback(
            organisation_id=row.organisation_id,
            subject_id=place,
            member_id=row.member_id,
            outcome=row.outcome,
            action=row.action,
            reasons=row.reasons,
            note=row.note,
            created_at=row.created_at,
            replaced_at=now if superseded(row, place) else row.replaced_at,
        )
        for row, place in copies
    )


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

"""Recompute every subject from scratch under the linking rules, in batches.

The components are computed in memory (`components_of`, union-find over the links of live
reports), compared with the subjects stored, and only the differences are written, a batch per
transaction. So a second run writes nothing (idempotent) and an interrupted run is resumed by
running it again: the plan is recomputed from what is stored and the rest is written.
Which subject a component keeps follows the incremental rule (subjects.py): components in order
of their smallest token, each keeping the oldest subject still free among its tokens'.
Members' matches and feedback then follow the tokens they matched, as after an incremental change;
which ones need it is derived from what is stored, so an interrupted run is completed by the next.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import islice

from django.db import transaction

from sharing.locks import lock_tokens
from sharing.models import HitFeedback, IdentifierToken, SalesTotalsRequest, Subject, SubjectMatch
from sharing.subjects.services.subjects import components_of, counting, linking_links, members_words_follow

NEW = 0  # a component that needs a subject created for it


@dataclass(frozen=True)
class RelinkSummary:
    components: int
    tokens_moved: int
    tokens_unlinked: int
    subjects_created: int
    subjects_deleted: int
    dry_run: bool

    def line(self) -> str:
        prefix = "Dry run: would relink" if self.dry_run else "Relinked"
        return (
            f"{prefix} {self.components} subjects: {self.tokens_moved} tokens moved, {self.tokens_unlinked} unlinked, "
            f"{self.subjects_created} subjects created, {self.subjects_deleted} deleted."
        )


def subjects_relink_all(*, batch_size: int = 1000, dry_run: bool = False) -> RelinkSummary:
    links = (
        linking_links()
        .filter(counting(via="report__"))
        .values_list("report_id", "token_id")
        .iterator(chunk_size=10000)
    )
    components = sorted(components_of(links), key=min)
    current = dict(
        IdentifierToken.objects.filter(subject__isnull=False)
        .values_list("pk", "subject_id")
        .iterator(chunk_size=10000)
    )
    moves, kept, created = _plan(components, current)
    in_component = {token for component in components for token in component}
    unlinked = sorted(token for token in current if token not in in_component)
    if not dry_run:
        _write_moves(moves, batch_size=batch_size)
        for batch in _chunks(unlinked, batch_size):
            with transaction.atomic():
                lock_tokens(batch)
                IdentifierToken.objects.filter(pk__in=batch).update(subject=None)
        _followers_reconcile(moves, current)
        deleted = Subject.objects.filter(tokens__isnull=True).delete()[1].get("sharing.Subject", 0)
    else:
        deleted = len(set(current.values()) - kept) + Subject.objects.filter(tokens__isnull=True).count()
    return RelinkSummary(
        len(components), sum(len(tokens) for tokens, _ in moves), len(unlinked), created, deleted, dry_run
    )


@transaction.atomic
def _followers_reconcile(moves: list[tuple[list[int], int]], current: dict[int, int]) -> None:
    """What members matched and said follows the tokens they matched, as after an incremental merge or
    split (subjects.members_words_follow). Which subjects need it is derived from what is stored, not
    from this run's moves: every subject holding a match on tokens it no longer holds, and every subject
    left with no token that a match, feedback or sales totals request still names. So a run interrupted
    after moving tokens and before this is completed by the next run, which moves no token."""
    holder = dict(
        IdentifierToken.objects.filter(subject__isnull=False)
        .values_list("pk", "subject_id")
        .iterator(chunk_size=10000)
    )
    recorded: dict[int, set[int]] = defaultdict(set)  # subject -> the tokens its matches and requests name
    touched: set[int] = set()
    matches = SubjectMatch.objects.values_list("subject_id", "tokens").iterator(chunk_size=10000)
    requests = SalesTotalsRequest.objects.filter(subject__isnull=False).values_list("subject_id", "tokens")
    for subject_id, tokens in matches:
        recorded[subject_id].update(tokens)
        if any(holder.get(token) != subject_id for token in tokens):
            touched.add(subject_id)
    for subject_id, tokens in requests:
        recorded[subject_id].update(tokens)
    empty = set(Subject.objects.filter(tokens__isnull=True).values_list("pk", flat=True))
    with_feedback = set(HitFeedback.objects.filter(subject_id__in=empty).values_list("subject_id", flat=True))
    gone = empty & (set(recorded) | with_feedback)
    touched |= gone
    if not touched:
        return
    # A merged-away subject's successor: where this run moved its first token, else (a resumed run)
    # the oldest subject now holding a token its matches or requests named.
    successor: dict[int, int] = {}
    for tokens, _ in sorted(moves, key=lambda move: min(move[0])):
        for token in sorted(tokens):
            if token in current and holder.get(token) not in (None, current[token]):
                successor.setdefault(current[token], holder[token])
    for subject_id in sorted(gone - set(successor)):
        places = {holder[token] for token in recorded.get(subject_id, ()) if token in holder}
        if places:
            successor[subject_id] = min(places)
    members_words_follow(
        touched=touched, successor={s: successor[s] for s in gone if s in successor}, gone=gone
    )


def _plan(
    components: list[set[int]], current: dict[int, int]
) -> tuple[list[tuple[list[int], int]], set[int], int]:
    """For each component whose tokens are not all on the subject it keeps: (those tokens, that subject or NEW);
    the existing subjects kept; how many are created."""
    taken: set[int] = set()
    moves, created = [], 0
    for component in components:
        held = sorted({current[token] for token in component if token in current} - taken)
        keep = held[0] if held else NEW
        if keep == NEW:
            created += 1
        else:
            taken.add(keep)
        stray = sorted(token for token in component if keep == NEW or current.get(token) != keep)
        if stray:
            moves.append((stray, keep))
    return moves, taken, created


def _write_moves(moves: list[tuple[list[int], int]], *, batch_size: int) -> None:
    batch: list[tuple[list[int], int]] = []
    size = 0
    for tokens, keep in moves:
        batch.append((tokens, keep))
        size += len(tokens)
        if size >= batch_size:
            _write_batch(batch)
            batch, size = [], 0
    if batch:
        _write_batch(batch)


@transaction.atomic
def _write_batch(batch: list[tuple[list[int], int]]) -> None:
    lock_tokens(token for tokens, _ in batch for token in tokens)
    new_subjects = iter(Subject.objects.bulk_create([Subject() for _, keep in batch if keep == NEW]))
    rows = [
        IdentifierToken(pk=token, subject_id=keep if subject is None else subject.pk)
        for tokens, keep in batch
        for subject in [next(new_subjects) if keep == NEW else None]
        for token in tokens
    ]
    IdentifierToken.objects.bulk_update(rows, ["subject"], batch_size=1000)


def _chunks(values: list[int], size: int):
    iterator = iter(values)
    while batch := list(islice(iterator, size)):
        yield batch

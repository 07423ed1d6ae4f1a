"""Small-count suppression: how a count of members' behaviour leaves the hub to a member.

A count of what members did (checked a seller, acted on it, called it a false positive) is shown
as its number only when at least HUB_OUTCOME_SUPPRESSION_THRESHOLD distinct organisations are
behind it; below that (zero included, or a zero would tell a one apart) it is shown as "fewer
than N", so no single member's behaviour can be read off. One representation everywhere it
leaves: the JSON object {"value": <int or null>, "suppressed": <bool>, "fewer_than": N} in the
check, bulk and outcomes APIs and in the feed's indicator extension; "<N" in CSV downloads;
"fewer than N" on the pages. risk.py weighs the true counts, and only from the same threshold on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext


def suppression_threshold() -> int:
    return settings.HUB_OUTCOME_SUPPRESSION_THRESHOLD


@dataclass(frozen=True)
class SuppressedCount:
    """A count of members' behaviour: `value` is None when fewer than `threshold` distinct
    organisations are behind it (the count itself is then never handed out)."""

    value: int | None
    threshold: int

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def as_json(self) -> dict:
        """The one JSON shape of a suppressed count (APIs, bulk results, the feed)."""
        return {"value": self.value, "suppressed": self.suppressed, "fewer_than": self.threshold}

    def as_csv(self) -> str | int:
        """The count in a CSV cell: the number, or "<N"."""
        return f"<{self.threshold}" if self.value is None else self.value

    def as_text(self) -> str:
        """The count as a page shows it: the number, or "fewer than N" in the reader's language."""
        if self.value is None:
            return gettext("fewer than %(n)s") % {"n": self.threshold}
        return formats.number_format(self.value, use_l10n=True)


def suppressed(value: int, *, organisations: int | None = None) -> SuppressedCount:
    """`value` as it may be shown: only when at least the threshold of distinct organisations
    (`organisations`, by default the value itself) are behind it."""
    threshold = suppression_threshold()
    behind = value if organisations is None else organisations
    return SuppressedCount(value if behind >= threshold else None, threshold)


K = TypeVar("K", bound=Hashable)


def suppressed_by_organisations(
    rows: Iterable[tuple[K, int]], keys: Iterable[K], *, of_a_published_total: bool = False
) -> dict[K, SuppressedCount]:
    """Per key, the count of (key, organisation id) rows, each cell suppressed by the distinct
    organisations behind it (not by its value).

    `of_a_published_total`: the cells split a total that is shown beside them, so the hidden cells' sum
    is the total minus the shown ones. More cells are hidden, smallest first, until the hidden ones
    together are empty or stand on at least the threshold of organisations (or all are hidden): a
    lone hidden cell, or a few from one organisation, can then not be had by subtraction."""
    keys = list(keys)
    count: dict[K, int] = defaultdict(int)
    behind: dict[K, set[int]] = defaultdict(set)
    for key, organisation_id in rows:
        count[key] += 1
        behind[key].add(organisation_id)
    cells = {key: suppressed(count[key], organisations=len(behind[key])) for key in keys}
    hidden = {key for key, cell in cells.items() if cell.suppressed}
    if of_a_published_total and hidden:
        threshold = suppression_threshold()
        shown = sorted((key for key in keys if key not in hidden), key=lambda key: (count[key], str(key)))
        # A hidden sum of zero discloses no one; any other must stand on enough organisations.
        while shown and 0 < len(set().union(*(behind[key] for key in hidden))) < threshold:
            hidden.add(shown.pop(0))
        cells = {key: SuppressedCount(None, threshold) if key in hidden else cells[key] for key in keys}
    return cells


def suppressed_from_json(value) -> SuppressedCount | None:
    """A count as a stored result holds it (the JSON shape), or None when it is not one."""
    if isinstance(value, dict) and {"value", "suppressed", "fewer_than"} <= value.keys():
        return SuppressedCount(value["value"], value["fewer_than"])
    return None


def suppressed_pooled(
    groups: Iterable[Iterable[tuple[K, Hashable, int]]], keys: Iterable[K]
) -> dict[K, SuppressedCount]:
    """Per key, the count of distinct items pooled across groups (one group per matched subject), each
    row (key, item, organisation id); a pooled cell is shown only when every group, on its own, has at
    least the threshold of distinct organisations behind that key.

    Pooling first and suppressing after let a seller's hidden count be read off by checking it
    together with a seller whose count is shown (the pooled total minus the shown one). A group with
    none behind a key fails the threshold too: a zero would tell a one apart, as it does alone."""
    keys = list(keys)
    threshold = suppression_threshold()
    items: dict[K, set] = defaultdict(set)
    every_group_passes = dict.fromkeys(keys, True)
    any_group = False
    for group in groups:
        any_group = True
        behind: dict[K, set[int]] = defaultdict(set)
        for key, item, organisation_id in group:
            items[key].add(item)
            behind[key].add(organisation_id)
        for key in keys:
            if len(behind[key]) < threshold:
                every_group_passes[key] = False
    return {
        key: SuppressedCount(len(items[key]) if any_group and every_group_passes[key] else None, threshold)
        for key in keys
    }

"""Row locks for the domain, taken here only and always in primary-key order.

Two reviewers accepting reports that share identifiers lock overlapping token rows;
taking them in ascending id order means neither can hold one the other waits for
while waiting for one the other holds, so they queue instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Iterable

from sharing.models import IdentifierToken, Report


def lock_tokens(token_ids: Iterable[int]) -> list[IdentifierToken]:
    return list(IdentifierToken.objects.filter(pk__in=set(token_ids)).order_by("pk").select_for_update())


def lock_report(report: Report) -> Report:
    return Report.objects.select_for_update().get(pk=report.pk)

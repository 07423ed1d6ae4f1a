"""One way to do each cross-cutting thing, found by searching the source tree.

Row locks are taken only in the lock modules (in one documented order); capabilities are checked
only through accounts/capabilities.py; pages and lists are paginated and audited only by the list
bases. Each search is shown to catch the form it forbids, so none can pass by finding nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("accounts", "sharing", "hub", "hubctl")

LOCK = re.compile(r"\bselect_for_update\b")
LOCK_MODULES = {"sharing/locks.py", "accounts/locks.py"}

CAPABILITY_CHECK = re.compile(r"\.can\(|\bdef _require\(")
CAPABILITY_MODULES = {"accounts/actors.py", "accounts/capabilities.py"}

PAGINATION = re.compile(r"\bHubPagination\(|\.paginate_queryset\(|\.get_paginated_response\(|\bPaginator\(")
LIST_MODULES = {"accounts/api/lists.py", "accounts/web_lists.py", "hub/pagination.py"}


def _found(pattern: re.Pattern, allowed: set[str]) -> list[str]:
    found = []
    for package in SOURCES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = str(path.relative_to(ROOT))
            if name in allowed or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line.split("#", 1)[0]):
                    found.append(f"{name}:{number}: {line.strip()}")
    return found


def test_row_locks_are_taken_only_in_the_lock_modules():
    assert _found(LOCK, LOCK_MODULES) == []


def test_capabilities_are_checked_only_through_the_capabilities_module():
    assert _found(CAPABILITY_CHECK, CAPABILITY_MODULES) == []


def test_lists_are_paginated_only_by_the_list_bases():
    assert _found(PAGINATION, LIST_MODULES) == []


@pytest.mark.parametrize(
    ("pattern", "line"),
    [
        (LOCK, "Report.objects.select_for_update().get(pk=1)"),
        (LOCK, "rows.select_for_update(skip_locked=True)"),
        (CAPABILITY_CHECK, "if not actor.can(Capability.X):"),
        (CAPABILITY_CHECK, "assert request.actor.can(Capability.X)"),
        (CAPABILITY_CHECK, "def _require(actor):"),
        (PAGINATION, "paginator = HubPagination()"),
        (PAGINATION, "page = paginator.paginate_queryset(qs, request, view=self)"),
        (PAGINATION, "Paginator(queryset, 50).get_page(1)"),
    ],
)
def test_each_search_sees_the_form_it_forbids(pattern, line):
    assert pattern.search(line)


def test_every_lock_function_has_its_place_in_the_documented_order():
    """Each kind of row the lock modules lock is named in the order sharing/locks.py writes down."""
    from accounts import locks as account_locks
    from sharing import locks

    order = locks.__doc__.lower()
    locked = {
        name.removeprefix("lock_").split("_")[0]
        for module in (locks, account_locks)
        for name in vars(module)
        if name.startswith("lock_")
    }

    assert locked and all(kind in order for kind in locked), sorted(k for k in locked if k not in order)

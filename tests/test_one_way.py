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

# The edge of the house: API views, pages, serializers and input validators read through selectors
# and write through services, never through the ORM themselves (`Model.objects.none()` only tells
# drf-spectacular a list's model). A view that queried or saved directly would skip the scoping,
# the audit row and the locks those modules hold.
ORM_ACCESS = re.compile(
    r"\.objects\.(?!none\(\))|\._default_manager\b|\.save\(|\.delete\(\)|\.refresh_from_db\(|\btransaction\.atomic\b"
)
EDGE_MODULES = re.compile(r"(^|/)(api|web|web_[a-z_]+|serializers|inputs|views)\.py$|/api/[a-z_]+\.py$")


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


def test_views_pages_and_validators_read_through_selectors_and_write_through_services():
    # accounts/api/base.py opens each API request's one transaction (the read or write and its
    # audit row commit together); that is the edge's job, not a query.
    allowed = {"accounts/api/base.py"}
    edge = [name for name in _found(ORM_ACCESS, allowed) if EDGE_MODULES.search(name.split(":", 1)[0])]
    assert edge == []


def test_the_edge_modules_are_the_ones_users_reach():
    """The edge pattern names real modules (so the search above is not vacuous)."""
    names = [str(p.relative_to(ROOT)) for package in SOURCES for p in (ROOT / package).rglob("*.py")]
    edge = {name for name in names if EDGE_MODULES.search(name)}
    assert {"sharing/checks/api.py", "sharing/disclosure/web.py", "accounts/api/views.py"} <= edge
    assert {"accounts/web_audit.py", "sharing/subjects/inputs.py", "accounts/api/serializers.py"} <= edge


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
        (ORM_ACCESS, "report = Report.objects.get(public_id=pk)"),
        (ORM_ACCESS, "found.save(update_fields=['status'])"),
        (ORM_ACCESS, "with transaction.atomic():"),
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

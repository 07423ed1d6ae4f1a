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


# "Not yours" is answered only by accounts/scoped.py (scoped_get / probe_record: the same 404 and the same
# denied audit row as a missing object). Any other hand-made 404 is one of these, each with its reason.
HAND_MADE_404 = re.compile(
    r"\braise (NotFoundError|Http404|NotFound|exceptions\.NotFound)\b|\bget_object_or_404\(|"
    r"\bstatus=404\b|\bHTTP_404_NOT_FOUND\b|HTTPStatus\.NOT_FOUND|status\.NOT_FOUND"
)
NOT_A_PROBE = {  # module: (how many hand-made 404s it holds, why none is a "not yours")
    "accounts/scoped.py": (1, "the one way"),
    "hub/errors.py": (1, "NotFoundError itself"),
    "hub/error_views.py": (1, "Django's handler404: a path that matches no route"),
    "accounts/audit/proofs.py": (1, "no checkpoint published yet: nothing scoped, the same for everyone"),
    "accounts/web_audit.py": (2, "audit events by sequence number (every auditor sees all); an unknown verb"),
    "sharing/bulk/web.py": (1, "an unknown results format in the path, not an object"),
    "accounts/admission/services.py": (
        2,
        "an applicant's reference and one-time secret (no member, no scope: a wrong secret is audited as a "
        "denied upload); the same secret used meanwhile by a concurrent upload",
    ),
    "accounts/admission/web.py": (1, "an unknown decision verb in the path, not an object"),
    "accounts/invitations/services.py": (
        1,
        "an invitation link's token (a one-time secret, no member yet): an unknown one is audited as such",
    ),
    "accounts/two_factor/web.py": (
        1,
        "a signed-in user who is no member (a superuser) has no second factor page",
    ),
    "sharing/reports/services/review.py": (
        1,
        "an evidence file's index within a report the reviewer already reached through scoped_get",
    ),
    "sharing/due_process/services/disputes.py": (1, "dispute_file's miss: the match gate's audited no-match"),
    "sharing/watchlists/services/webhooks.py": (
        1,
        "a concurrent removal after the audited scoped_get found it",
    ),
    "sharing/transparency/web.py": (
        2,
        "a quarter with no published report (public, the same for everyone); the operators' pages, not there "
        "for anyone else (the refusal audited as a denied access)",
    ),
    "sharing/feed/api.py": (
        1,
        "a TAXII collection is a fixed resource, not an organisation's object: an unknown one is audited "
        "with probe_record",
    ),
}


def test_not_yours_is_answered_only_by_the_scoped_lookup():
    """No module makes a 404 by hand beyond the counted ones above: a lookup that is not the actor's
    goes through accounts/scoped.py (scoped_get / probe_record), which audits it like a missing one."""
    found: dict[str, list[str]] = {}
    for line in _found(HAND_MADE_404, set()):
        found.setdefault(line.split(":", 1)[0], []).append(line)
    extra = [
        line
        for name, lines in found.items()
        for line in lines
        if len(lines) > NOT_A_PROBE.get(name, (0, ""))[0]
    ]
    assert extra == [], "route the lookup through accounts/scoped.py: scoped_get / probe_record"
    # An allowance shrinks with its module: one left unused would let a new hand-made 404 in.
    assert {name: len(lines) for name, lines in found.items()} == {n: c for n, (c, _) in NOT_A_PROBE.items()}


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
        (HAND_MADE_404, 'raise NotFoundError("No such member.")'),
        (HAND_MADE_404, 'raise Http404("No such page.")'),
        (HAND_MADE_404, "event = get_object_or_404(Event, seq=seq)"),
        (HAND_MADE_404, 'return HttpResponse("gone", status=404)'),
        (HAND_MADE_404, "return Response(status=status.HTTP_404_NOT_FOUND)"),
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


# API modules hold views only: their input and output serializers live in the package's serializers.py
# (accounts/api/serializers.py), where services' callers and the schema find them in one place.
API_MODULES = re.compile(r"(^|/)(api|views)\.py$|/api/views\.py$")


def _serializers_defined_in(module) -> list[str]:
    from rest_framework.serializers import BaseSerializer

    return sorted(
        name
        for name, value in vars(module).items()
        if isinstance(value, type)
        and issubclass(value, BaseSerializer)
        and value.__module__ == module.__name__
    )


def test_api_modules_define_no_serializer():
    import importlib

    names = [str(p.relative_to(ROOT)) for package in SOURCES for p in (ROOT / package).rglob("*.py")]
    modules = sorted(name for name in names if API_MODULES.search(name))
    assert {"accounts/api/views.py", "sharing/due_process/api.py", "sharing/bulk/api.py"} <= set(modules)
    defined = {
        name: found
        for name in modules
        if (found := _serializers_defined_in(importlib.import_module(name[:-3].replace("/", "."))))
    }
    assert defined == {}, "move them to the package's serializers.py"


def test_the_serializer_rule_sees_a_serializer_defined_in_a_module():
    import types

    module = types.ModuleType("fake_api")
    exec(
        "from rest_framework import serializers\n"
        "class ThingInput(serializers.Serializer):\n    name = serializers.CharField()\n"
        "class ThingOutput(ThingInput):\n    pass\n",
        module.__dict__,
    )
    assert _serializers_defined_in(module) == ["ThingInput", "ThingOutput"]

"""Every API list has a maximum page size: one paginator (hub.pagination.HubPagination) for all.

A limit above HUB_API_MAX_PAGE_SIZE is lowered to it; a limit or offset that is not a whole
number in range is a 400 naming the field. The list endpoints are found from the URL
configuration (every route answering GET with a page, for every kind and role), so a new
list cannot be forgotten, and the code is searched for any other paginator.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.roles import ROLE_CAPABILITIES
from tests.factories import persona, report_make

ROOT = Path(__file__).resolve().parents[2]
APP_DIRECTORIES = ("accounts", "sharing", "hub")
# Lists that must be among the ones found, so that the walk cannot silently find none.
KNOWN_LISTS = {
    "/api/v1/audit",
    "/api/v1/alerts",
    "/api/v1/api-keys",
    "/api/v1/reports",
    "/api/v1/organisations",
    "/api/v1/disputes",
    "/api/v1/notifications",
    "/api/v1/watchlist",
    "/api/v1/webhooks",
    "/api/v1/disclosure-requests",
    "/api/v1/review/reports",
}


def _api_routes_without_parameters(patterns=None, prefix: str = "/") -> list[str]:
    routes = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            routes += _api_routes_without_parameters(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern) and "<" not in route and (prefix + route).startswith("/api/"):
            routes.append(prefix + route)
    return routes


def _paginated(body) -> bool:
    return isinstance(body, dict) and {"count", "results", "next", "previous"} <= set(body)


@pytest.fixture
def every_role(db):
    members = [persona(kind, role) for kind, role in ROLE_CAPABILITIES]
    reporter = next(m for m in members if m.role == "reporter")
    for _n in range(3):
        report_make(reporter)
    return members


@pytest.mark.django_db
def test_every_api_list_lowers_a_limit_over_the_maximum_and_refuses_a_malformed_one(
    api, every_role, settings
):
    settings.HUB_API_MAX_PAGE_SIZE = 2
    found = set()
    for route in _api_routes_without_parameters():
        for member in every_role:
            client = api(member)
            page = client.get(route, {"limit": 1000})
            if (
                page.status_code != 200
                or page["Content-Type"] != "application/json"
                or not _paginated(page.json())
            ):
                continue
            found.add(route)
            assert len(page.json()["results"]) <= 2, route
            if page.json()["count"] > 2:
                assert "limit=2" in page.json()["next"], route
            for name, value in (
                ("limit", "abc"),
                ("limit", "0"),
                ("limit", "-5"),
                ("offset", "-1"),
                ("offset", "x"),
            ):
                refused = client.get(route, {name: value})
                assert refused.status_code == 400, (route, name, value)
                assert name in refused.json()["error"]["fields"], (route, name, value)
            break  # one member who sees the list is enough
    assert KNOWN_LISTS <= found, KNOWN_LISTS - found


def test_the_audit_list_pages_past_the_maximum(api, auditor, settings):
    settings.HUB_API_MAX_PAGE_SIZE = 2
    client = api(auditor)
    for _ in range(3):
        client.get("/api/v1/audit")  # each read of the log is itself audited

    first = client.get("/api/v1/audit", {"limit": 1000}).json()
    second = client.get(first["next"]).json()

    assert len(first["results"]) == 2 and first["count"] > 2
    assert "limit=2" in first["next"] and "offset=2" in first["next"]
    assert len(second["results"]) == 2


def test_no_code_uses_another_paginator_or_a_page_size_from_the_request():
    others = re.compile(
        r"\b(LimitOffsetPagination|PageNumberPagination|CursorPagination)\b|"
        r"pagination_class\s*=\s*(?!\s|None\b|HubPagination\b)|Paginator\([^)]*request"
    )
    offending = [
        f"{path.relative_to(ROOT)}:{n}"
        for directory in APP_DIRECTORIES
        for path in (ROOT / directory).rglob("*.py")
        if path.name != "pagination.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if others.search(line)
    ]

    assert offending == []


def test_the_portal_pager_keeps_the_pages_filters(rf):
    """One pager for the portal pages (templates/_pager.html): moving page keeps the filter it shows."""
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string

    request = rf.get("/bulk/x/", {"level": "listed", "page": "2"})
    page = Paginator(list(range(30)), 10).page(2)

    html = render_to_string("_pager.html", {"page": page, "request": request}, request=request)

    assert "?level=listed&amp;page=1" in html and "?level=listed&amp;page=3" in html

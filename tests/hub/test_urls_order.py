"""The API's routes are tried first (hub/urls.py), which is safe only while no page route lies under api/v1/."""

from __future__ import annotations

from django.urls import get_resolver

API_PREFIX = "api/v1/"
# Mounted after the API's includes, on purpose: an API route of the same name would win, as before.
API_DOCUMENTATION = {"api/v1/schema/", "api/v1/docs/", "api/v1/redoc/"}


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def test_the_api_is_tried_first_and_no_page_route_lies_under_its_prefix():
    top = get_resolver().url_patterns
    api = [p for p in top if str(p.pattern) == API_PREFIX and hasattr(p, "url_patterns")]
    assert len(api) == 2 and top[:2] == api

    under_prefix = {route for route in _routes(top[2:]) if route.startswith(API_PREFIX)}
    assert under_prefix == API_DOCUMENTATION

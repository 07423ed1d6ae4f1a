"""Every error under /api/v1/ is the JSON error envelope, whoever answers it: DRF, the URL resolver, a middleware or the 500 handler."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import client_for

pytestmark = pytest.mark.django_db
METHODS = ("get", "post", "put", "patch", "delete")


def _api_routes_with_ids() -> list[str]:
    """Every /api/v1/ route with a path parameter, each parameter replaced by a value that is not a UUID."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route

    routes = [r for r in walk(get_resolver().url_patterns) if r.startswith("api/v1/") and "<" in r]
    assert len(routes) >= 10  # the walk found the API's routes
    return sorted({"/" + re.sub(r"<[^>]+>", "not-a-uuid", route) for route in routes})


def _assert_envelope(response, status: int) -> None:
    assert response.status_code == status, (response.status_code, response.content[:200])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "request_id"} and body["error"]["code"] and body["error"]["message"]


@pytest.mark.parametrize("path", _api_routes_with_ids())
def test_a_non_uuid_id_on_any_api_route_answers_the_json_404_for_every_method(path, operator_admin):
    member, anonymous = client_for(operator_admin), Client()
    for method in METHODS:
        _assert_envelope(getattr(member, method)(path), 404)
        _assert_envelope(getattr(anonymous, method)(path), 404)


def test_an_unknown_api_path_answers_the_json_404_and_does_not_echo_the_path():
    response = Client().get("/api/v1/no-such-thing/13800138001")

    _assert_envelope(response, 404)
    assert "13800138001" not in response.content.decode()


def test_a_method_a_route_does_not_have_answers_the_json_405(operator_admin):
    _assert_envelope(client_for(operator_admin).put("/api/v1/organisations", {}, format="json"), 405)


def test_a_role_without_the_capability_answers_the_json_403(platform_analyst):
    _assert_envelope(client_for(platform_analyst).get("/api/v1/audit"), 403)


def test_a_permission_denied_outside_drf_answers_the_json_403_without_a_traceback(settings, caplog):
    settings.ROOT_URLCONF = "tests.hub.api_failing_urls"

    with caplog.at_level(logging.INFO):
        response = Client().get("/api/v1/forbidden")

    _assert_envelope(response, 403)
    assert not any(r.exc_info for r in caplog.records)


def test_a_request_refused_before_any_view_answers_the_json_400():
    _assert_envelope(Client(HTTP_HOST="not-allowed.example").get("/api/v1/organisations"), 400)


def test_a_crash_under_the_api_answers_the_json_500(settings):
    settings.ROOT_URLCONF = "tests.hub.api_failing_urls"
    response = Client(raise_request_exception=False).get("/api/v1/crash")

    _assert_envelope(response, 500)
    assert "unexpected failure" not in response.content.decode()


def test_pages_keep_their_html_error_pages():
    response = Client().get("/disclosures/not-a-uuid/")

    assert response.status_code == 404 and not response["Content-Type"].startswith("application/json")

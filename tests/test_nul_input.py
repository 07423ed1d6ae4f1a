"""NUL characters: every route refuses them with a 400 wherever a request carries text, never a 500.

PostgreSQL text cannot hold a NUL; the suite runs on SQLite by default and on PostgreSQL with
DATABASE_URL, and these tests are meant for both.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.actors import Actor
from accounts.audit.services import alert_raise
from accounts.roles import ROLE_CAPABILITIES, Capability, OrganisationKind, Role
from hub.error_views import API_PREFIXES
from hub.errors import DomainError
from sharing.bulk.services import bulk
from sharing.bulk.tasks import bulk_chunk_task
from sharing.models import BulkChunk, BulkJob, BulkResult
from tests.factories import client_for, disclosure_make, persona, web_login

pytestmark = pytest.mark.django_db

NUL_TEXT = "before\x00after"
SAMPLE_ARGUMENTS = {
    "uuid": lambda: str(uuid.uuid4()),
    "int": lambda: "1",
    "str": lambda: "csv",
    "path": lambda: "x",
    "slug": lambda: "x",
}


def _routes(patterns=None, prefix: str = "") -> list[str]:
    """Every path of the URL configuration, its converters filled with sample values (regex-only routes as their prefix)."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + (entry.pattern._route if hasattr(entry.pattern, "_route") else "")
        if isinstance(entry, URLResolver):
            found += _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            found.append(
                "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_ARGUMENTS[m.group(1) or "str"](), route)
            )
    return sorted(set(found))


ROUTES = _routes()


def _members_covering_every_capability() -> list:
    """Few members whose roles together hold every capability, so each route is reached by someone allowed."""
    left, members = set(Capability), []
    while left:
        kind, role = max(sorted(ROLE_CAPABILITIES), key=lambda kr: len(ROLE_CAPABILITIES[kr] & left))
        left -= ROLE_CAPABILITIES[(kind, role)]
        members.append(persona(kind, role))
    return members


def _logged_in(member) -> Client:
    client = Client()
    web_login(client, member)
    return client


def test_the_route_list_covers_the_url_configuration():
    assert len(ROUTES) > 60 and "/api/v1/checks" in ROUTES and "/bulk/" in ROUTES and "/admin/" in ROUTES


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "head", "options"])
def test_a_nul_in_the_query_string_is_a_400_on_every_route(method):
    client = _logged_in(persona(OrganisationKind.PLATFORM, Role.ADMIN))

    answers = {route: getattr(client, method)(f"{route}?reason=a%00b").status_code for route in ROUTES}
    named = {route: getattr(client, method)(f"{route}?a%00b=1").status_code for route in ROUTES}

    assert {route for route, status in {**answers, **named}.items() if status != 400} == set()


def test_a_nul_in_a_header_a_cookie_or_the_path_is_a_400_on_every_route():
    client = _logged_in(persona(OrganisationKind.OPERATOR, Role.ADMIN))
    cookie = Client(HTTP_COOKIE="sessionid=abc\x00def")

    header = {route: client.get(route, HTTP_X_NOTE=NUL_TEXT).status_code for route in ROUTES}
    key = {
        route: Client().get(route, HTTP_AUTHORIZATION=f"Bearer hub_{NUL_TEXT}").status_code
        for route in ROUTES
    }
    session = {route: cookie.get(route).status_code for route in ROUTES}
    path = client.get("/api/v1/reports/%00").status_code

    assert {
        r for answers in (header, key, session) for r, status in answers.items() if status != 400
    } == set()
    assert path == 400


def test_a_nul_anywhere_in_a_json_body_never_makes_a_500_on_any_route():
    body = json.dumps(
        {
            "reason": NUL_TEXT,
            "identifiers": [{"type": "phone", "value": NUL_TEXT}],
            "details": {NUL_TEXT: 1},
            "url": NUL_TEXT,
            "scope": {"fields": [NUL_TEXT]},
        }
    )
    members = _members_covering_every_capability()

    failures = [
        (member.role, method, route, response.status_code)
        for member in members
        for route in ROUTES
        for method in ("POST", "PUT", "PATCH")
        for response in [client_for(member).generic(method, route, body, content_type="application/json")]
        if response.status_code >= 500
    ]

    assert failures == []


def test_a_nul_in_a_web_form_is_a_400_on_every_route():
    members = _members_covering_every_capability()

    failures = [
        (member.role, route, response.status_code)
        for member in members
        for route in ROUTES
        if not route.startswith(API_PREFIXES)  # web pages; the APIs take JSON (the test above)
        for data in ({"reason": NUL_TEXT, "action": "reject"}, {NUL_TEXT: "x"})
        for response in [_logged_in(member).post(route, data)]
        if response.status_code != 400
    ]

    assert failures == []


def test_a_json_nul_is_refused_naming_the_field(platform_analyst):
    response = client_for(platform_analyst).post(
        "/api/v1/checks",
        {"purpose": "seller_onboarding", "identifiers": [{"type": "phone", "value": NUL_TEXT}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"identifiers.0.value": ["NUL characters are not accepted."]}
    assert "before" not in response.content.decode()


def test_a_nul_in_a_json_key_is_refused_without_echoing_the_key(platform_analyst):
    response = client_for(platform_analyst).post("/api/v1/checks", {f"secret{NUL_TEXT}": 1}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"non_field_errors": ["NUL characters are not accepted."]}
    assert "secret" not in response.content.decode()


def test_a_nul_in_a_disclosure_rejection_reason_is_a_400_not_a_500(client, court_clerk_and_officer):
    order, officer = court_clerk_and_officer
    web_login(client, officer)

    response = client.post(
        f"/disclosures/{order.public_id}/", {"action": "reject", "reason": f"no{NUL_TEXT}"}
    )

    order.refresh_from_db()
    assert response.status_code == 400 and b"NUL characters are not accepted." in response.content
    assert order.status != "rejected"


@pytest.fixture
def court_clerk_and_officer(db):
    clerk = persona(OrganisationKind.COURT, Role.ANALYST)
    return disclosure_make(clerk), persona(OrganisationKind.OPERATOR, Role.DISCLOSURE_OFFICER)


def test_a_nul_in_an_alert_note_is_a_400_not_a_500(client):
    alert = alert_raise(kind="test", organisation=None, dedupe_key=str(uuid.uuid4()), details={})
    web_login(client, persona(OrganisationKind.OPERATOR, Role.ADMIN))

    response = client.post(f"/audit/alerts/{alert.public_id}/acknowledge", {"reason": NUL_TEXT})

    assert response.status_code == 400


def test_a_nul_in_a_multipart_field_name_or_value_is_a_400(platform_analyst):
    api = client_for(platform_analyst)
    content = b"ref,phone\ns-1,+86 138 0013 8000\n"

    named = api.post(
        "/api/v1/bulk-checks",
        {"purpose": "seller_onboarding", "file": SimpleUploadedFile("s.csv", content), NUL_TEXT: "x"},
        format="multipart",
    )
    valued = api.post(
        "/api/v1/bulk-checks",
        {"purpose": "seller_onboarding", "file": SimpleUploadedFile("s.csv", content), "note": NUL_TEXT},
        format="multipart",
    )

    assert named.status_code == 400 and valued.status_code == 400
    assert valued.json()["error"]["fields"] == {"note": ["NUL characters are not accepted."]}
    assert BulkJob.objects.count() == 0


@pytest.mark.parametrize(
    "name,content",
    [
        (
            "refs.csv",
            f"ref,phone\nok-1,+86 138 0013 8000\nbad{NUL_TEXT},+86 138 0013 8001\nok-2,+86 138 0013 800\x00\n",
        ),
        (
            "refs.jsonl",
            "\n".join(
                json.dumps(row)
                for row in [
                    {"ref": "ok-1", "identifiers": [{"type": "phone", "value": "+86 138 0013 8000"}]},
                    {
                        "ref": f"bad{NUL_TEXT}",
                        "identifiers": [{"type": "phone", "value": "+86 138 0013 8001"}],
                    },
                    {"ref": "ok-2", "identifiers": [{"type": "phone", "value": f"+86{NUL_TEXT}"}]},
                    {"ref": "ok-3", "identifiers": [{"type": "phone", NUL_TEXT: "x"}]},
                ]
            ),
        ),
    ],
)
def test_a_nul_in_a_bulk_row_makes_that_row_an_error_row(platform_analyst, name, content):
    response = client_for(platform_analyst).post(
        "/api/v1/bulk-checks",
        {"purpose": "seller_onboarding", "file": SimpleUploadedFile(name, content.encode())},
        format="multipart",
    )
    job = BulkJob.objects.get(public_id=response.json()["id"])
    for chunk_id in BulkChunk.objects.filter(job=job).values_list("pk", flat=True):
        bulk_chunk_task(chunk_id)

    results = list(BulkResult.objects.filter(job=job).order_by("index").values_list("ref", "error"))
    assert response.status_code == 202
    assert results[0] == ("ok-1", "")
    assert all(ref == "" and "NUL" in error for ref, error in results[1:])
    assert not any("\x00" in ref + error for ref, error in results)


def test_a_nul_in_a_bulk_header_is_a_400_naming_the_file(platform_analyst):
    upload = SimpleUploadedFile("s.csv", f"ref,phone{NUL_TEXT}\ns-1,+86 138 0013 8000\n".encode())

    with pytest.raises(DomainError) as refused:
        bulk.bulk_submit(purpose="seller_onboarding", upload=upload, actor=Actor(member=platform_analyst))

    assert list(refused.value.fields) == ["file"]

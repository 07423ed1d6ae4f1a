"""The OpenAPI schema tells the truth: every operation in it is called for real, and what it
answers must validate against the response the schema declares for that status.

The operations come from the schema itself (paths × methods), so a new endpoint is exercised or
fails here. Each is reached as tests/accounts/test_role_matrix.py reaches it (same URLs, bodies
and fixtures), by a member whose role may call it; without a key (401) and, for operations on
one object, with an id that does not exist (404), the answer must match the declared error
envelope. Objects in answers may not carry fields the schema does not declare, and a list must
answer at least one row, so its item schema is exercised too. Request examples must validate
against their request schema and be accepted when posted.
"""

from __future__ import annotations

import io
import json
import re
import uuid

import pytest
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator, oas30_format_checker
from rest_framework.test import APIClient

from accounts.models import Member
from accounts.roles import ROLE_CAPABILITIES, Capability, OrganisationKind, Role
from tests.accounts import test_role_matrix as matrix
from tests.factories import client_for, member_make, persona, report_make

METHODS = ("get", "put", "post", "delete", "patch")


def _schema() -> dict:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated, renderer_context={}))


SCHEMA = _schema()
OPERATIONS = [
    (path, method) for path, item in SCHEMA["paths"].items() for method in item if method in METHODS
]


def _closed(node):
    """The schema with every object closed to undeclared properties, so an answer carrying a field
    the schema does not mention fails instead of passing unnoticed."""
    if isinstance(node, dict):
        node = {key: _closed(value) for key, value in node.items()}
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        return node
    if isinstance(node, list):
        return [_closed(value) for value in node]
    return node


COMPONENTS = _closed(SCHEMA["components"])


def _validate(schema: dict, instance, validator=OAS30ReadValidator) -> None:
    root = {"allOf": [_closed(schema)], "components": COMPONENTS}
    validator(root, format_checker=oas30_format_checker).validate(instance)


def _route(path: str) -> str:
    return resolve(re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)).url_name


def _endpoint(path: str, method: str) -> matrix.Endpoint:
    route = _route(path)
    found = [e for e in matrix.ENDPOINTS if e.route == route and e.method == method]
    assert found, f"{method.upper()} {path} ({route}) is in the schema but not in the role matrix"
    return found[0]


def _caller(capability: Capability) -> Member:
    kind, role = next(kr for kr in matrix.KIND_ROLES if capability in ROLE_CAPABILITIES[kr])
    return persona(kind, role)


def _bulk_upload(member: Member):
    """The matrix posts JSON to the bulk upload (a 400); here a real file, for the 202."""
    upload = io.BytesIO(b"ref,phone\nseller-1,+86 138 0013 8000\n")
    upload.name = "sellers.csv"
    return client_for(member).post("/api/v1/bulk-checks", {"file": upload}, format="multipart")


def _deliveries_of_an_endpoint_with_an_event(member: Member):
    """The matrix lists a new endpoint's (empty) log; here one event is queued for it first."""
    from django.utils import timezone

    from sharing.models import WebhookEndpoint
    from sharing.watchlists.services.webhooks import webhook_events_write

    url = matrix._own_webhook_url(member, "/deliveries")
    endpoint = WebhookEndpoint.objects.get(public_id=url.split("/")[4])
    webhook_events_write(
        event_type="subject.linked",
        events=[(endpoint, {"watch_ref": "seller-1", "level": "reported"})],
        now=timezone.now(),
    )
    return client_for(member).get(url)


CALLS = {
    ("bulk-checks", "post"): _bulk_upload,
    ("webhook-deliveries", "get"): _deliveries_of_an_endpoint_with_an_event,
}


# A list answers at least one row only when there is one: rows the caller may see, made first.
def _seed_own_report(member: Member) -> None:
    report_make(member_make(member.organisation, Role.REPORTER))


def _seed_pending_report(member: Member) -> None:
    report_make(persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER))


def _seed_alert(member: Member) -> None:
    matrix._alert_url("acknowledge")


def _seed_disclosure(member: Member) -> None:
    matrix._court_request_url(member)


def _seed_dispute(member: Member) -> None:
    from tests.factories import dispute_make

    dispute_make(filer=member_make(member.organisation, Role.ANALYST))


def _seed_notification(member: Member) -> None:
    from sharing.reports.services.notifications import notify

    notify(
        organisation_id=member.organisation_id,
        kind="dispute.filed",
        message="A listing is disputed.",
        data={},
    )


def _seed_watch_entry(member: Member) -> None:
    matrix._own_watch_entry_url(member)


def _seed_webhook(member: Member) -> None:
    matrix._own_webhook_url(member)


SEEDS = {
    ("reports", "get"): _seed_own_report,
    ("review-reports", "get"): _seed_pending_report,
    ("alerts", "get"): _seed_alert,
    ("disclosure-requests", "get"): _seed_disclosure,
    ("disputes", "get"): _seed_dispute,
    ("notifications", "get"): _seed_notification,
    ("watchlist", "get"): _seed_watch_entry,
    ("webhooks", "get"): _seed_webhook,
    ("invitations", "get"): matrix._own_invitation_url,
}


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _assert_answer_declared(path: str, method: str, response) -> dict | list | str | None:
    """Validate the answer against the operation's declared response for its status."""
    operation = SCHEMA["paths"][path][method]
    status = str(response.status_code)
    declared = operation["responses"].get(status)
    assert declared, f"{method.upper()} {path} answered {status}, which the schema does not declare"
    content = declared.get("content")
    body = _body(response)
    if not content:
        assert body == b"", f"{method.upper()} {path} {status}: a body the schema does not declare"
        return None
    media_type = response["Content-Type"].split(";")[0].strip()
    assert media_type in content, f"{method.upper()} {path} {status}: {media_type} not in {list(content)}"
    schema = content[media_type].get("schema", {})
    if schema.get("format") == "binary":
        # Declared as opaque bytes (a disclosure package): there is no structure to validate.
        assert body, f"{method.upper()} {path} {status}: an empty body declared as a file"
        return None
    instance = json.loads(body) if media_type == "application/json" else body.decode()
    _validate(schema, instance)
    return instance


@pytest.mark.django_db
@pytest.mark.parametrize("path,method", OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in OPERATIONS])
def test_every_operation_answers_what_the_schema_declares(path, method):
    route = _route(path)
    if route in matrix.PUBLIC_ROUTES:
        response = APIClient().generic(method.upper(), path)
    else:
        endpoint = _endpoint(path, method)
        member = _caller(endpoint.capability)
        if (route, method) in SEEDS:
            SEEDS[(route, method)](member)
        call = CALLS.get((route, method))
        response = call(member) if call else matrix._call(member, endpoint)

    assert 200 <= response.status_code < 300, (response.status_code, _body(response)[:500])
    instance = _assert_answer_declared(path, method, response)
    if isinstance(instance, dict) and "results" in instance:
        assert instance["results"], f"{method.upper()} {path} listed nothing: seed a row in SEEDS"


@pytest.mark.django_db
@pytest.mark.parametrize("path,method", OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in OPERATIONS])
def test_every_operation_refuses_a_missing_key_in_the_declared_envelope(path, method):
    if _route(path) in matrix.PUBLIC_ROUTES:
        pytest.skip("public by design")
    url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)

    response = APIClient().generic(method.upper(), url)

    assert response.status_code == 401
    _assert_answer_declared(path, method, response)


ONE_OBJECT = [(p, m) for p, m in OPERATIONS if "{" in p]


@pytest.mark.django_db
@pytest.mark.parametrize("path,method", ONE_OBJECT, ids=[f"{m.upper()} {p}" for p, m in ONE_OBJECT])
def test_an_unknown_id_is_a_declared_404(path, method):
    endpoint = _endpoint(path, method)
    member = _caller(endpoint.capability)
    url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)

    response = getattr(client_for(member), method)(url, endpoint.body(member), format="json")

    assert response.status_code == 404, response.content
    _assert_answer_declared(path, method, response)


PAGINATED = [
    path
    for path, method in OPERATIONS
    if method == "get" and "limit" in {p["name"] for p in SCHEMA["paths"][path]["get"].get("parameters", [])}
]


def test_every_list_is_declared_paginated():
    """Every list answers a page; an array answer would be a list the schema calls unpaginated."""
    arrays = [
        f"{m.upper()} {p}"
        for p, m in OPERATIONS
        if SCHEMA["paths"][p][m]["responses"]
        .get("200", {})
        .get("content", {})
        .get("application/json", {})
        .get("schema", {})
        .get("type")
        == "array"
    ]
    assert PAGINATED and not arrays, arrays


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGINATED)
def test_a_malformed_page_parameter_is_a_declared_400(path):
    endpoint = _endpoint(path, "get")
    member = _caller(endpoint.capability)

    response = client_for(member).get(endpoint.url(member), {"limit": "many"})

    assert response.status_code == 400
    assert _assert_answer_declared(path, "get", response)["error"]["fields"] == {
        "limit": ["Give a whole number of at least 1."]
    }


EXAMPLES = [
    (path, method, name)
    for path, method in OPERATIONS
    for media in SCHEMA["paths"][path][method].get("requestBody", {}).get("content", {}).values()
    for name in media.get("examples", {})
]


def test_there_are_request_examples_to_check():
    assert EXAMPLES


@pytest.mark.django_db
@pytest.mark.parametrize("path,method,name", EXAMPLES, ids=[f"{m.upper()} {p} {n}" for p, m, n in EXAMPLES])
def test_every_request_example_is_valid_and_accepted(path, method, name):
    media = SCHEMA["paths"][path][method]["requestBody"]["content"]["application/json"]
    example = media["examples"][name]["value"]
    _validate(media["schema"], example, validator=OAS30WriteValidator)
    endpoint = _endpoint(path, method)
    member = _caller(endpoint.capability)

    response = getattr(client_for(member), method)(endpoint.url(member), example, format="json")

    assert response.status_code == endpoint.success, response.content
    _assert_answer_declared(path, method, response)

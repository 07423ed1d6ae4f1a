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
from accounts.purposes import purposes_allowed
from accounts.roles import ROLE_CAPABILITIES, Capability, OrganisationKind, Role
from tests.accounts import test_role_matrix as matrix
from tests.factories import client_for, member_make, persona, report_make, report_make_accepted

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


def _caller(capability: Capability, example: dict | None = None) -> Member:
    """A member whose role grants the capability and, when the example states a purpose, whose kind
    may state it (purpose limitation, accounts/purposes.py)."""
    purpose = (example or {}).get("purpose")
    kind, role = next(
        (kind, role)
        for kind, role in matrix.KIND_ROLES
        if capability in ROLE_CAPABILITIES[(kind, role)]
        and (purpose is None or purpose in purposes_allowed(kind=kind, agreed=None))
    )
    return persona(kind, role)


def _bulk_upload(member: Member):
    """The matrix posts JSON to the bulk upload (a 400); here a real file, for the 202."""
    upload = io.BytesIO(b"ref,phone\nseller-1,+86 138 0013 8000\n")
    upload.name = "sellers.csv"
    return client_for(member).post(
        "/api/v1/bulk-checks", {"purpose": matrix._purpose_of(member), "file": upload}, format="multipart"
    )


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


def _application_body() -> dict:
    from tests.accounts.test_admission import application_body

    return application_body()


def _public_apply(path: str):
    """Anyone may apply: a valid application, no key."""
    return APIClient().post(path, _application_body(), format="json")


def _public_documents_add(path: str):
    """The applicant adds documents with the secret the application's answer gave."""
    answer = _public_apply("/api/v1/organisation-applications").json()
    url = re.sub(r"\{[^}]+\}", answer["id"], path)
    body = {"secret": answer["upload_secret"], "documents": _application_body()["documents"]}
    return APIClient().post(url, body, format="json")


# Public routes whose operations need a body: how to call them (else: no body at all).
PUBLIC_CALLS = {
    ("organisation-apply", "post"): _public_apply,
    ("organisation-application-documents-add", "post"): _public_documents_add,
}


CALLS = {
    ("bulk-checks", "post"): _bulk_upload,
    ("webhook-deliveries", "get"): _deliveries_of_an_endpoint_with_an_event,
}


# A list answers at least one row only when there is one: rows the caller may see, made first.
def _seed_own_report(member: Member) -> None:
    report_make(member_make(member.organisation, Role.REPORTER))


def _seed_own_accepted_report(member: Member) -> None:
    report_make_accepted(
        member_make(member.organisation, Role.REPORTER), persona(OrganisationKind.OPERATOR, Role.REVIEWER)
    )


def _seed_pending_report(member: Member) -> None:
    report_make(persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER))


def _seed_alert(member: Member) -> None:
    matrix._alert_url("acknowledge")


def _seed_disclosure(member: Member) -> None:
    matrix._court_request_url(member)


def _seed_dispute(member: Member) -> None:
    from accounts.roles import capabilities_for
    from tests.factories import dispute_make

    organisation = member.organisation
    if Capability.DISPUTE_FILE in capabilities_for(organisation.kind, Role.ANALYST):
        dispute_make(filer=member_make(organisation, Role.ANALYST))
    else:  # an organisation that files no dispute reads those against its own reports
        dispute_make(reporter=member_make(organisation, Role.REPORTER))


def _seed_notification(member: Member) -> None:
    from sharing.reports.services.notifications import notify

    notify(
        organisation_id=member.organisation_id,
        kind="dispute.filed",
        data={"dispute": "00000000-0000-4000-8000-000000000001", "due": "2026-12-14"},
    )


def _seed_watch_entry(member: Member) -> None:
    matrix._own_watch_entry_url(member)


def _seed_feed_subscription(member: Member) -> None:
    matrix._feed_collection_url(member)  # subscribes the member's organisation to its first collection


def _seed_webhook(member: Member) -> None:
    matrix._own_webhook_url(member)


def _seed_application(member: Member) -> None:
    matrix.application_make()


def _seed_feedback(member: Member) -> None:
    from accounts.actors import Actor
    from sharing.feedback.services.feedback import FeedbackGiven, feedback_record

    check_id = matrix._matched_subject(member)[0]
    feedback_record(actor=Actor(member=member), given=FeedbackGiven("acted", "blocked"), check_id=check_id)


def _seed_parcel_event(member: Member) -> None:
    from datetime import UTC, datetime

    from accounts.actors import Actor
    from sharing.parcels.services import ParcelEventGiven, parcel_event_record
    from sharing.subjects.services.tokens import RawIdentifier

    parcel_event_record(
        actor=Actor(member=member),
        given=ParcelEventGiven(
            kind="seized",
            occurred_at=datetime(2026, 1, 5, tzinfo=UTC),
            origin_region="CN-GD",
            category="counterfeit",
            identifiers=[RawIdentifier("courier_sender_account", "sf:gang01")],
        ),
    )


SEEDS = {
    ("parcel-events", "get"): _seed_parcel_event,
    ("review-applications", "get"): _seed_application,
    ("reports", "get"): _seed_own_report,
    ("outcomes", "get"): _seed_own_accepted_report,
    ("review-reports", "get"): _seed_pending_report,
    ("alerts", "get"): _seed_alert,
    ("disclosure-requests", "get"): _seed_disclosure,
    ("disputes", "get"): _seed_dispute,
    ("notifications", "get"): _seed_notification,
    ("watchlist", "get"): _seed_watch_entry,
    ("feed-subscriptions", "get"): _seed_feed_subscription,
    ("feedback", "get"): _seed_feedback,
    ("webhooks", "get"): _seed_webhook,
    ("invitations", "get"): matrix._own_invitation_url,
    ("sales-totals", "get"): matrix._own_sales_totals_url,
    ("sales-totals-tasks", "get"): matrix._own_task_url,
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
    if (route, method) in PUBLIC_CALLS:
        response = PUBLIC_CALLS[(route, method)](path)
    elif route in matrix.PUBLIC_ROUTES:
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
    url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
    if _route(path) in matrix.PUBLIC_ROUTES:  # an applicant's reference: anyone may name one
        body = {"secret": "a-guess", "documents": _application_body()["documents"]}
        response = APIClient().post(url, body, format="json")
    else:
        endpoint = _endpoint(path, method)
        member = _caller(endpoint.capability)
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
WITH_A_BODY = [(p, m) for p, m in OPERATIONS if "requestBody" in SCHEMA["paths"][p][m]]


def test_every_operation_with_a_request_body_has_an_example():
    assert WITH_A_BODY and EXAMPLES
    without = [f"{m.upper()} {p}" for p, m in WITH_A_BODY if (p, m) not in {(p, m) for p, m, _ in EXAMPLES}]
    assert without == [], "give each an OpenApiExample(request_only=True) the API accepts"


# What an example needs to exist in the world before it is sent as written: the court's registered key,
# the live report a dispute contests (naming the example's own identifiers).
def _court_key(member: Member, example: dict) -> None:
    from tests.factories import court_key_pair

    court_key_pair(member.organisation)


def _reported_seller(member: Member, example: dict) -> None:
    from tests.factories import report_make_accepted

    reporter = persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER)
    report_make_accepted(reporter, persona(OrganisationKind.OPERATOR, Role.REVIEWER), example["identifiers"])


def _matched_seller(member: Member, example: dict) -> None:
    """A listed seller the member's check matched: by the example's check_id, or (a sighting) by the
    indicator id the feed handed out, which fills the example's placeholder."""
    from sharing.models import FeedObjectVersion, MatchSource, SubjectMatch
    from tests.factories import report_make_accepted

    reviewer = persona(OrganisationKind.OPERATOR, Role.REVIEWER)
    report_make_accepted(persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER), reviewer)
    published = FeedObjectVersion.objects.filter(subject_pk__isnull=False).latest("sequence")
    SubjectMatch.objects.create(
        organisation=member.organisation,
        subject_id=published.subject_pk,
        source=MatchSource.CHECK,
        reference=example.get("check_id", "0b9c7b1e-3d8e-4c1f-9a47-2f6f2c8d5e10"),
    )
    if "sighting_of_ref" in example:
        example["sighting_of_ref"] = published.stix_id


def _matched_sender(member: Member, example: dict) -> None:
    """A listed seller the member's check matched (the example's check_id), named by the example's sender
    identifier: feedback on a hit names one of the matched seller's identifiers."""
    from sharing.models import FeedObjectVersion, MatchSource, SubjectMatch
    from tests.factories import report_make_accepted

    reviewer = persona(OrganisationKind.OPERATOR, Role.REVIEWER)
    sender = [item for item in example["identifiers"] if item["type"] != "waybill"]
    report_make_accepted(
        persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER),
        reviewer,
        [*sender, {"type": "email", "value": "sender@example.com"}],
    )
    published = FeedObjectVersion.objects.filter(subject_pk__isnull=False).latest("sequence")
    SubjectMatch.objects.create(
        organisation=member.organisation,
        subject_id=published.subject_pk,
        source=MatchSource.CHECK,
        reference=example["check_id"],
    )


def _as_written(path: str, example: dict) -> tuple[str, dict, int]:
    return path, example, 201


def _application_awaiting_documents(path: str, example: dict) -> tuple[str, dict, int]:
    """An open application: its reference fills the path, its one-time secret the example's placeholder."""
    from accounts.admission.services import Applicant, DocumentUpload, application_submit

    application, secret = application_submit(
        applicant=Applicant(
            legal_name="Documents Example Ltd",
            kind=OrganisationKind.PLATFORM,
            country="GB",
            registration_number="GB-DOCS-1",
            contact_name="A. Contact",
            contact_email="docs@example.com",
            terms_version="2026-11",
        ),
        documents=[DocumentUpload("licence.pdf", "application/pdf", b"%PDF-1.7 licence")],
    )
    return path.replace("{application_id}", str(application.public_id)), {**example, "secret": secret}, 200


# Public operations whose example needs something only the hub can hand out first (a one-time secret).
PUBLIC_EXAMPLE_WORLD = {"organisation-application-documents-add": _application_awaiting_documents}


def _reported_subject(member: Member, example: dict) -> None:
    """A seller the requester may ask about, and a modulus of the right size, for the example's placeholders."""
    example.update(
        {key: matrix._sales_totals_body(member)[key] for key in ("subject", "public_key", "case_reference")}
    )


EXAMPLE_WORLD = {
    ("sales-totals", "post"): _reported_subject,
    ("disclosure-requests", "post"): _court_key,
    ("disputes", "post"): _reported_seller,
    ("feedback", "post"): _matched_seller,
    ("feedback-sightings", "post"): _matched_seller,
    ("parcel-events", "post"): _matched_sender,
}
# Multipart examples name each file field's content as text; it is uploaded as a file of that name.
MULTIPART_SUCCESS = {("bulk-checks", "post"): (202, "sellers.csv")}
MULTIPART_FILE_FIELDS = frozenset({"file"})


def _example_sent(member: Member, endpoint: matrix.Endpoint, media_type: str, example: dict):
    client = client_for(member)
    if media_type == "multipart/form-data":
        _, filename = MULTIPART_SUCCESS[(endpoint.route, endpoint.method)]
        files = {}
        for name, text in example.items():
            if name not in MULTIPART_FILE_FIELDS:  # a plain form field (a bulk job's purpose)
                files[name] = text
                continue
            files[name] = io.BytesIO(text.encode())
            files[name].name = filename
        return getattr(client, endpoint.method)(endpoint.url(member), files, format="multipart")
    return getattr(client, endpoint.method)(endpoint.url(member), example, format="json")


@pytest.mark.django_db
@pytest.mark.parametrize("path,method,name", EXAMPLES, ids=[f"{m.upper()} {p} {n}" for p, m, n in EXAMPLES])
def test_every_request_example_is_valid_and_accepted(path, method, name):
    """Each example is sent as written by a member whose role may call the operation; it must succeed."""
    content = SCHEMA["paths"][path][method]["requestBody"]["content"]
    media_type, media = next((t, m) for t, m in content.items() if name in m.get("examples", {}))
    example = media["examples"][name]["value"]
    _validate(media["schema"], example, validator=OAS30WriteValidator)
    if _route(path) in matrix.PUBLIC_ROUTES:  # posted as anyone would, with no key
        url, example, success = PUBLIC_EXAMPLE_WORLD.get(_route(path), _as_written)(path, example)
        response = APIClient().generic(method.upper(), url, json.dumps(example), "application/json")
    else:
        endpoint = _endpoint(path, method)
        member = _caller(endpoint.capability, example if isinstance(example, dict) else None)
        if (endpoint.route, method) in EXAMPLE_WORLD:
            EXAMPLE_WORLD[(endpoint.route, method)](member, example)
        response = _example_sent(member, endpoint, media_type, example)
        success = MULTIPART_SUCCESS.get((endpoint.route, method), (endpoint.success,))[0]
    assert response.status_code == success, response.content
    _assert_answer_declared(path, method, response)


def _example_of(path: str, method: str) -> dict:
    media = SCHEMA["paths"][path][method]["requestBody"]["content"]["application/json"]
    return next(iter(media["examples"].values()))["value"]


def _assert_retry_after_declared(path: str, method: str, response) -> None:
    declared = SCHEMA["paths"][path][method]["responses"]["429"]["headers"]["Retry-After"]
    _validate(declared["schema"], int(response["Retry-After"]))


@pytest.mark.django_db
def test_a_duplicate_is_a_declared_409():
    """The dispute example filed twice by one platform: the second is refused, as the schema declares."""
    path, endpoint = "/api/v1/disputes", _endpoint("/api/v1/disputes", "post")
    member = _caller(endpoint.capability)
    example = _example_of(path, "post")
    _reported_seller(member, example)
    client = client_for(member)

    first = client.post(path, example, format="json")
    again = client.post(path, example, format="json")

    assert (first.status_code, again.status_code) == (201, 409), again.content
    envelope = _assert_answer_declared(path, "post", again)
    assert envelope["error"]["code"] == "conflict" and envelope["error"]["fields"]["open_dispute"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path,setting",
    [
        ("/api/v1/checks", "HUB_QUOTA_CHECKS_PER_MINUTE"),
        ("/api/v1/checks/batch", "HUB_QUOTA_CHECKS_PER_MINUTE"),
        ("/api/v1/tokens/evaluate", "HUB_QUOTA_EVALUATIONS_PER_MINUTE"),
    ],
)
def test_over_quota_is_a_declared_429_with_retry_after(path, setting, settings):
    """Each quota'd operation's own example, sent until its quota is spent: a 429 in the declared envelope."""
    setattr(settings, setting, 1)
    endpoint = _endpoint(path, "post")
    example = _example_of(path, "post")
    member = _caller(endpoint.capability, example)
    client = client_for(member)

    answers = [client.post(path, example, format="json") for _ in range(2)]

    assert [a.status_code for a in answers] == [200, 429], answers[-1].content
    envelope = _assert_answer_declared(path, "post", answers[-1])
    assert envelope["error"]["code"] == "rate_limited"
    _assert_retry_after_declared(path, "post", answers[-1])


def test_every_operation_that_takes_a_quota_declares_429():
    """The match-revealing operations and the oblivious evaluation (its own quota) declare 429."""
    declared = {f"{m.upper()} {p}" for p, m in OPERATIONS if "429" in SCHEMA["paths"][p][m]["responses"]}
    assert {
        "POST /api/v1/checks",
        "POST /api/v1/checks/batch",
        "POST /api/v1/tokens/evaluate",
        "POST /api/v1/disputes",
        "POST /api/v1/watchlist",
        "POST /api/v1/bulk-checks",
        "POST /api/v1/disclosure-requests",
    } <= declared

"""Every API list is a HubListApi: paginated by HubPagination and audited once per page.

The walk finds every API view of hub.urls documented as answering a list (its GET's response is
`many=True`); each must subclass the list base. Every list base route is then driven by a member who
may read it: the answer is a page, and reading it writes exactly one audit row.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import UUIDConverter
from drf_spectacular.generators import SchemaGenerator

from accounts.api.lists import HubListApi
from accounts.audit.models import AuditEvent
from accounts.models import Member
from accounts.permissions import required_capabilities
from accounts.roles import ROLE_CAPABILITIES
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from tests.factories import client_for, persona, report_make, web_login


def _api_views(patterns=None) -> dict[str, tuple[type, list[str]]]:
    """Every named API route: its view class and its UUID parameters."""
    views: dict[str, tuple[type, list[str]]] = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace != "admin":
            views |= _api_views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and getattr(pattern.callback, "cls", None) is not None:
            ids = [n for n, c in pattern.pattern.converters.items() if isinstance(c, UUIDConverter)]
            views[pattern.name] = (pattern.callback.cls, ids)
    return views


def _documented_lists() -> set[str]:
    """The routes whose GET the OpenAPI schema documents as answering an array or a page of one."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})

    def resolved(body: dict) -> dict:
        ref = body.get("$ref", "")
        return components[ref.rsplit("/", 1)[-1]] if ref else body

    lists = set()
    for path, operations in schema["paths"].items():
        answer = operations.get("get", {}).get("responses", {}).get("200", {})
        body = resolved(answer.get("content", {}).get("application/json", {}).get("schema", {}))
        results = body.get("properties", {}).get("results", {})
        if body.get("type") == "array" or results.get("type") == "array":
            lists.add(resolve(re.sub(r"\{\w+\}", str(uuid.uuid4()), path)).url_name)
    return lists


def test_every_api_list_uses_the_list_base():
    lists = _documented_lists()
    based = {name for name, (view, _) in _api_views().items() if issubclass(view, HubListApi)}

    assert {"audit-events", "alerts", "api-keys", "organisations"} <= lists
    assert lists == based


def _reader_of(view_class: type) -> Member:
    wanted = set(required_capabilities(view_class(), "GET"))
    kind, role = next(
        (kind, role)
        for (kind, role), capabilities in sorted(ROLE_CAPABILITIES.items())
        if wanted & capabilities
    )
    return persona(kind, role)


def _webhook_of(member: Member) -> dict:
    created = client_for(member).post(
        "/api/v1/webhooks", {"url": "https://hooks.example.com/hub"}, format="json"
    )
    return {"endpoint_id": created.json()["id"]}


# How to name the object of a list that lives under one (route name → its path parameters).
PARENTS: dict[str, Callable[[Member], dict]] = {"webhook-deliveries": _webhook_of}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", sorted(n for n, (view, _) in _api_views().items() if issubclass(view, HubListApi))
)
def test_each_list_page_is_one_audit_row(name):
    view, ids = _api_views()[name]
    member = _reader_of(view)
    report_make(persona(*next(k for k in ROLE_CAPABILITIES if k[1] == "reporter")))
    client = client_for(member)
    path = reverse(name, kwargs=PARENTS[name](member) if ids else {})
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    page = client.get(path, {"limit": 1})

    assert page.status_code == 200, page.content
    assert {"count", "next", "previous", "results"} <= set(page.json())
    assert AuditEvent.objects.filter(pk__gt=before, actor_member=member).count() == 1


# Listing pages (session login): each GET renders one page of rows and writes one audit row.
LISTING_PAGES = {
    "audit-log": (K.AUDITOR, R.ANALYST),
    "audit-restricted": (K.AUDITOR, R.ANALYST),
    "audit-alerts": (K.AUDITOR, R.ANALYST),
    "disclosure-list": (K.COURT, R.ANALYST),
    "bulk-list": (K.PLATFORM, R.ANALYST),
    "outcomes-page": (K.RIGHTS_OWNER, R.REPORTER),
    "statistics-page": (K.RIGHTS_OWNER, R.REPORTER),
    "feed-subscriptions-page": (K.PLATFORM, R.ANALYST),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(LISTING_PAGES))
def test_each_listing_page_is_one_audit_row(name, client):
    member = persona(*LISTING_PAGES[name])
    web_login(client, member)
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    page = client.get(reverse(name))

    assert page.status_code == 200
    assert AuditEvent.objects.filter(pk__gt=before, actor_member=member).count() == 1

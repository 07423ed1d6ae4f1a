"""Web pages take GET, HEAD and POST; every other method is checked, then refused without running the page."""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, reverse

from accounts.audit.models import AuditEvent, Outcome
from accounts.roles import OrganisationKind, Role
from tests.factories import persona, web_login

pytestmark = pytest.mark.django_db

OTHER_METHODS = ("PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND")
_SAMPLE_ARGUMENT = {"uuid": uuid.uuid4, "int": lambda: 0, "string": lambda: "x"}


def _capability_pages() -> dict[str, str]:
    """Every page behind capability_required (the function views but the home page), with made-up
    arguments: nothing may run behind them."""
    from django.urls import URLResolver

    from hub.urls import urlpatterns

    def flat(patterns) -> list:
        # Included page maps (accounts/admission/urls.py) too; the staff admin has its own rules.
        return [
            p
            for q in patterns
            for p in (flat(q.url_patterns) if isinstance(q, URLResolver) and q.namespace != "admin" else [q])
        ]

    pages = {}
    for pattern in flat(urlpatterns):
        is_page = not hasattr(pattern.callback, "view_class") and not hasattr(pattern.callback, "cls")
        if isinstance(pattern, URLPattern) and is_page and pattern.name != "home":
            kwargs = {
                name: _SAMPLE_ARGUMENT[type(converter).__name__.removesuffix("Converter").lower()]()
                for name, converter in pattern.pattern.converters.items()
            }
            pages[pattern.name] = reverse(pattern.name, kwargs=kwargs)
    return pages


@pytest.mark.parametrize(
    "kind,role",
    [
        (OrganisationKind.AUDITOR, Role.ANALYST),
        (OrganisationKind.COURT, Role.ANALYST),
        (OrganisationKind.PLATFORM, Role.ANALYST),
    ],
    ids=["auditor", "court", "platform"],
)
def test_pages_refuse_methods_they_do_not_take_without_running(client, kind, role):
    member = persona(kind, role)
    web_login(client, member)
    signed_in = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    pages = _capability_pages()

    statuses = {
        f"{method} {name}": client.generic(method, url).status_code
        for name, url in pages.items()
        for method in OTHER_METHODS
    }

    assert {"audit-log", "disclosure-list", "bulk-list", "members-page", "api-keys-page"} <= set(pages)
    assert set(statuses.values()) <= {403, 405}, statuses
    # Nothing allowed after signing in (the sign-in and its second factor are audited themselves).
    assert not AuditEvent.objects.filter(
        actor_member=member, outcome=Outcome.ALLOWED, seq__gt=signed_in
    ).exists()
    may_read_the_log = kind == OrganisationKind.AUDITOR
    assert statuses["PROPFIND audit-log"] == (405 if may_read_the_log else 403)


@pytest.mark.parametrize("url", ["/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/", "/api/v1/keys"])
def test_the_public_api_pages_answer_options_and_unknown_methods_with_405_never_500(url):
    from rest_framework.test import APIClient

    client = APIClient(raise_request_exception=False)

    statuses = {method: client.generic(method, url).status_code for method in OTHER_METHODS + ("POST",)}

    assert set(statuses.values()) == {405}, statuses

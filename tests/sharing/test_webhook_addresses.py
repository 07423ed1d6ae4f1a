"""Webhooks go only to public addresses, checked on the address actually connected to (loopback receivers only).

Production mode refuses every spelling of an internal address at registration (400 on `url`) and,
for a URL stored before or a name that resolves inward, at delivery, before connecting. The
connection is pinned to the address checked, so a second DNS answer cannot redirect it. The
member's delivery log shows one generic error whatever went wrong on the network.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.actors import Actor
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.models import WatchEntry, WebhookEndpoint
from sharing.watchlists.services import outbound_http, webhooks
from sharing.watchlists.tasks import webhook_deliver_task
from tests.factories import client_for, persona
from tests.webhook_receiver import receiver  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

INTERNAL_SPELLINGS = [
    "127.1",
    "2130706433",
    "0x7f000001",
    "017700000001",
    "127.0.0.1.",
    "0",
    "localhost.",
    "localhost",
    "100.64.0.1",
    "192.0.0.8",
    "10.0.0.7",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[64:ff9b::7f00:1]",
    "[fe80::1]",
    "[fc00::1]",
    "224.0.0.1",
    "redis",
    "metadata.internal",
    "printer.local",
    "app.localhost",
]
PUBLIC = "93.184.215.14"


@pytest.fixture
def platform_admin(db):
    return persona(K.PLATFORM, R.ADMIN)


@pytest.fixture
def production(settings):
    settings.PRODUCTION = True
    settings.HUB_WEBHOOK_TIMEOUT_SECONDS = 1


def _resolver(monkeypatch, *answers: list[str]) -> list[str]:
    """Answer getaddrinfo from `answers`, one list per call (the last repeats); returns the names asked for."""
    asked: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        asked.append(host)
        addresses = answers[min(len(asked), len(answers)) - 1]
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    monkeypatch.setattr(outbound_http.socket, "getaddrinfo", getaddrinfo)
    return asked


def _connections(monkeypatch) -> list[tuple]:
    """Record where the hub connects, and refuse the connection (no packet leaves the machine)."""
    made: list[tuple] = []

    def create_connection(address, *args, **kwargs):
        made.append(address)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(outbound_http.socket, "create_connection", create_connection)
    return made


def _event_to(member, url: str):
    """An outbox row for an endpoint at `url`, stored as if registered before today's rule."""
    with override_settings(PRODUCTION=False):
        endpoint, _ = webhooks.webhook_register(url="http://127.0.0.1:9/hook", actor=Actor(member=member))
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=url)
    endpoint.refresh_from_db()
    # The seller is watched under an allowed purpose: delivery re-checks it.
    WatchEntry.objects.get_or_create(
        organisation=member.organisation,
        ref="s-1",
        defaults={
            "token": "1:watched",
            "identifier_type": "phone",
            "purpose": "seller_onboarding",
            "created_by": member,
        },
    )
    return webhooks.webhook_events_write(
        event_type="subject.linked", events=[(endpoint, {"watch_ref": "s-1"})], now=timezone.now()
    )[0]


@pytest.mark.parametrize("host", INTERNAL_SPELLINGS)
def test_production_registration_refuses_every_spelling_of_an_internal_host(platform_admin, production, host):
    response = client_for(platform_admin).post(
        "/api/v1/webhooks", {"url": f"https://{host}/hook"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"url": ["Webhook URLs must name a public host."]}
    assert not WebhookEndpoint.objects.exists()


def test_production_registration_accepts_a_public_host(platform_admin, production):
    for url in ("https://hooks.example.com/hub", f"https://{PUBLIC}/hub", "https://[2606:4700::1111]/hub"):
        response = client_for(platform_admin).post("/api/v1/webhooks", {"url": url}, format="json")

        assert response.status_code == 201, (url, response.content)


@pytest.mark.parametrize(
    "host", [h for h in INTERNAL_SPELLINGS if not h.startswith("[")] + ["[::1]", "[::ffff:127.0.0.1]"]
)
def test_production_delivery_never_reaches_an_internal_address_in_any_spelling(
    platform_admin, production, receiver, host
):
    row = _event_to(platform_admin, f"http://{host}:{receiver.server.server_port}/hook")

    status = webhook_deliver_task(row.pk)

    row.refresh_from_db()
    assert status == "pending" and receiver.requests == []
    assert row.last_error == "delivery_failed" and row.delivery_attempts.get().error in (
        "address_refused",
        "unresolvable",
    )


def test_a_name_that_resolves_to_loopback_is_refused_in_production(
    platform_admin, production, receiver, monkeypatch
):
    asked = _resolver(monkeypatch, ["127.0.0.1"])
    row = _event_to(platform_admin, f"https://hooks.example.com:{receiver.server.server_port}/hook")

    webhook_deliver_task(row.pk)

    assert asked == ["hooks.example.com"] and receiver.requests == []
    assert row.delivery_attempts.get().error == "address_refused"


def test_a_name_with_one_internal_address_among_public_ones_is_refused(
    platform_admin, production, monkeypatch
):
    _resolver(monkeypatch, [PUBLIC, "127.0.0.1"])
    connected = _connections(monkeypatch)
    row = _event_to(platform_admin, "https://hooks.example.com/hook")

    webhook_deliver_task(row.pk)

    assert connected == [] and row.delivery_attempts.get().error == "address_refused"


def test_the_connection_goes_to_the_address_checked_not_a_second_dns_answer(
    platform_admin, production, monkeypatch
):
    asked = _resolver(
        monkeypatch, [PUBLIC], ["127.0.0.1"]
    )  # a rebinding resolver: public first, loopback after
    connected = _connections(monkeypatch)
    row = _event_to(platform_admin, "https://hooks.example.com/hook")

    webhook_deliver_task(row.pk)

    assert asked == ["hooks.example.com"] and connected == [(PUBLIC, 443)]


def test_tls_checks_the_certificate_for_the_name_while_connecting_to_the_pinned_address(
    platform_admin, production, monkeypatch
):
    _resolver(monkeypatch, [PUBLIC])
    connected, server_names = [], []
    ours, theirs = socket.socketpair()

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        return ours

    def wrap_socket(context, sock, server_hostname=None, **kwargs):
        server_names.append((server_hostname, context.check_hostname, context.verify_mode))
        raise ssl.SSLCertVerificationError("certificate verify failed")

    monkeypatch.setattr(outbound_http.socket, "create_connection", create_connection)
    monkeypatch.setattr(ssl.SSLContext, "wrap_socket", wrap_socket)
    row = _event_to(platform_admin, "https://hooks.example.com/hook")

    webhook_deliver_task(row.pk)

    theirs.close()
    ours.close()
    assert connected == [(PUBLIC, 443)]
    assert server_names == [("hooks.example.com", True, ssl.CERT_REQUIRED)]
    assert row.delivery_attempts.get().error == "SSLCertVerificationError"


def test_the_host_header_names_the_host_while_the_connection_is_pinned(platform_admin, receiver, monkeypatch):
    asked = _resolver(monkeypatch, ["127.0.0.1"])  # embedded mode: loopback receivers stay allowed
    port = receiver.server.server_port
    row = _event_to(platform_admin, f"http://hooks.localhost:{port}/hook?x=1")

    status = webhook_deliver_task(row.pk)

    # The second lookup is create_connection reading the pinned numeric address: no DNS.
    assert status == "delivered" and asked == ["hooks.localhost", "127.0.0.1"]
    assert receiver.requests[0]["headers"]["Host"] == f"hooks.localhost:{port}"
    assert receiver.requests[0]["path"] == "/hook?x=1"


def _closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def _log_of(member, row) -> dict:
    entries = (
        client_for(member).get(f"/api/v1/webhooks/{row.endpoint.public_id}/deliveries").json()["results"]
    )
    return {key: entries[0][key] for key in ("status", "attempts", "last_status_code", "last_error")}


@pytest.mark.parametrize("mode", ["embedded", "production"])
def test_the_delivery_log_reads_the_same_for_an_open_and_a_closed_port(
    platform_admin, receiver, settings, mode
):
    settings.HUB_WEBHOOK_TIMEOUT_SECONDS = 1
    receiver.script = ["close"]  # open: accepts, then hangs up without answering
    open_row = _event_to(platform_admin, f"http://127.0.0.1:{receiver.server.server_port}/hook")
    closed_row = _event_to(platform_admin, f"http://127.0.0.1:{_closed_port()}/hook")
    settings.PRODUCTION = mode == "production"

    webhook_deliver_task(open_row.pk)
    webhook_deliver_task(closed_row.pk)

    expected = {"status": "pending", "attempts": 1, "last_status_code": None, "last_error": "delivery_failed"}
    assert _log_of(platform_admin, open_row) == _log_of(platform_admin, closed_row) == expected
    assert len(receiver.requests) == (1 if mode == "embedded" else 0)


@pytest.mark.parametrize(
    "address,production,allowed",
    [
        ("8.8.8.8", True, True),
        ("2606:4700::1111", True, True),
        ("127.0.0.1", True, False),
        ("127.0.0.1", False, True),
        ("::1", False, True),
        ("10.1.2.3", False, False),
        ("100.64.0.1", True, False),
        ("192.0.0.8", True, False),
        ("0.0.0.0", True, False),
        ("255.255.255.255", True, False),
        ("::ffff:10.0.0.1", True, False),
        ("::ffff:8.8.8.8", True, False),
        ("2002:7f00:1::", True, False),
        ("64:ff9b::a00:1", True, False),
        ("239.1.2.3", True, False),
        ("198.18.0.1", True, False),
        ("192.0.2.1", True, False),
    ],
)
def test_only_public_addresses_are_allowed_and_loopback_outside_production(
    settings, address, production, allowed
):
    settings.PRODUCTION = production

    assert outbound_http.address_allowed(ipaddress.ip_address(address)) is allowed

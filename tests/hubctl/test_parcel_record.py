"""`hubctl parcel record`: a courier records a parcel event against the live hub, tokens only."""

from __future__ import annotations

import json

import pytest

from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from hubctl.cli import main
from hubctl.client import HubClient
from sharing.models import ParcelEvent
from tests.factories import key_for, persona

SENDER, WAYBILL = "sf:gang01", "sf:SF1234567890123"


@pytest.fixture
def sent(monkeypatch) -> list[str]:
    """The body of every request hubctl sends, then really sent."""
    bodies: list[str] = []
    real_send = HubClient._send

    def spy(self, method, path, body):
        bodies.append(self._build_request(method, path, body).content.decode("utf-8"))
        return real_send(self, method, path, body)

    monkeypatch.setattr(HubClient, "_send", spy)
    return bodies


def _record(capsys, url: str, key: str, *argv: str) -> tuple[int, str, str]:
    status = main(["--hub", url, "--api-key", key, "parcel", "record", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.django_db(transaction=True)
def test_a_courier_records_a_parcel_event_by_tokens_only(live_server, sent, capsys):
    key = key_for(persona(K.LOGISTICS, R.ANALYST))
    argv = ["--kind", "seized", "--occurred-at", "2026-11-30T09:15:00+08:00", "--origin", "cn-gd"]

    status, out, err = _record(
        capsys,
        live_server.url,
        key,
        *argv,
        "--category",
        "counterfeit",
        f"courier_sender_account={SENDER}",
        f"waybill={WAYBILL}",
        "--json",
    )

    assert status == 0, err
    event = json.loads(out)
    assert event["kind"] == "seized" and event["origin_region"] == "CN-GD"
    assert event["identifier_types"] == ["courier_sender_account", "waybill"]
    assert ParcelEvent.objects.get().tokens.count() == 2
    for body in sent:
        assert SENDER not in body and "SF1234567890123" not in body.upper() and '"value"' not in body


@pytest.mark.django_db(transaction=True)
def test_a_waybill_alone_is_refused_by_the_hub_naming_the_field(live_server, capsys):
    key = key_for(persona(K.LOGISTICS, R.ANALYST))

    status, _, err = _record(
        capsys,
        live_server.url,
        key,
        "--kind",
        "refused",
        "--occurred-at",
        "2026-11-30T09:15:00Z",
        "--origin",
        "CN",
        "--category",
        "counterfeit",
        f"waybill={WAYBILL}",
    )

    assert status == 1 and "identifiers" in err
    assert not ParcelEvent.objects.exists()


def test_a_malformed_origin_or_report_id_is_bad_usage_before_any_request(monkeypatch, capsys):
    monkeypatch.setattr(HubClient, "_send", lambda *a: pytest.fail("no request expected"))
    monkeypatch.setenv("HUB_API_KEY", "test-key")
    base = [
        "parcel",
        "record",
        "--kind",
        "seized",
        "--occurred-at",
        "2026-11-30T09:15:00Z",
        "--category",
        "other",
    ]

    with pytest.raises(SystemExit) as bad_origin:
        main([*base, "--origin", "Guangdong", f"courier_sender_account={SENDER}"])
    bad_report = main([*base, "--origin", "CN", "--report-id", "nope", f"courier_sender_account={SENDER}"])

    assert bad_origin.value.code == 2
    assert bad_report == 2 and "UUID" in capsys.readouterr().err

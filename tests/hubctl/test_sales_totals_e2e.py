"""Issue 17's "Done when", end to end through hubctl against the live hub: a brand asks for the sales
totals of a seller matched on four platforms; three submit figures encrypted by hubctl under the
brand's Paillier key, one declines; the sum is released only at the deadline and only after the third
contribution; the brand decrypts exactly the true sum and verifies the hub's signed statement; no
member's figure can be recovered from anything the hub stored or served; with two contributors the
request is refused at the deadline."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from hubcore import paillier
from hubctl.cli import main

PERIOD = ("2025-01-01", "2025-12-31")
# Distinctive figures (gross in cents, orders, units), so that a leak would be found by searching.
FIGURES = [
    {"gross_minor": 731_904_517, "orders": 8_317, "units": 12_911},
    {"gross_minor": 402_118_233, "orders": 5_203, "units": 7_449},
    {"gross_minor": 96_457_761, "orders": 1_187, "units": 2_053},
]
ACCOUNTS = [3, 5, 2]


@dataclass(frozen=True)
class Run:
    status: int
    out: str
    err: str

    def json(self):
        assert self.status == 0, self.err
        return json.loads(self.out)


def hubctl(capsys, url: str, key: str | None, *argv: str) -> Run:
    auth = ["--api-key", key] if key else []
    status = main(["--hub", url, *auth, *argv])
    captured = capsys.readouterr()
    return Run(status, captured.out, captured.err)


@pytest.fixture(scope="module")
def brand_key(tmp_path_factory) -> tuple[Path, paillier.paillier.PaillierPrivateKey]:
    """One 3072-bit key pair for the module (keygen is the slow part), written as hubctl writes it."""
    _, private_key = paillier.keypair_generate()
    path = tmp_path_factory.mktemp("brand") / "sales.key"
    path.write_bytes(paillier.private_key_dump(private_key))
    return path, private_key


@dataclass(frozen=True)
class World:
    url: str
    brand_key: str
    platform_keys: list[str]
    subject: str


def _world(live_server, seller: list[dict], platforms: int = 4) -> World:
    """A brand with an accepted report on the seller, and `platforms` platforms whose checks matched it."""
    from accounts.roles import OrganisationKind as K
    from accounts.roles import Role as R
    from tests.factories import client_for, key_for, persona, report_make_accepted

    brand = persona(K.RIGHTS_OWNER, R.REPORTER, country="FR")
    report_make_accepted(brand, persona(K.OPERATOR, R.REVIEWER, country="GB"), seller)
    analysts = [persona(K.PLATFORM, R.ANALYST) for _ in range(platforms)]
    for analyst in analysts:
        answer = client_for(analyst).post(
            "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": seller}, format="json"
        )
        assert answer.status_code == 200 and answer.json()["level"] != "none", answer.content
    outcomes = client_for(brand).get("/api/v1/outcomes").json()["results"]
    return World(
        url=live_server.url,
        brand_key=key_for(brand),
        platform_keys=[key_for(a) for a in analysts],
        subject=outcomes[0]["subject_id"],
    )


def _requested(capsys, world: World, key_file: Path) -> dict:
    return hubctl(
        capsys,
        world.url,
        world.brand_key,
        "sales-totals",
        "request",
        "--key",
        str(key_file),
        "--subject",
        world.subject,
        "--from",
        PERIOD[0],
        "--to",
        PERIOD[1],
        "--currency",
        "EUR",
        "--json",
    ).json()


def _task_of(capsys, world: World, platform_key: str) -> str:
    (task,) = hubctl(capsys, world.url, platform_key, "sales-totals", "tasks", "--json").json()
    assert task["status"] == "pending" and task["currency"] == "EUR"
    return task["id"]


def _submit(capsys, world: World, platform_key: str, figures: dict, accounts: int) -> Run:
    return hubctl(
        capsys,
        world.url,
        platform_key,
        "sales-totals",
        "submit",
        _task_of(capsys, world, platform_key),
        "--gross-minor",
        str(figures["gross_minor"]),
        "--orders",
        str(figures["orders"]),
        "--units",
        str(figures["units"]),
        "--accounts",
        str(accounts),
        "--json",
    )


def _deadline_reached(request_id: str) -> int:
    """The fixed deadline comes (moved into the past), and the periodic task runs."""
    from django.utils import timezone

    from sharing.models import SalesTotalsRequest
    from sharing.sales_totals.tasks import sales_totals_close_task

    SalesTotalsRequest.objects.filter(public_id=request_id).update(
        deadline=timezone.now() - timedelta(seconds=1)
    )
    return sales_totals_close_task()


def _close_now() -> int:
    from sharing.sales_totals.tasks import sales_totals_close_task

    return sales_totals_close_task()


def _database_dump() -> str:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("dumpdata", "sharing", "accounts", stdout=out)
    return out.getvalue()


@pytest.fixture
def encrypted(monkeypatch) -> list[dict]:
    """Every set of ciphertexts hubctl made (a spy: the real encryption runs)."""
    made: list[dict] = []
    real = paillier.figures_encrypt

    def spy(n, figures):
        result = real(n, figures)
        made.append(result)
        return result

    monkeypatch.setattr(paillier, "figures_encrypt", spy)
    return made


@pytest.mark.django_db(transaction=True)
def test_three_platforms_contribute_one_declines_and_the_brand_decrypts_exactly_the_sum(
    live_server, eager_celery, capsys, brand_key, encrypted
):
    from hub.keys import signing_key
    from hubcore.packages import raw_public
    from sharing.models import SalesTotalsRequest, SalesTotalsTask
    from tests.factories import seller_identifiers

    key_file, private_key = brand_key
    world = _world(live_server, seller_identifiers(41))
    request = _requested(capsys, world, key_file)
    served = [json.dumps(request)]

    for platform_key, figures, accounts in zip(
        world.platform_keys[:2], FIGURES[:2], ACCOUNTS[:2], strict=True
    ):
        served.append(_submit(capsys, world, platform_key, figures, accounts).out)
    declined = hubctl(
        capsys,
        world.url,
        world.platform_keys[3],
        "sales-totals",
        "decline",
        _task_of(capsys, world, world.platform_keys[3]),
        "--reason",
        "The matched accounts were closed before the period.",
        "--json",
    ).json()
    assert declined["status"] == "declined"

    # Two contributions: nothing is released, neither before the deadline nor by asking.
    assert _close_now() == 0
    early = hubctl(
        capsys, world.url, world.brand_key, "sales-totals", "fetch", request["id"], "--json"
    ).json()
    assert (early["status"], early["aggregate"], early["statement"]) == ("open", None, "")
    not_yet = hubctl(
        capsys, world.url, world.brand_key, "sales-totals", "decrypt", request["id"], "--key", str(key_file)
    )
    assert not_yet.status != 0 and "nothing has been released" in not_yet.err

    served.append(_submit(capsys, world, world.platform_keys[2], FIGURES[2], ACCOUNTS[2]).out)
    # The third is in, but the deadline is fixed: still nothing until it comes.
    assert _close_now() == 0
    assert SalesTotalsRequest.objects.get(public_id=request["id"]).status == "open"
    assert _deadline_reached(request["id"]) == 1

    hub_key = raw_public(signing_key().public_key()).hex()
    result = hubctl(
        capsys,
        world.url,
        world.brand_key,
        "sales-totals",
        "decrypt",
        request["id"],
        "--key",
        str(key_file),
        "--hub-key",
        hub_key,
        "--json",
    ).json()
    truth = {name: sum(f[name] for f in FIGURES) for name in paillier.FIGURES}
    assert result["totals"] == truth
    assert sorted(c["accounts"] for c in result["contributors"]) == sorted(ACCOUNTS)
    assert result["k"] == 3 and result["period"] == {"start": PERIOD[0], "end": PERIOD[1]}
    fetched = hubctl(capsys, world.url, world.brand_key, "sales-totals", "fetch", request["id"], "--json")
    served.append(fetched.out)
    for platform_key in world.platform_keys:
        served.append(hubctl(capsys, world.url, platform_key, "sales-totals", "tasks", "--json").out)

    # The members' ciphertexts are gone from the database, and nothing stored or served holds one of
    # them or decrypts to one member's figure: every large number found decrypts to a sum or is no
    # ciphertext under the brand's key at all.
    assert len(encrypted) == 3
    assert set(SalesTotalsTask.objects.values_list("ciphertexts", flat=True)) == {None}
    everything = _database_dump() + "".join(served)
    member_ciphertexts = {c for made in encrypted for c in made.values()}
    assert not any(c in everything for c in member_ciphertexts)
    n = private_key.public_key.n
    individual = {f[name] for f in FIGURES for name in paillier.FIGURES}
    for number in set(re.findall(r"\d{300,}", everything)):
        value = int(number)
        if 0 < value < n * n and value != n:
            decrypted = private_key.raw_decrypt(value)
            assert decrypted not in individual, "a member's figure is recoverable"
    # As a number of its own: a 5-digit figure turns up inside some 900-digit ciphertext by chance.
    assert not any(
        re.search(rf"(?<!\d){figure}(?!\d)", everything) for figure in individual if figure > 10_000
    )


@pytest.mark.django_db(transaction=True)
def test_with_two_contributors_the_request_is_refused_at_the_deadline(
    live_server, eager_celery, capsys, brand_key
):
    from sharing.models import SalesTotalsTask
    from tests.factories import seller_identifiers

    key_file, _ = brand_key
    world = _world(live_server, seller_identifiers(42), platforms=3)
    request = _requested(capsys, world, key_file)
    for platform_key, figures, accounts in zip(
        world.platform_keys[:2], FIGURES[:2], ACCOUNTS[:2], strict=True
    ):
        assert _submit(capsys, world, platform_key, figures, accounts).status == 0

    assert _deadline_reached(request["id"]) == 1

    refused = hubctl(
        capsys, world.url, world.brand_key, "sales-totals", "fetch", request["id"], "--json"
    ).json()
    assert refused["status"] == "refused" and refused["aggregate"] is None and refused["statement"] == ""
    assert "Fewer than 3 members" in refused["refusal_reason"]
    assert set(SalesTotalsTask.objects.values_list("ciphertexts", flat=True)) == {None}
    late = _submit(capsys, world, world.platform_keys[2], FIGURES[2], ACCOUNTS[2])
    assert late.status == 1 and "deadline" in late.err
    decrypt = hubctl(
        capsys, world.url, world.brand_key, "sales-totals", "decrypt", request["id"], "--key", str(key_file)
    )
    assert decrypt.status != 0


@pytest.mark.django_db(transaction=True)
def test_a_tampered_statement_does_not_verify(live_server, eager_celery, capsys, brand_key):
    from hub.keys import signing_key
    from hubcore.packages import raw_public
    from sharing.models import SalesTotalsRequest
    from tests.factories import seller_identifiers

    key_file, _ = brand_key
    world = _world(live_server, seller_identifiers(43), platforms=3)
    request = _requested(capsys, world, key_file)
    for platform_key, figures, accounts in zip(world.platform_keys, FIGURES, ACCOUNTS, strict=True):
        assert _submit(capsys, world, platform_key, figures, accounts).status == 0
    _deadline_reached(request["id"])
    stored = SalesTotalsRequest.objects.get(public_id=request["id"])
    SalesTotalsRequest.objects.filter(pk=stored.pk).update(
        statement=stored.statement.replace('"k":3', '"k":4')
    )

    run = hubctl(
        capsys,
        world.url,
        world.brand_key,
        "sales-totals",
        "decrypt",
        request["id"],
        "--key",
        str(key_file),
        "--hub-key",
        raw_public(signing_key().public_key()).hex(),
    )

    assert run.status == 1 and "does not verify" in run.err


def test_keygen_writes_a_private_key_and_refuses_short_keys(tmp_path, capsys):
    short = main(["sales-totals", "keygen", "--out", str(tmp_path / "short.key"), "--bits", "2048"])
    assert short == 2 and not (tmp_path / "short.key").exists()
    capsys.readouterr()

    made = main(["sales-totals", "keygen", "--out", str(tmp_path / "sales.key")])
    printed = capsys.readouterr().out

    key = paillier.private_key_load((tmp_path / "sales.key").read_bytes())
    assert made == 0 and key.public_key.n.bit_length() >= paillier.MIN_KEY_BITS
    assert f"public key n: {key.public_key.n}" in printed
    assert (tmp_path / "sales.key").stat().st_mode & 0o077 == 0
    assert main(["sales-totals", "keygen", "--out", str(tmp_path / "sales.key")]) == 2

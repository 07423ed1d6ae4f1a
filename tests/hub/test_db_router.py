"""The replica router and its read scope, without a replica: everything reads and writes the primary;
and the scope's choice of alias, with the replica's measured state stood in for."""

from __future__ import annotations

from collections import deque

import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection
from django.test import RequestFactory

from hub import replica_reads as reads
from hub.db_router import ReplicaRouter
from sharing.models import IdentifierToken
from tests.factories import report_make_accepted

FAKE = "replica_stand_in"  # an alias no query ever reaches: the tests only ask where queries would go


@pytest.fixture(autouse=True)
def fresh_state():
    reads.replica_state_reset()
    yield
    reads.replica_state_reset()


@pytest.fixture
def measured(settings, monkeypatch):
    """A replica configured under FAKE, whose probe reports what the test sets."""
    settings.HUB_REPLICA_ALIAS = FAKE
    measure = {"healthy": True, "replayed": 100, "now": 100}

    def probe(alias, now):
        state = reads.replica_state()
        state.probed_at = now
        state.healthy, state.replayed = measure["healthy"], measure["replayed"]

    monkeypatch.setattr(reads, "_probe", probe)
    monkeypatch.setattr(reads, "_replayed_now", lambda alias: measure["now"])
    return measure


def test_without_a_replica_a_scope_reads_the_primary(platform_analyst):
    with reads.replica_reads(platform_analyst.organisation_id) as alias:
        assert alias == DEFAULT_DB_ALIAS
        assert IdentifierToken.objects.all().db == DEFAULT_DB_ALIAS
        assert ReplicaRouter().db_for_read(IdentifierToken) == DEFAULT_DB_ALIAS
    assert reads.read_alias() is None


def test_a_check_through_the_scope_answers_as_before(api, brand_reporter, reviewer, platform_analyst):
    phone = {"type": "phone", "value": "+86 138 0013 8000"}
    report_make_accepted(brand_reporter, reviewer, [phone])

    response = api(platform_analyst).post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": [phone]}, format="json"
    )

    assert response.status_code == 200 and response.json()["level"] == "reported"


def test_reads_go_to_the_scope_alias_and_writes_never(measured, db):
    with reads.replica_reads(None) as alias:
        tokens = IdentifierToken.objects.filter(token="x")
        assert alias == FAKE and tokens.db == FAKE
        # Django routes these as writes: a read that locks or creates stays on the primary.
        assert tokens.select_for_update().db == DEFAULT_DB_ALIAS
        assert ReplicaRouter().db_for_write(IdentifierToken) == DEFAULT_DB_ALIAS
    assert IdentifierToken.objects.filter(token="x").db == DEFAULT_DB_ALIAS


def test_a_row_read_in_the_scope_is_followed_on_the_primary_after_it(measured, db):
    row = IdentifierToken(token="x", identifier_type="phone")
    row._state.db = FAKE
    assert ReplicaRouter().db_for_read(IdentifierToken, instance=row) == DEFAULT_DB_ALIAS
    with reads.replica_reads(None):
        assert ReplicaRouter().db_for_read(IdentifierToken, instance=row) == FAKE


def test_only_the_primary_is_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "sharing") and not router.allow_migrate(FAKE, "sharing")


def test_a_replica_that_is_down_or_lagging_is_not_read(measured, db):
    measured["healthy"] = False
    assert reads.replica_alias_for(None) == DEFAULT_DB_ALIAS


def test_an_organisation_reads_its_own_writes_from_the_primary_until_the_replica_replayed_them(measured, db):
    cache.set(reads._written_key(7), 150)  # its last write: WAL position 150; the replica replayed 100
    measured["now"] = 120

    assert reads.replica_alias_for(7) == DEFAULT_DB_ALIAS
    assert reads.replica_alias_for(8) == FAKE  # another organisation wrote nothing: the replica will do

    measured["now"] = 150
    assert reads.replica_alias_for(7) == FAKE
    assert reads.replica_state().replayed == 150  # so the next scope needs no statement


def test_a_replica_that_cannot_say_how_far_it_replayed_is_not_read_for_a_writer(measured, db):
    cache.set(reads._written_key(7), 150)
    measured["now"] = None
    assert reads.replica_alias_for(7) == DEFAULT_DB_ALIAS


def test_the_lag_lies_between_the_ages_of_the_newest_position_replayed_and_the_next():
    samples = deque([(10.0, 100), (11.0, 200), (12.0, 300)])

    assert reads.lag_bounds(samples, 300, now=12.5) == (0.0, 0.5)
    assert reads.lag_bounds(samples, 250, now=12.5) == (0.5, 1.5)
    assert reads.lag_bounds(samples, 50, now=12.5) == (2.5, float("inf"))  # none replayed
    assert reads.lag_bounds(deque(), 0, now=1.0) == (0.0, float("inf"))


def test_after_an_idle_spell_the_lag_is_unknown_not_the_idle_time():
    # The last sample before 100 s of idle, and this probe's: the replica passed the first, not yet this one.
    samples = deque([(0.0, 100), (100.0, 200)])
    at_least, at_most = reads.lag_bounds(samples, 150, now=100.0)

    assert reads.lag_verdict(at_least, at_most, max_lag=5) is None  # not "lags 100 s"
    # One more look a moment later, once it replayed this probe's position: fresh.
    assert reads.lag_verdict(*reads.lag_bounds(samples, 200, now=100.01), max_lag=5) is True
    # A replica that replayed nothing of the last 100 s is too far behind, idle or not.
    assert reads.lag_verdict(*reads.lag_bounds(samples, 50, now=100.0), max_lag=5) is False


def test_a_replica_that_cannot_be_reached_is_probed_less_and_less_often():
    delays = [reads.probe_delay(1.0, failures) for failures in range(8)]

    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
    assert reads.probe_delay(1.0, 10_000) == reads.PROBE_BACKOFF_MAX_SECONDS
    assert reads.probe_delay(60.0, 3) == 60.0  # never more often than configured


def test_wal_positions_compare_as_numbers():
    assert reads.lsn_number("16/B374D848") == (0x16 << 32) | 0xB374D848
    assert reads.lsn_number("0/10") < reads.lsn_number("1/0")


def _middleware_run(
    method: str, member, *, status: int = 200, scoped: bool = False, reads_only: bool = False
):
    request = getattr(RequestFactory(), method.lower())("/anything")
    request.user = member.user

    def view(request):
        if scoped:
            with reads.replica_reads(member.organisation_id):
                pass
        if reads_only:
            reads.request_reads_only()
        from django.http import HttpResponse

        return HttpResponse(status=status)

    return reads.ReadYourWritesMiddleware(view)(request)


def test_a_members_write_request_is_remembered_for_its_organisation(measured, platform_analyst, monkeypatch):
    remembered = []
    monkeypatch.setattr(reads, "writes_remembered", remembered.append)

    _middleware_run("POST", platform_analyst)
    _middleware_run("GET", platform_analyst)
    _middleware_run("POST", platform_analyst, status=400)  # nothing committed
    _middleware_run("POST", platform_analyst, reads_only=True)  # a check: its writes are its audit and quota
    # Reading in a scope says nothing of what else the request wrote: only the route's own word does.
    _middleware_run("POST", platform_analyst, scoped=True)

    assert remembered == [platform_analyst.organisation_id] * 2


def _blinded_element() -> str:
    from hubcore.oprf import blind

    return blind(b"phone\x00+8613800138000")[1].hex()


SELLER = [{"type": "phone", "value": "+86 138 0013 8000"}]


@pytest.mark.parametrize(
    "path, payload",
    [
        ("/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": SELLER}),
        ("/api/v1/checks/batch", {"purpose": "seller_onboarding", "sellers": [{"identifiers": SELLER}]}),
        ("/api/v1/tokens/evaluate", {"blinded_elements": [_blinded_element()]}),
    ],
)
def test_a_reading_route_marks_no_write(measured, api, platform_analyst, monkeypatch, path, payload):
    measured["healthy"] = False  # the scopes read the primary: FAKE is only a name
    remembered = []
    monkeypatch.setattr(reads, "writes_remembered", remembered.append)

    response = api(platform_analyst).post(path, payload, format="json")

    assert response.status_code == 200, response.content
    assert remembered == []


def test_without_a_replica_the_middleware_remembers_nothing(platform_analyst, monkeypatch):
    remembered = []
    monkeypatch.setattr(reads, "writes_remembered", remembered.append)
    _middleware_run("POST", platform_analyst)
    assert remembered == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="WAL positions are PostgreSQL's")
def test_on_postgresql_a_write_remembers_the_primarys_wal_position(settings, platform_analyst):
    reads.writes_remembered(platform_analyst.organisation_id)
    assert cache.get(reads._written_key(platform_analyst.organisation_id)) > 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="WAL positions are PostgreSQL's")
def test_on_postgresql_a_primary_named_as_replica_is_refused(settings, db):
    settings.HUB_REPLICA_ALIAS = DEFAULT_DB_ALIAS  # not in recovery: the probe says it is no replica
    assert reads.replica_alias_for(None) == DEFAULT_DB_ALIAS
    assert not reads.replica_state().healthy


@pytest.mark.parametrize(
    "backend, refused",
    [
        ("django.core.cache.backends.locmem.LocMemCache", True),
        ("django.core.cache.backends.dummy.DummyCache", True),
        ("django.core.cache.backends.redis.RedisCache", False),
    ],
)
def test_a_replica_needs_a_cache_every_process_shares(settings, backend, refused):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    from accounts.checks import replica_cache_shared

    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "redis://127.0.0.1:6379/1"}}
    assert replica_cache_shared() == []  # no replica: a process's own cache is enough
    settings.HUB_REPLICA_ALIAS = FAKE

    assert [error.id for error in replica_cache_shared()] == (["hub.E002"] if refused else [])
    if refused:
        with pytest.raises(SystemCheckError, match="hub.E002"):
            call_command("check")

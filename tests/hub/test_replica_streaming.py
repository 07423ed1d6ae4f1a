"""Checks through a real streaming replica (scripts/replica): what the primary accepted reaches a
check on the replica within the lag bound, a member reads its own writes at once, and a replica
that stops replaying is refused once it lags past HUB_REPLICA_MAX_LAG_SECONDS.

Needs DATABASE_REPLICA_URL (a hot standby of the PostgreSQL in DATABASE_URL); skipped without
one, and never under CI=true (.ci/run starts the replica). Transactional: a row reaches the
replica only once the primary commits it.
"""

from __future__ import annotations

import os
import time

import dj_database_url
import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

from accounts.roles import OrganisationKind, Role
from hub import replica_reads as reads
from sharing.models import Report, ReportStatus
from tests.factories import persona, report_make_accepted, seller_identifiers

if not os.environ.get("DATABASE_REPLICA_URL"):
    if os.environ.get("CI") == "true":
        raise RuntimeError(
            "CI must run the replica tests: .ci/run starts scripts/replica and sets DATABASE_REPLICA_URL"
        )
    pytest.skip(
        "needs a streaming replica: scripts/replica, then DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/x",
        allow_module_level=True,
    )

pytestmark = [pytest.mark.replica, pytest.mark.django_db(transaction=True, databases=["default", "replica"])]

# The bound this test asserts on the time from a primary's commit to a check on the replica seeing
# it (docs/scaling.md): streaming replay on one machine takes milliseconds; the bound leaves room
# for a loaded, shared machine.
LAG_BOUND_SECONDS = 5.0


@pytest.fixture
def replica(settings):
    """The replica alias pointed at the replica's copy of this run's test database."""
    parsed = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"])
    handler = connections["replica"]
    handler.close()
    mirrored = handler.settings_dict
    handler.settings_dict = {
        **connections[DEFAULT_DB_ALIAS].settings_dict,
        **{key: parsed[key] for key in ("HOST", "PORT", "USER", "PASSWORD")},
    }
    settings.HUB_REPLICA_ALIAS = "replica"
    settings.HUB_REPLICA_PROBE_MILLISECONDS = 100
    reads.replica_state_reset()
    with handler.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0], "DATABASE_REPLICA_URL names a server that is not a standby"
    pointed = handler.settings_dict
    yield handler
    handler.close()
    handler.settings_dict = pointed  # a test may have pointed it elsewhere
    with handler.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    handler.close()
    handler.settings_dict = mirrored
    reads.replica_state_reset()


def _check(api, member, identifiers):
    response = api(member).post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": identifiers}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _on_the_replica(replica, api, member, identifiers):
    """A check, and whether its token lookup ran on the replica."""
    with CaptureQueriesContext(replica) as queries:
        result = _check(api, member, identifiers)
    return result, any("sharing_identifiertoken" in query["sql"] for query in queries.captured_queries)


def test_an_accepted_report_reaches_a_check_on_the_replica_within_the_bound(
    replica, api, brand_reporter, reviewer, platform_analyst
):
    seller = seller_identifiers(70)
    report = report_make_accepted(brand_reporter, reviewer, seller)
    accepted_at = time.monotonic()

    # The replication lag itself: until the accepted report can be read on the replica.
    accepted_on_replica = Report.objects.using("replica").filter(pk=report.pk, status=ReportStatus.ACCEPTED)
    while not accepted_on_replica.exists() and time.monotonic() - accepted_at < LAG_BOUND_SECONDS:
        time.sleep(0.002)
    lag = time.monotonic() - accepted_at
    # Then a check through the scope: answered from the replica, with the report.
    result, on_replica = _on_the_replica(replica, api, platform_analyst, seller)
    answered = time.monotonic() - accepted_at

    print(
        f"replica: accepted report readable on the replica after {lag * 1000:.0f} ms, in a check's answer after {answered * 1000:.0f} ms"
    )
    assert lag < LAG_BOUND_SECONDS
    assert result["level"] == "reported" and on_replica


def test_a_member_reads_its_own_write_at_once_and_a_stalled_replica_is_refused_past_the_bound(
    replica, api, settings, brand_reporter, reviewer
):
    settings.HUB_REPLICA_MAX_LAG_SECONDS = 1
    seller = seller_identifiers(71)
    report_make_accepted(brand_reporter, reviewer, seller)
    writer = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    other = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    deadline = time.monotonic() + LAG_BOUND_SECONDS
    while _on_the_replica(replica, api, other, seller)[0]["level"] == "none" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _check(api, writer, seller)["recommended_action"] == "review"  # one strike of three

    # The replica stops replaying: from now on it holds the state of this moment.
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    strict = api(writer).put(
        "/api/v1/organisation/policy", {"strikes": 1, "window_months": 24}, format="json"
    )
    assert strict.status_code == 200

    # The writer's policy is read on the primary (its write is not on the replica): at once.
    mine, mine_on_replica = _on_the_replica(replica, api, writer, seller)
    # Another member, within the bound, still reads the replica (the policy is not its own anyway).
    theirs, theirs_on_replica = _on_the_replica(replica, api, other, seller)
    assert (mine["recommended_action"], mine_on_replica) == ("block", False)
    assert (theirs["recommended_action"], theirs_on_replica) == ("review", True)

    # Past the bound the stalled replica is refused for everyone.
    time.sleep(settings.HUB_REPLICA_MAX_LAG_SECONDS + 0.3)
    stalled, stalled_on_replica = _on_the_replica(replica, api, other, seller)
    assert stalled["level"] == "reported" and not stalled_on_replica
    assert reads.replica_state().lag_seconds > settings.HUB_REPLICA_MAX_LAG_SECONDS

    # Replaying again, it is read again once caught up.
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    deadline = time.monotonic() + LAG_BOUND_SECONDS
    while not _on_the_replica(replica, api, other, seller)[1] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _on_the_replica(replica, api, other, seller)[1]


def test_a_replica_that_is_down_is_not_read_and_checks_still_answer(
    replica, api, brand_reporter, reviewer, platform_analyst
):
    seller = seller_identifiers(72)
    report_make_accepted(brand_reporter, reviewer, seller)
    replica.close()
    replica.settings_dict = {**replica.settings_dict, "PORT": 9}  # the discard port: refused at once
    reads.replica_state_reset()

    # Unreachable, so an answer at all means it was read on the primary.
    assert _check(api, platform_analyst, seller)["level"] == "reported"
    state = reads.replica_state()
    assert not state.healthy
    # And it is probed again only after twice the interval, then four times...: not at every check.
    assert state.failures == 1 and state.next_probe_at - state.probed_at == pytest.approx(0.2)


def test_a_bulk_chunk_is_joined_on_the_replica_as_on_the_primary(replica, brand_reporter, reviewer):
    from sharing.bulk.services.bulk_sql import chunk_lookup
    from sharing.models import IdentifierToken

    report = report_make_accepted(brand_reporter, reviewer, seller_identifiers(73))
    forms = [
        (index, row.token, row.identifier_type)
        for index, row in enumerate(IdentifierToken.objects.filter(report_links__report=report))
    ]
    forms.append((len(forms), forms[0][1], "observed_phone"))  # the same token under another type: no match
    deadline = time.monotonic() + LAG_BOUND_SECONDS
    while not Report.objects.using("replica").filter(pk=report.pk).exists() and time.monotonic() < deadline:
        time.sleep(0.005)

    with reads.replica_reads(None) as alias, CaptureQueriesContext(replica) as queries:
        on_replica = chunk_lookup(forms)
    on_primary = chunk_lookup(forms)

    assert alias == "replica" and any("unnest" in query["sql"] for query in queries.captured_queries)
    assert sorted(on_replica[0], key=lambda m: m.row_index) == sorted(
        on_primary[0], key=lambda m: m.row_index
    )
    assert len(on_primary[0]) == len(forms) - 1 and on_replica[1] == on_primary[1] == []


def test_a_feed_page_is_read_on_the_replica(replica, brand_reporter, reviewer):
    from sharing.feed.services.content import LISTINGS_COLLECTION_ID
    from sharing.models import FeedObjectVersion
    from tests.factories import client_for, feed_subscribed

    report_make_accepted(brand_reporter, reviewer, seller_identifiers(74))
    reader = client_for(feed_subscribed(persona(OrganisationKind.PLATFORM, Role.ANALYST)))
    listings = FeedObjectVersion.objects.filter(collection=LISTINGS_COLLECTION_ID)
    published = listings.count()
    deadline = time.monotonic() + LAG_BOUND_SECONDS
    while listings.using("replica").count() < published and time.monotonic() < deadline:
        time.sleep(0.005)

    with CaptureQueriesContext(replica) as queries:
        page = reader.get(
            f"/taxii2/hub/collections/{LISTINGS_COLLECTION_ID}/objects/",
            {"match[version]": "all"},
            HTTP_ACCEPT="application/taxii+json;version=2.1",
        )

    assert page.status_code == 200 and published > 0
    assert len(page.json()["objects"]) == published
    assert any("sharing_feedobjectversion" in query["sql"] for query in queries.captured_queries)


# --- a replica that fails between two probes ------------------------------------------------


def _healthy_but_gone(replica, settings):
    """The replica as the last probe left it (healthy, caught up, not due for a probe), then gone:
    nothing listens where the alias points, as when it stops between two probes."""
    replica.close()
    replica.settings_dict = {**replica.settings_dict, "PORT": 9}  # the discard port: refused at once
    settings.HUB_REPLICA_PROBE_MILLISECONDS = 3_600_000
    state = reads.replica_state()
    state.healthy, state.replayed, state.lag_seconds = True, 1 << 62, 0.0
    state.probed_at = time.monotonic()
    state.next_probe_at = state.probed_at + 3600


def test_a_check_whose_replica_fails_between_probes_is_answered_from_the_primary(
    replica, api, settings, brand_reporter, reviewer, platform_analyst
):
    seller = seller_identifiers(75)
    report_make_accepted(brand_reporter, reviewer, seller)
    _healthy_but_gone(replica, settings)

    assert _check(api, platform_analyst, seller)["level"] == "reported"
    state = reads.replica_state()
    assert not state.healthy and state.next_probe_at == float("-inf")  # the next scope probes first


def test_a_check_whose_replica_connection_is_terminated_is_answered_from_the_primary(
    replica, api, brand_reporter, reviewer, platform_analyst
):
    import psycopg

    seller = seller_identifiers(76)
    report_make_accepted(brand_reporter, reviewer, seller)
    deadline = time.monotonic() + LAG_BOUND_SECONDS
    while not _on_the_replica(replica, api, platform_analyst, seller)[1] and time.monotonic() < deadline:
        time.sleep(0.05)
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    reads.replica_state().next_probe_at = time.monotonic() + 3600  # no probe notices it first
    settings_dict = replica.settings_dict
    with psycopg.connect(
        host=settings_dict["HOST"],
        port=settings_dict["PORT"],
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        dbname=settings_dict["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])

    assert _check(api, platform_analyst, seller)["level"] == "reported"
    assert not reads.replica_state().healthy
    # The next scope probes a new connection, and reads the replica again.
    deadline = time.monotonic() + LAG_BOUND_SECONDS
    while not _on_the_replica(replica, api, platform_analyst, seller)[1] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert reads.replica_state().healthy


def test_a_feed_page_whose_replica_fails_between_probes_is_read_on_the_primary(
    replica, settings, brand_reporter, reviewer
):
    from sharing.feed.services.content import LISTINGS_COLLECTION_ID
    from tests.factories import client_for, feed_subscribed

    report_make_accepted(brand_reporter, reviewer, seller_identifiers(77))
    reader = client_for(feed_subscribed(persona(OrganisationKind.PLATFORM, Role.ANALYST)))
    _healthy_but_gone(replica, settings)

    page = reader.get(
        f"/taxii2/hub/collections/{LISTINGS_COLLECTION_ID}/objects/",
        {"match[version]": "all"},
        HTTP_ACCEPT="application/taxii+json;version=2.1",
    )

    assert page.status_code == 200 and page.json()["objects"]


def test_a_bulk_chunk_whose_replica_fails_between_probes_is_matched_on_the_primary(
    replica, settings, brand_reporter, reviewer, platform_analyst
):
    import io
    import json

    from accounts.actors import Actor
    from sharing.bulk.services.bulk import bulk_chunk_process, bulk_submit
    from sharing.models import BulkChunk, BulkResult

    seller = seller_identifiers(78)
    report_make_accepted(brand_reporter, reviewer, seller)
    upload = io.BytesIO((json.dumps({"ref": "a", "identifiers": seller}) + "\n").encode())
    job = bulk_submit(purpose="seller_onboarding", upload=upload, actor=Actor(member=platform_analyst))
    _healthy_but_gone(replica, settings)

    for chunk in BulkChunk.objects.filter(job=job):
        assert bulk_chunk_process(chunk_id=chunk.pk)

    assert BulkResult.objects.get(job=job).result["level"] == "reported"


def test_an_error_of_the_primary_in_a_scope_is_the_callers_own(replica, db):
    from django.db import ProgrammingError

    def read():
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table_anywhere")

    deadline = time.monotonic() + LAG_BOUND_SECONDS
    while reads.replica_alias_for(None) != "replica" and time.monotonic() < deadline:
        time.sleep(0.05)
    with pytest.raises(ProgrammingError):
        reads.replica_read(None, read)
    assert reads.replica_state().healthy  # not the replica's fault


def test_a_batch_checks_lookup_reads_the_replica_as_a_single_check_does(
    replica, api, brand_reporter, reviewer, platform_analyst
):
    seller = seller_identifiers(79)
    report_make_accepted(brand_reporter, reviewer, seller)
    deadline = time.monotonic() + LAG_BOUND_SECONDS
    while not _on_the_replica(replica, api, platform_analyst, seller)[1] and time.monotonic() < deadline:
        time.sleep(0.05)

    with CaptureQueriesContext(replica) as queries:
        response = api(platform_analyst).post(
            "/api/v1/checks/batch",
            {"purpose": "seller_onboarding", "sellers": [{"identifiers": seller}]},
            format="json",
        )

    assert response.status_code == 200, response.content
    assert response.json()["results"][0]["level"] == "reported"
    assert any("sharing_identifiertoken" in query["sql"] for query in queries.captured_queries)


# --- canaries are read on the primary ---------------------------------------------------------


def _stalled_with_a_canary_planted(replica, member, forms_wanted: list[str]):
    """The replica caught up and read, then stalled (replay paused); a canary planted on the primary since."""
    from sharing.models import Canary

    deadline = time.monotonic() + LAG_BOUND_SECONDS
    while reads.replica_alias_for(None) != "replica" and time.monotonic() < deadline:
        time.sleep(0.05)
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    Canary.objects.create(token=forms_wanted[0], identifier_type="phone", label="trap", planted_by=member)
    assert reads.replica_alias_for(None) == "replica"  # within the lag bound: still read


def test_a_bulk_chunk_sees_a_canary_planted_within_the_replicas_lag(
    replica, brand_reporter, reviewer, operator_admin
):
    from sharing.bulk.services.bulk_sql import chunk_lookup
    from sharing.models import IdentifierToken

    report = report_make_accepted(brand_reporter, reviewer, seller_identifiers(84))
    forms = [
        (index, row.token, row.identifier_type)
        for index, row in enumerate(IdentifierToken.objects.filter(report_links__report=report))
    ]
    deadline = time.monotonic() + LAG_BOUND_SECONDS
    while not Report.objects.using("replica").filter(pk=report.pk).exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    _stalled_with_a_canary_planted(replica, operator_admin, [forms[0][1]])

    matches, canaries = reads.replica_read(None, lambda: chunk_lookup(forms))

    assert matches and canaries == [forms[0][1]]


def test_a_check_sees_a_canary_planted_within_the_replicas_lag(
    replica, api, brand_reporter, reviewer, platform_analyst, operator_admin
):
    from accounts.audit.models import Alert
    from sharing.models import IdentifierToken

    seller = seller_identifiers(85)
    report = report_make_accepted(brand_reporter, reviewer, seller)
    token = IdentifierToken.objects.filter(report_links__report=report, identifier_type="phone").first()
    deadline = time.monotonic() + LAG_BOUND_SECONDS
    while not _on_the_replica(replica, api, platform_analyst, seller)[1] and time.monotonic() < deadline:
        time.sleep(0.05)
    _stalled_with_a_canary_planted(replica, operator_admin, [token.token])

    result, on_replica = _on_the_replica(replica, api, platform_analyst, seller)

    assert on_replica and result["level"] == "reported"
    assert Alert.objects.filter(kind="canary_hit", organisation=platform_analyst.organisation).exists()


# --- ids read on the replica, written on the primary ------------------------------------------


def test_a_check_that_read_a_subject_merged_since_on_the_primary_records_its_survivor(
    replica, api, brand_reporter, reviewer, platform_analyst
):
    from sharing.models import IdentifierToken, Subject, SubjectMatch

    seller = seller_identifiers(86)
    report = report_make_accepted(brand_reporter, reviewer, seller)
    survivor = report_make_accepted(brand_reporter, reviewer, seller_identifiers(87))
    deadline = time.monotonic() + LAG_BOUND_SECONDS
    while not _on_the_replica(replica, api, platform_analyst, seller)[1] and time.monotonic() < deadline:
        time.sleep(0.05)
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    tokens = IdentifierToken.objects.filter(report_links__report=report)
    gone = tokens.first().subject_id
    kept = IdentifierToken.objects.filter(report_links__report=survivor).first().subject_id
    # A merge on the primary the stalled replica has not seen: the subject it reads is gone here.
    tokens.update(subject_id=kept)
    Subject.objects.filter(pk=gone).delete()

    result, on_replica = _on_the_replica(replica, api, platform_analyst, seller)

    assert on_replica and result["level"] == "reported"
    matched = SubjectMatch.objects.filter(
        organisation=platform_analyst.organisation, reference=result["check_id"]
    )
    assert list(matched.values_list("subject_id", flat=True)) == [kept]

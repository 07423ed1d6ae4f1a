"""Anti-enumeration: atomic quotas (429 + Retry-After, audited) and sweep detection with alerts."""

from __future__ import annotations

import random
import threading

import pytest
from django.db import connection

from accounts.audit.models import Alert, AuditEvent
from accounts.roles import OrganisationKind, Role
from hubcore import oprf
from tests.factories import client_for, key_for, persona, report_make_accepted


def _check(client, *identifiers):
    return client.post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": list(identifiers)}, format="json"
    )


@pytest.mark.django_db
def test_over_quota_is_a_429_with_retry_after_and_audited(api, platform_analyst, settings):
    settings.HUB_QUOTA_CHECKS_PER_MINUTE = 2
    client = api(platform_analyst)
    phone = {"type": "phone", "value": "+8613800138000"}

    statuses = [_check(client, phone).status_code for _ in range(3)]
    refused = _check(client, phone)

    assert statuses == [200, 200, 429]
    assert 1 <= int(refused["Retry-After"]) <= 61
    assert "phone" in refused.json()["error"]["message"]
    assert (
        AuditEvent.objects.filter(
            action="accounts:quota:exceeded", actor_member=platform_analyst, outcome="denied"
        ).count()
        == 2
    )


@pytest.mark.django_db
def test_quotas_are_per_identifier_type_and_per_organisation(
    api, platform_analyst, courier_analyst, settings
):
    settings.HUB_QUOTA_CHECKS_PER_MINUTE = 1
    client = api(platform_analyst)

    first_phone = _check(client, {"type": "phone", "value": "+8613800138000"}).status_code
    email = _check(client, {"type": "email", "value": "a@example.com"}).status_code
    second_phone = _check(client, {"type": "phone", "value": "+8613800138001"}).status_code
    other_org = _check(api(courier_analyst), {"type": "phone", "value": "+8613800138000"}).status_code

    assert (first_phone, email, second_phone, other_org) == (200, 200, 429, 200)


@pytest.mark.django_db
def test_evaluations_count_against_their_own_quota(api, platform_analyst, settings):
    settings.HUB_QUOTA_EVALUATIONS_PER_MINUTE = 5
    client = api(platform_analyst)
    elements = [oprf.blind(bytes([i]))[1].hex() for i in range(4)]

    first = client.post("/api/v1/tokens/evaluate", {"blinded_elements": elements}, format="json").status_code
    second = client.post(
        "/api/v1/tokens/evaluate", {"blinded_elements": elements[:2]}, format="json"
    ).status_code
    third = client.post(
        "/api/v1/tokens/evaluate", {"blinded_elements": elements[:1]}, format="json"
    ).status_code

    assert (first, second, third) == (200, 429, 200)


@pytest.mark.django_db(transaction=True)
def test_sixteen_concurrent_clients_cannot_overshoot_the_quota(settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL, where CI runs")
    # The day window, so a run that straddles a minute boundary cannot open a fresh window.
    settings.HUB_QUOTA_CHECKS_PER_MINUTE = 10_000
    settings.HUB_QUOTA_CHECKS_PER_DAY = 100
    analyst = persona(OrganisationKind.PLATFORM, Role.ANALYST)
    keys = [key_for(analyst) for _ in range(16)]
    outcomes: list[int] = []
    lock = threading.Lock()

    def client_thread(key: str) -> None:
        from rest_framework.test import APIClient

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        try:
            for n in range(20):
                code = _check(
                    client, {"type": "phone", "value": f"+86138{n:04d}{random.randint(0, 9999):04d}"}
                ).status_code
                with lock:
                    outcomes.append(code)
        finally:
            connection.close()

    threads = [threading.Thread(target=client_thread, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(outcomes) == 320
    assert outcomes.count(200) == 100 and outcomes.count(429) == 220


def _sweep_alerts():
    return set(Alert.objects.values_list("kind", flat=True))


@pytest.mark.django_db
def test_a_sequential_sweep_is_flagged_within_500_queries(platform_analyst):
    client = client_for(platform_analyst)

    for n in range(500):
        _check(client, {"type": "phone", "value": f"+86 139 1234 {n:04d}"})
        if "sequential_sweep" in _sweep_alerts():
            break

    assert "sequential_sweep" in _sweep_alerts()
    assert n < 500
    alert = Alert.objects.get(kind="sequential_sweep")
    assert alert.organisation == platform_analyst.organisation and "1391234" not in str(alert.details)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "spelled"),
    [
        ("observed_national_id", "11010519491231{:04d}"),
        ("observed_phone", "+86 139 1234 {:04d}"),
        ("qq_number", "1234{:04d}"),
    ],
)
def test_walking_observed_ids_and_sequential_account_numbers_is_a_sequential_sweep(
    platform_analyst, kind, spelled
):
    """Observed values and QQ numbers are numbers in blocks too: walking one finds a gang's fakes."""
    client = client_for(platform_analyst)

    for n in range(500):
        _check(client, {"type": kind, "value": spelled.format(n)})
        if "sequential_sweep" in _sweep_alerts():
            break

    assert "sequential_sweep" in _sweep_alerts() and n < 500
    assert Alert.objects.get(kind="sequential_sweep").details["identifier_type"] == kind


@pytest.mark.django_db
def test_a_random_sweep_that_never_hits_is_flagged_within_500_queries(platform_analyst):
    client = client_for(platform_analyst)
    rng = random.Random(7)

    for _n in range(500):
        _check(client, {"type": "email", "value": f"guess{rng.randrange(10**9)}@example.com"})
        if _sweep_alerts():
            break

    assert _sweep_alerts() == {"no_match_sweep"}


@pytest.mark.django_db
def test_a_realistic_benign_workload_raises_no_alert(platform_analyst, brand_reporter, reviewer):
    rng = random.Random(11)
    listed = [
        f"+86 13{rng.randrange(10)} {rng.randrange(10**4):04d} {rng.randrange(10**4):04d}" for _ in range(15)
    ]
    for phone in listed:
        report_make_accepted(brand_reporter, reviewer, [{"type": "phone", "value": phone}])
    client = client_for(platform_analyst)

    for n in range(500):
        # A platform screening its sellers: scattered numbers, a few of them known bad.
        phone = (
            listed[n % 15]
            if n % 33 == 0
            else f"+86 1{rng.choice('38')}{rng.randrange(10)} {rng.randrange(10**4):04d} {rng.randrange(10**4):04d}"
        )
        response = _check(
            client,
            {"type": "phone", "value": phone},
            {"type": "email", "value": f"shop{rng.randrange(10**6)}@example.com"},
        )
        assert response.status_code == 200

    assert _sweep_alerts() == set()


@pytest.mark.django_db
def test_a_canary_hit_raises_a_high_severity_alert_and_the_answer_looks_ordinary(
    api, operator_admin, platform_analyst
):
    canary = {"type": "phone", "value": "+86 137 0000 1234"}
    planted = api(operator_admin).post(
        "/api/v1/canaries", {"identifiers": [canary], "label": "range 137-0000"}, format="json"
    )

    result = _check(api(platform_analyst), canary).json()

    assert planted.status_code == 201
    alert = Alert.objects.get(kind="canary_hit")
    assert alert.severity == "high" and alert.organisation == platform_analyst.organisation
    assert result["level"] == "none"


@pytest.mark.django_db
def test_operators_list_acknowledge_and_resolve_alerts(api, operator_admin, platform_analyst, reviewer):
    canary = {"type": "phone", "value": "+86 137 0000 1234"}
    api(operator_admin).post("/api/v1/canaries", {"identifiers": [canary], "label": "trap"}, format="json")
    _check(api(platform_analyst), canary)
    client = api(reviewer)

    listed = client.get("/api/v1/alerts?status=open").json()["results"]
    acknowledged = client.post(
        f"/api/v1/alerts/{listed[0]['id']}/acknowledge", {"reason": "calling the member"}, format="json"
    )
    resolved = client.post(
        f"/api/v1/alerts/{listed[0]['id']}/resolve", {"reason": "member's test script; warned"}, format="json"
    )
    again = client.post(f"/api/v1/alerts/{listed[0]['id']}/resolve", {"reason": "twice"}, format="json")

    assert [a["kind"] for a in listed] == ["canary_hit"]
    assert acknowledged.json()["status"] == "acknowledged" and resolved.json()["status"] == "resolved"
    assert again.status_code == 409
    assert AuditEvent.objects.filter(action="accounts:alert:resolved", actor_member=reviewer).exists()


def _bulk_upload(member, lines: list[str]):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = ("ref,phone\n" + "\n".join(lines) + "\n").encode()
    return client_for(member).post(
        "/api/v1/bulk-checks",
        {"purpose": "seller_onboarding", "file": SimpleUploadedFile("sellers.csv", content)},
        format="multipart",
    )


@pytest.mark.django_db
def test_a_number_range_walked_in_a_bulk_file_is_flagged_as_a_sequential_sweep(platform_analyst, settings):
    settings.HUB_BULK_CHUNK_ROWS = 7  # the walk is spread over several chunks

    response = _bulk_upload(platform_analyst, [f"row-{n},+86 139 1234 {n:04d}" for n in range(60)])

    assert response.status_code == 202
    alert = Alert.objects.get(kind="sequential_sweep")
    assert alert.organisation == platform_analyst.organisation
    assert alert.details["distinct_in_block"] >= settings.HUB_SWEEP_BLOCK_PROBES and "1391234" not in str(
        alert.details
    )


@pytest.mark.django_db
def test_a_bulk_file_of_scattered_sellers_raises_no_sweep_alert(platform_analyst):
    rng = random.Random(11)
    lines = [f"row-{n},+86 139 {rng.randrange(10**4):04d} {rng.randrange(10**4):04d}" for n in range(200)]

    assert _bulk_upload(platform_analyst, lines).status_code == 202
    assert _sweep_alerts() == set()


@pytest.mark.django_db
def test_sweep_records_older_than_two_days_are_pruned(platform_analyst):
    from datetime import timedelta

    from django.utils import timezone

    from sharing.checks.tasks import sweep_records_prune_task
    from sharing.models import SweepProbe, SweepWindow

    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    organisation = platform_analyst.organisation
    for hours_ago in (0, 47, 49):
        start = now - timedelta(hours=hours_ago)
        SweepProbe.objects.create(
            organisation=organisation, window_start=start, block="b", probe=f"p{hours_ago}"
        )
        SweepWindow.objects.create(organisation=organisation, window_start=start, checks=1)

    assert sweep_records_prune_task() == 2
    assert sorted(SweepProbe.objects.values_list("probe", flat=True)) == ["p0", "p47"]
    assert SweepWindow.objects.count() == 2


@pytest.mark.django_db
def test_quota_covers_reads_what_is_left_and_takes_nothing(platform_analyst):
    from datetime import UTC, datetime, timedelta

    from accounts.models import QuotaUsage
    from accounts.quotas import Limit, QuotaExceeded, quota_consume, quota_covers

    organisation = platform_analyst.organisation
    limit = Limit(bucket="check:phone", window="minute", limit=5)
    now = datetime(2026, 12, 1, 12, 0, 30, tzinfo=UTC)
    quota_consume(organisation=organisation, demands={limit: 3}, now=now)

    quota_covers(organisation=organisation, demands={limit: 2}, now=now)  # exactly what is left
    with pytest.raises(QuotaExceeded) as refused:
        quota_covers(organisation=organisation, demands={limit: 3}, now=now)
    quota_covers(
        organisation=organisation, demands={limit: 5}, now=now + timedelta(minutes=1)
    )  # a fresh window

    assert refused.value.limit == limit and refused.value.retry_after == 31
    assert list(QuotaUsage.objects.values_list("used", flat=True)) == [3]

"""The embedded default as `scripts/run` serves it: runserver on a file SQLite database, debug off.

It serves concurrent writers without "database is locked" (16 clients doing checks and
reports, which both write audit rows, quota counters and reports), and with debug off it
still serves its static files and API docs. The server runs on its own SQLite file whatever
database the suite uses, so these tests run under PostgreSQL too.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.hub.embedded_server import embedded_hub

CLIENTS = 16
REQUESTS_PER_CLIENT = 12
# Domain limits out of the way: this test is about the database, not quotas or sweep rules.
GENEROUS_LIMITS = {
    "HUB_QUOTA_CHECKS_PER_MINUTE": "1000000",
    "HUB_QUOTA_CHECKS_PER_DAY": "1000000",
    "HUB_SWEEP_BLOCK_PROBES": "1000000",
    "HUB_SWEEP_MIN_CHECKS": "1000000",
    "HUB_SWEEP_HOURLY_VOLUME": "1000000",
    "HUB_DENIED_BURST_THRESHOLD": "1000000",
}


def _post(base: str, key: str, path: str, body: dict) -> int:
    request = urllib.request.Request(
        f"{base}{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _client(base: str, keys: dict[str, str], client: int) -> list[int]:
    statuses = []
    for n in range(REQUESTS_PER_CLIENT):
        phone = {"type": "phone", "value": f"+86 138 {client:04d} {n:04d}"}
        if n % 2:
            statuses.append(
                _post(
                    base,
                    keys["brand-a-reporter"],
                    "/api/v1/reports",
                    {
                        "identifiers": [phone],
                        "ip_type": "trademark",
                        "category": "counterfeit",
                        "verification_level": "rights_owner_verified",
                        "statement": "Test purchase; order attached.",
                        "authenticity_guaranteed": True,
                    },
                )
            )
        else:
            statuses.append(
                _post(
                    base,
                    keys["platform-analyst"],
                    "/api/v1/checks",
                    {"purpose": "seller_onboarding", "identifiers": [phone]},
                )
            )
    return statuses


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with embedded_hub(tmp_path_factory.mktemp("embedded"), **GENEROUS_LIMITS) as served:
        yield served


def _get(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.headers, response.read()


def test_sixteen_concurrent_clients_get_no_database_errors_on_the_embedded_default(hub):
    base, keys = hub
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(lambda c: _client(base, keys, c), range(CLIENTS)))
    elapsed = time.monotonic() - started

    statuses = Counter(status for client in results for status in client)
    total = CLIENTS * REQUESTS_PER_CLIENT
    print(
        f"{total} requests from {CLIENTS} clients in {elapsed:.1f} s ({total / elapsed:.0f}/s): {dict(statuses)}"
    )
    assert sum(statuses.values()) == total
    failed = {status: count for status, count in statuses.items() if not 200 <= status < 300}
    assert not failed, f"{sum(failed.values())} of {total} requests failed: {failed} (see server.log)"


def test_the_embedded_default_runs_with_debug_off_and_still_serves_static_files_and_the_api_docs(hub):
    base, _ = hub

    missing = urllib.request.Request(f"{base}/no-such-page/")
    with pytest.raises(urllib.error.HTTPError) as not_found:
        urllib.request.urlopen(missing, timeout=30)
    docs_status, docs_headers, docs = _get(f"{base}/api/v1/docs/")
    script_status, _, _ = _get(f"{base}/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    admin_css_status, _, _ = _get(f"{base}/static/admin/css/base.css")

    # Debug off: a 404 is the plain page, not Django's technical page listing the URL patterns.
    assert not_found.value.code == 404 and b"URLconf" not in not_found.value.read()
    assert docs_status == 200 and b"swagger-ui" in docs
    assert "script-src 'self'" in docs_headers["Content-Security-Policy"]
    assert (script_status, admin_css_status) == (200, 200)

"""The pages work under the Content-Security-Policy in a real browser: no violation on any of them
(the audit pages, a running bulk job's page with its polling script, disclosures, the API docs)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.actors import Actor
from accounts.roles import OrganisationKind, Role
from sharing.bulk.services import bulk
from sharing.bulk.tasks import bulk_chunk_task
from tests.e2e.steps import sign_in, with_password
from tests.factories import broker_stand_in, persona

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
    e => window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline")));
"""


# Redoc's "powered by" logo comes from its CDN: blocking it is the policy doing its job (the hub
# loads nothing from third parties), and the page works without it.
EXPECTED = {"img-src https://cdn.redoc.ly/redoc/logo-mini.svg"}


def _violations(page, url: str) -> list[str]:
    response = page.goto(url)
    assert response.status == 200, url
    page.wait_for_load_state("networkidle")
    return [f"{url}: {v}" for v in page.evaluate("window.__cspViolations") if v not in EXPECTED]


@pytest.mark.django_db(transaction=True)
def test_no_page_breaks_the_content_security_policy(live_server, page, monkeypatch):
    base = live_server.url
    auditor = with_password(persona(OrganisationKind.AUDITOR, Role.ANALYST))
    analyst = with_password(persona(OrganisationKind.PLATFORM, Role.ANALYST))
    clerk = with_password(persona(OrganisationKind.COURT, Role.ANALYST))
    broker_stand_in(
        monkeypatch, bulk_chunk_task
    )  # no worker picks the job up: it stays queued and its page polls
    job = bulk.bulk_submit(
        purpose="seller_onboarding",
        upload=SimpleUploadedFile("s.csv", b"ref,phone\na,+86 138 0013 8000\n"),
        actor=Actor(member=analyst),
    )
    page.add_init_script(COLLECT_VIOLATIONS)
    polled = []
    page.on("request", lambda r: polled.append(r.url) if "/api/v1/bulk-checks/" in r.url else None)

    found = _violations(page, base + "/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info")  # Swagger UI's script (served as a file) ran
    found += _violations(page, base + "/api/v1/redoc/")
    page.wait_for_selector(".api-content")  # so did Redoc's
    found += _violations(page, base + "/accounts/login/")
    sign_in(page, base, auditor)
    for path in ("/audit/", "/audit/restricted/", "/audit/alerts/", "/audit/chart/", "/audit/checkpoints/"):
        found += _violations(page, base + path)
    page.context.clear_cookies()
    sign_in(page, base, analyst)
    for path in ("/", "/bulk/", f"/bulk/{job.public_id}/"):
        found += _violations(page, base + path)
    page.wait_for_timeout(2500)  # the job page's inline script polls after 2 s
    assert polled, "the job page's inline script did not run"
    page.context.clear_cookies()
    sign_in(page, base, clerk)
    for path in ("/disclosures/", "/disclosures/new"):
        found += _violations(page, base + path)

    assert found == [], "\n".join(found)

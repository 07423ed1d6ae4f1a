"""An auditor reviews the audit log in a real browser: log in, filter, open an event and see its
inclusion proof verified, acknowledge an alert; a platform member is refused the pages."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from accounts.audit.checkpoints import checkpoint_create
from accounts.audit.models import Alert, AlertStatus, AuditEvent
from accounts.audit.services import alert_raise
from accounts.audit.tags import AuditTag
from accounts.models import Member
from accounts.roles import OrganisationKind, Role
from tests.e2e.steps import sign_in, with_password
from tests.factories import persona, report_make, seller_identifiers


@dataclass
class Seeded:
    auditor: Member
    platform_member: Member
    alert: Alert
    checkpoint_size: int


def _seed() -> Seeded:
    reporter = persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER, country="FR")
    platform_member = with_password(persona(OrganisationKind.PLATFORM, Role.ANALYST))
    for n in range(3):
        report_make(reporter, seller_identifiers(n))
    alert = alert_raise(
        kind="canary_hit",
        organisation=platform_member.organisation,
        severity="high",
        dedupe_key=f"canary:{platform_member.organisation.public_id}:1",
        details={"canary": "decoy phone"},
    )
    auditor = with_password(persona(OrganisationKind.AUDITOR, Role.ANALYST, country="GB"))
    return Seeded(auditor, platform_member, alert, checkpoint_create().size)


@pytest.mark.django_db(transaction=True)
def test_an_auditor_reviews_the_log_in_a_real_browser(live_server, page):
    from playwright.sync_api import expect

    seeded = _seed()
    base = live_server.url

    sign_in(page, base, seeded.auditor)
    page.locator("#portal-audit-log").click()
    expect(page.locator("h1")).to_have_text("Audit log")

    # Filter by data class and role: every row left is a reporter's shareable event.
    page.select_option("#id_data_class", "shareable")
    page.select_option("#id_role", "reporter")
    page.locator("#filter-apply").click()
    page.wait_for_url(re.compile(r".*/audit/\?.*data_class=shareable.*"))
    classes = page.locator("#audit-events td.col-data-class").all_inner_texts()
    roles = page.locator("#audit-events td.col-role").all_inner_texts()
    assert len(classes) == 3 and set(classes) == {"Shareable"} and set(roles) == {"Reporter"}
    expect(page.locator("#id_data_class")).to_have_value("shareable")

    # Open the newest of them: its inclusion proof verifies against the signed checkpoint.
    page.locator("#audit-events a.event-link").first.click()
    expect(page.locator("#event-action")).to_have_text("sharing:report:submitted")
    expect(page.locator("#inclusion")).to_have_text(
        f"Inclusion proof: verified against checkpoint of size {seeded.checkpoint_size}"
    )

    # The whole log verifies from the checkpoints page.
    page.get_by_role("link", name="Checkpoints").click()
    expect(page.locator("#signature-verified")).to_have_text("yes")
    page.locator("#verify-now").click()
    expect(page.locator("#verify-result")).to_contain_text("OK")

    # Acknowledge the canary alert with a reason.
    page.get_by_role("link", name="Alerts").click()
    row = page.locator(f"#alert-{seeded.alert.public_id}")
    expect(row.locator(".alert-status")).to_have_text("open")
    row.locator(".alert-reason").fill("calling the platform about its canary hit")
    row.locator(".alert-acknowledge").click()
    expect(row.locator(".alert-status")).to_have_text("acknowledged")
    expect(page.locator(".messages")).to_contain_text("is now acknowledged")

    seeded.alert.refresh_from_db()
    assert seeded.alert.status == AlertStatus.ACKNOWLEDGED and seeded.alert.handled_by == seeded.auditor
    assert AuditEvent.objects.filter(action=AuditTag.ALERT_ACKNOWLEDGED, actor_member=seeded.auditor).exists()
    assert AuditEvent.objects.filter(
        action=AuditTag.AUDIT_LISTED, actor_member=seeded.auditor, details__filters__data_class="shareable"
    ).exists()

    # A platform member who logs in is refused the audit pages.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/accounts/login/")
    sign_in(page, base, seeded.platform_member)
    refused = page.goto(f"{base}/audit/")
    assert refused.status == 403
    assert AuditEvent.objects.filter(
        action=AuditTag.ACCESS_DENIED, actor_member=seeded.platform_member
    ).exists()

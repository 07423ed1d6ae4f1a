"""A court clerk signs in for the first time in a real browser: the password, then enrolment of an
authenticator (a code computed from the key the page shows), recovery codes, then the disclosure pages."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django_otp.oath import TOTP

from accounts.roles import OrganisationKind, Role
from tests.e2e.steps import PASSWORD, with_password
from tests.factories import persona


def _code(secret: str) -> str:
    totp = TOTP(base64.b32decode(secret), step=30, t0=0, digits=6)
    totp.time = time.time()
    return f"{totp.token():06d}"


@pytest.mark.django_db(transaction=True)
def test_a_court_clerk_enrols_totp_before_seeing_the_disclosure_pages(live_server, page):
    base = live_server.url
    clerk = with_password(persona(OrganisationKind.COURT, Role.ANALYST))
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)

    page.goto(f"{base}/disclosures/")
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    page.fill("#id_username", clerk.user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()

    page.wait_for_url(re.compile(r".*/account/two-factor/\?.*"))
    qr_width = page.eval_on_selector("#totp-qr", "img => img.naturalWidth")
    assert qr_width > 0, "the QR code did not load (Content-Security-Policy?)"
    secret = page.inner_text("#totp-secret")
    page.fill("#id_code", "000000" if _code(secret) != "000000" else "111111")
    page.locator("main button[type=submit]").click()
    assert "not right" in page.inner_text("#form-errors")

    time.sleep(1.1)  # the wrong code throttles the next try for a second (django-otp)
    page.fill("#id_code", _code(secret))
    page.locator("main button[type=submit]").click()
    page.wait_for_selector("#recovery-codes")
    assert page.locator("#recovery-codes li").count() == 10

    page.click("#continue")
    page.wait_for_url(f"{base}/disclosures/")
    assert page.locator("h1").first.inner_text()
    page.goto(f"{base}/disclosures/new")
    assert page.url == f"{base}/disclosures/new"
    assert violations == []

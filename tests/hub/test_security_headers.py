"""Production passes `manage.py check --deploy`, redirects to HTTPS and sends HSTS; every page in
every mode has a Content-Security-Policy that allows inline code only with the request's nonce."""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import web_login
from tests.hub.embedded_server import ROOT, embedded_env

TEMPLATES = ROOT / "templates"


def production_env(tmp_path: Path) -> dict[str, str]:
    """HUB_ENV=production with real (random) keys from the environment, as README Settings says."""
    return embedded_env(
        tmp_path,
        HUB_ENV="production",
        DJANGO_ALLOWED_HOSTS="hub.example.org,testserver",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        HUB_OPRF_SEED=secrets.token_hex(32),
        HUB_TOKEN_STORAGE_KEYS=f"1:{secrets.token_hex(64)}",
        HUB_KEKS=f"1:{secrets.token_hex(32)}",
        HUB_SIGNING_KEY=secrets.token_hex(32),
        HUB_SMTP_HOST="smtp.example.org",
        HUB_CACHE_URL="redis://127.0.0.1:6379/1",
    )


def test_production_passes_the_deployment_checklist(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


_PROBE = """
import json, django
django.setup()
from django.test import Client
from tests.factories import web_login
c = Client()
plain = c.get("/accounts/login/")
secure = c.get("/accounts/login/", secure=True)
health = c.get("/api/v1/schema/")
print(json.dumps({"plain": [plain.status_code, plain.get("Location", "")],
                  "secure": [secure.status_code, secure.get("Strict-Transport-Security", ""),
                             secure.get("Content-Security-Policy", ""), secure.cookies["csrftoken"]["secure"]],
                  "health": health.status_code}))
"""


def test_production_redirects_to_https_sends_hsts_and_secure_cookies_but_answers_the_healthcheck(tmp_path):
    env = {**production_env(tmp_path), "DJANGO_SETTINGS_MODULE": "hub.settings"}
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    answers = json.loads(result.stdout.strip().splitlines()[-1])

    assert answers["plain"] == [301, "https://testserver/accounts/login/"]
    status, hsts, csp, cookie_secure = answers["secure"]
    assert status == 200 and "max-age=31536000" in hsts and "includeSubDomains" in hsts
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and cookie_secure
    assert answers["health"] == 200  # the compose healthcheck calls the schema over plain HTTP


def _tags(html: str):
    return re.finditer(r"<(script|style)\b([^>]*)>", html, flags=re.IGNORECASE)


def test_every_inline_script_and_style_in_the_templates_carries_the_nonce():
    offending = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for tag in _tags(text):
            if "src=" not in tag.group(2) and 'nonce="{{ request.csp_nonce }}"' not in tag.group(2):
                offending.append(f"{path.relative_to(ROOT)}: <{tag.group(1)}{tag.group(2)}>")
        # Inline event handlers, style attributes and javascript: URLs cannot carry a nonce.
        offending += [
            f"{path.relative_to(ROOT)}: {m.group(0)}"
            for m in re.finditer(r"\s(on[a-z]+|style)\s*=|javascript:", text, flags=re.IGNORECASE)
        ]

    assert offending == []


@pytest.mark.django_db
def test_a_running_bulk_jobs_page_polls_from_a_script_file_and_never_allows_unsafe_inline_scripts(
    client, platform_analyst
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.actors import Actor
    from sharing.bulk.services import bulk

    job = bulk.bulk_submit(
        purpose="seller_onboarding",
        upload=SimpleUploadedFile("s.csv", b"ref,phone\na,+86 138 0013 8000\n"),
        actor=Actor(member=platform_analyst),
    )
    web_login(client, platform_analyst)

    response = client.get(f"/bulk/{job.public_id}/")

    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    scripts = re.findall(r"<script\b([^>]*)>", response.content.decode())
    assert scripts and all("src=" in attributes and "hub/bulk" in attributes for attributes in scripts)
    assert (
        "'self'" in script_src and "'unsafe-inline'" not in script_src and "frame-ancestors 'none'" in policy
    )


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_api_docs_run_no_inline_script(client, path):
    response = client.get(path)
    html = response.content.decode()

    assert response.status_code == 200
    assert "'unsafe-inline'" not in re.search(
        r"script-src ([^;]*)", response["Content-Security-Policy"]
    ).group(1)
    assert all("src=" in tag.group(2) for tag in _tags(html) if tag.group(1).lower() == "script")


@pytest.mark.django_db
def test_no_answer_of_the_hub_may_be_stored_by_a_browser_or_a_proxy(client, platform_analyst, api):
    """Every page (each with made-up ids: answered, refused or not found), an API answer and an error
    page say no-store: a cached copy would outlive the session. Static files keep their cache."""
    from tests.accounts.test_web_methods import _capability_pages
    from tests.factories import web_login

    web_login(client, platform_analyst)
    answers = {name: client.get(url) for name, url in _capability_pages().items()}
    answers["home"] = client.get("/")
    answers["api check"] = api(platform_analyst).post(
        "/api/v1/checks",
        {"purpose": "seller_onboarding", "identifiers": [{"type": "phone", "value": "+8613800138000"}]},
        format="json",
    )
    answers["not found"] = client.get("/no-such-page/")

    stored = {
        name: r.get("Cache-Control", "")
        for name, r in answers.items()
        if "no-store" not in r.get("Cache-Control", "")
    }
    assert len(answers) > 40 and stored == {}
    assert "no-store" not in client.get("/static/hub/hub.css").get("Cache-Control", "")

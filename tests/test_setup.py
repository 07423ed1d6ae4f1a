"""The two-command promise: settings from the environment, demo seeding, schema, compose."""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from accounts.models import ApiKey, Member, Organisation
from hub.env import ConfigurationError, env_bool

ROOT = Path(__file__).resolve().parent.parent


def _settings_in_subprocess(
    env: dict,
    printed: str = "settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER",
) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HUB_", "DJANGO_", "DATABASE_URL", "DATABASE_REPLICA_URL", "CELERY_"))
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='hub.settings'; "
            f"from django.conf import settings; print({printed})",
        ],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_with_nothing_set_the_hub_uses_sqlite_and_runs_tasks_in_process():
    result = _settings_in_subprocess({})

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"]


def test_a_database_url_and_broker_select_postgresql_and_real_celery():
    result = _settings_in_subprocess(
        {"DATABASE_URL": "postgres://u@127.0.0.1:5432/hub", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"}
    )

    assert result.stdout.split() == ["hub.postgresql", "False"]


def test_production_refuses_to_start_without_real_keys():
    result = _settings_in_subprocess({"HUB_ENV": "production", "DJANGO_SECRET_KEY": "a-real-secret"})

    assert result.returncode != 0
    assert all(
        name in result.stderr
        for name in ("HUB_OPRF_SEED", "HUB_TOKEN_STORAGE_KEYS", "HUB_KEKS", "HUB_SIGNING_KEY")
    )
    assert "DJANGO_SECRET_KEY" not in result.stderr.split("set ")[-1]


def test_the_embedded_default_generates_marked_demo_keys_on_first_run(tmp_path):
    result = _settings_in_subprocess({"HUB_VAR_DIR": str(tmp_path)})

    keys = json.loads((tmp_path / "demo-keys.json").read_text())
    assert result.returncode == 0, result.stderr
    assert "DEMO" in keys["_notice"] and len(bytes.fromhex(keys["HUB_OPRF_SEED"])) == 32
    assert oct((tmp_path / "demo-keys.json").stat().st_mode)[-3:] == "600"


def test_production_starts_with_real_keys_read_from_files(tmp_path):
    (tmp_path / "keks").write_text("1:" + "ab" * 32)
    result = _settings_in_subprocess(
        {
            "HUB_ENV": "production",
            "DJANGO_SECRET_KEY": "a-real-secret",
            "HUB_OPRF_SEED": "ab" * 32,
            "HUB_TOKEN_STORAGE_KEYS": "1:" + "cd" * 64,
            "HUB_SIGNING_KEY": "ef" * 32,
            "HUB_KEKS_FILE": str(tmp_path / "keks"),
            "HUB_SMTP_HOST": "smtp.example.org",
            "HUB_CACHE_URL": "redis://127.0.0.1:6379/1",
        }
    )

    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_an_smtp_server(tmp_path):
    real_keys = {
        "HUB_ENV": "production",
        "DJANGO_SECRET_KEY": "a-real-secret",
        "HUB_OPRF_SEED": "ab" * 32,
        "HUB_TOKEN_STORAGE_KEYS": "1:" + "cd" * 64,
        "HUB_SIGNING_KEY": "ef" * 32,
        "HUB_KEKS": "1:" + "ab" * 32,
    }
    result = _settings_in_subprocess(real_keys)

    assert result.returncode != 0
    assert "HUB_SMTP_HOST" in result.stderr


def test_production_refuses_to_start_without_a_shared_cache():
    result = _settings_in_subprocess(
        {
            "HUB_ENV": "production",
            "DJANGO_SECRET_KEY": "a-real-secret",
            "HUB_OPRF_SEED": "ab" * 32,
            "HUB_TOKEN_STORAGE_KEYS": "1:" + "cd" * 64,
            "HUB_SIGNING_KEY": "ef" * 32,
            "HUB_KEKS": "1:" + "ab" * 32,
            "HUB_SMTP_HOST": "smtp.example.org",
        }
    )

    assert result.returncode != 0
    assert "HUB_CACHE_URL" in result.stderr


def test_a_cache_url_selects_redis_for_every_web_process():
    result = _settings_in_subprocess(
        {"HUB_CACHE_URL": "redis://127.0.0.1:6379/1"}, printed="settings.CACHES['default']['BACKEND']"
    )

    assert result.stdout.split() == ["django.core.cache.backends.redis.RedisCache"], result.stderr


def test_the_embedded_default_writes_mail_to_files_under_var_mail(tmp_path):
    result = _settings_in_subprocess(
        {"HUB_VAR_DIR": str(tmp_path)}, printed="settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.filebased.EmailBackend",
        str(tmp_path / "mail"),
    ]


def test_the_dispute_period_can_never_exceed_twenty_working_days():
    too_long = _settings_in_subprocess({"HUB_DISPUTE_RESPONSE_WORKING_DAYS": "21"})
    longest = _settings_in_subprocess({"HUB_DISPUTE_RESPONSE_WORKING_DAYS": "20"})

    assert too_long.returncode != 0 and "between 1 and 20" in too_long.stderr
    assert longest.returncode == 0, longest.stderr


@pytest.mark.parametrize(
    "raw,expected", [("true", True), ("1", True), ("false", False), ("0", False), ("", False)]
)
def test_env_bool_reads_only_plain_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("HUB_TEST_FLAG", raw)

    assert env_bool("HUB_TEST_FLAG") is expected


def test_env_bool_refuses_yes(monkeypatch):
    monkeypatch.setenv("HUB_TEST_FLAG", "yes")

    with pytest.raises(ConfigurationError):
        env_bool("HUB_TEST_FLAG")


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_working_keys_as_json(capsys):
    call_command("seed_demo", "--json")
    first = json.loads(capsys.readouterr().out)
    counts = (Organisation.objects.count(), Member.objects.count(), ApiKey.objects.count())
    call_command("seed_demo", "--json")
    second = json.loads(capsys.readouterr().out)

    assert first == second
    assert (Organisation.objects.count(), Member.objects.count(), ApiKey.objects.count()) == counts
    assert {"organisation", "kind", "role", "api_key"} <= set(first[0])
    kinds_roles = {(row["kind"], row["role"]) for row in first}
    assert {
        ("platform", "analyst"),
        ("logistics", "analyst"),
        ("court", "analyst"),
        ("operator", "reviewer"),
        ("operator", "disclosure_officer"),
        ("auditor", "analyst"),
    } <= kinds_roles
    assert sum(row["kind"] == "rights_owner" for row in first) == 2
    assert sum(row["role"] == "disclosure_officer" for row in first) == 2
    assert len({row["api_key"] for row in first}) == len(first)


@pytest.mark.django_db
def test_a_seeded_key_drives_the_api(client, capsys):
    call_command("seed_demo", "--json")
    rows = json.loads(capsys.readouterr().out)
    analyst = next(r for r in rows if r["kind"] == "platform" and r["role"] == "analyst")

    response = client.post(
        "/api/v1/checks",
        {"purpose": "seller_onboarding", "identifiers": [{"type": "phone", "value": "+8613800138000"}]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {analyst['api_key']}",
    )

    assert response.status_code == 200 and response.json()["level"] == "none"


@pytest.mark.django_db
def test_openapi_schema_documents_every_endpoint_with_request_and_response(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")

    schema = response.json()
    operations = {(path, method): op for path, item in schema["paths"].items() for method, op in item.items()}
    assert response.status_code == 200
    assert len(operations) >= 16
    for (path, method), op in operations.items():
        assert any(code.startswith("2") for code in op["responses"]), (path, method)
        if method == "post" and not path.endswith(
            ("/retract", "/revoke", "/approve", "/withdraw", "/renew")
        ):  # bodiless actions
            assert "requestBody" in op, (path, method)
    assert "bearerAuth" in json.dumps(schema["components"].get("securitySchemes", {})) or schema[
        "components"
    ].get("securitySchemes")


def test_schema_generation_has_no_warnings(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))

    assert "/api/v1/checks" in (tmp_path / "schema.yml").read_text()


@pytest.mark.django_db
def test_browsable_docs_are_served(client):
    assert client.get("/api/v1/docs/").status_code == 200


def _compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        return ["docker", "compose"]
    return None


def test_docker_compose_file_is_accepted():
    command = _compose_command()
    if command is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must check docker-compose.yml; install docker-compose")
        pytest.skip("no docker compose client here")
    env = {
        **os.environ,
        "POSTGRES_PASSWORD": "owner-pw",
        "HUB_APP_DB_PASSWORD": "app-pw",
        "DJANGO_SECRET_KEY": "x",
        "HUB_OPRF_SEED": "x",
        "HUB_TOKEN_STORAGE_KEYS": "x",
        "HUB_KEKS": "x",
        "HUB_SIGNING_KEY": "x",
        "HUB_SMTP_HOST": "smtp.example.org",
    }

    quiet = subprocess.run(
        [*command, "config", "-q"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    result = subprocess.run(
        [*command, "config"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert quiet.returncode == 0 and result.returncode == 0, quiet.stderr + result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    app = ("web", "worker", "worker-bulk", "beat")
    assert set(services) == {*app, "migrate", "proxy", "postgres", "redis"}
    assert sum("healthcheck" in services[name] for name in services) >= 5
    # Long-running services come back after a crash or reboot; the one-shot migration does not.
    assert all(services[name]["restart"] == "unless-stopped" for name in services if name != "migrate")
    assert services["migrate"]["restart"] == "no"
    # Migrations as the owner, then the grants; everything else as hub_app, after migrate succeeded.
    assert services["migrate"]["environment"]["DATABASE_URL"].startswith("postgres://hub:owner-pw@")
    assert "grant_app_role --role hub_app" in " ".join(services["migrate"]["command"])
    for name in app:
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://hub_app:app-pw@")
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        # Checkpoints written outside the database land on a named volume every writer shares.
        directory = services[name]["environment"]["HUB_CHECKPOINT_DIR"]
        assert any(v.startswith(f"checkpoints:{directory}") for v in _volume_specs(services[name]))
    # Only the TLS-terminating proxy is published; gunicorn trusts its X-Forwarded-Proto.
    assert (
        "ports" not in services["web"]
        and services["web"]["environment"]["HUB_TRUST_X_FORWARDED_PROTO"] == "true"
    )
    published = {
        str(p["published"]) if isinstance(p, dict) else str(p).split(":")[0]
        for p in services["proxy"]["ports"]
    }
    assert published == {"80", "443"}
    caddyfile = next(v for v in _volume_specs(services["proxy"]) if v.endswith(":/etc/caddy/Caddyfile:ro"))
    assert "reverse_proxy web:8000" in (ROOT / "deploy/caddy/Caddyfile").read_text() and caddyfile


def _volume_specs(service: dict) -> list[str]:
    """Volumes as "source:target[:mode]", whichever syntax the compose client printed."""
    specs = []
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            specs.append(volume)
        else:
            mode = ":ro" if volume.get("read_only") else ""
            specs.append(f"{volume['source']}:{volume['target']}{mode}")
    return [spec.replace(f"{ROOT}/", "./") for spec in specs]


def test_the_docker_image_leaves_out_the_venv_demo_keys_and_sqlite():
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        parts = path.split("/")
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        return any(
            fnmatch.fnmatch(prefix, pattern.lstrip("*/")) or fnmatch.fnmatch(prefix, pattern)
            for pattern in patterns
            for prefix in prefixes
        )

    for path in (
        ".venv/bin/python",
        "var/demo-keys.json",
        "var/hub.sqlite3",
        "hub.sqlite3",
        "var/demo-court-private-key.pem",
        ".env",
        ".git/config",
    ):
        assert ignored(path), path
    for path in ("manage.py", "hub/settings.py", "pyproject.toml", "templates/base.html"):
        assert not ignored(path), path

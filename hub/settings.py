"""Settings for the hub, read from the environment.

With nothing set the hub runs on its embedded default: an SQLite file under
var/, Celery tasks run in-process, and clearly marked demo keys. With
HUB_ENV=production it refuses to start on demo keys or a default secret.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

from hub.demo_keys import demo_keys
from hub.env import ConfigurationError, env_bool, env_int, env_list, env_secret, env_str
from hub.jurisdiction import residency_parse, transfer_bases_parse

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HUB_VAR_DIR", str(BASE_DIR / "var")))

HUB_ENV = env_str("HUB_ENV", "embedded")
if HUB_ENV not in ("embedded", "production"):
    raise ConfigurationError("HUB_ENV must be 'embedded' or 'production'")
PRODUCTION = HUB_ENV == "production"

# Keys come from the environment (or NAME_FILE). The embedded default generates
# clearly marked demo keys into var/demo-keys.json on first run; production refuses
# to start without real ones.
KEY_SETTINGS = ("DJANGO_SECRET_KEY", "HUB_OPRF_SEED", "HUB_TOKEN_STORAGE_KEYS", "HUB_KEKS", "HUB_SIGNING_KEY")
if PRODUCTION:
    _missing = [name for name in KEY_SETTINGS if not env_secret(name)]
    if _missing:
        raise ConfigurationError(f"HUB_ENV=production needs real keys: set {', '.join(_missing)}")
    _DEMO_KEYS: dict[str, str] = {}
else:
    _DEMO_KEYS = demo_keys(VAR_DIR / "demo-keys.json")

SECRET_KEY = env_secret("DJANGO_SECRET_KEY", _DEMO_KEYS.get("DJANGO_SECRET_KEY", ""))
# Off unless asked for, in every mode: a debug page shows settings, request data and local
# variables. Even then hub.error_reports masks every secret (see DEFAULT_EXCEPTION_REPORTER_FILTER).
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# The identifier-token OPRF key (RFC 9497 DeriveKeyPair from a 32-byte seed and key
# info, so an operator can reproduce it from escrow). Tokens carry HUB_OPRF_KEY_VERSION.
HUB_OPRF_SEED = env_secret("HUB_OPRF_SEED", _DEMO_KEYS.get("HUB_OPRF_SEED", ""))
HUB_OPRF_KEY_INFO = env_str("HUB_OPRF_KEY_INFO", "infringer-intelligence-hub token key v1")
HUB_OPRF_KEY_VERSION = env_int("HUB_OPRF_KEY_VERSION", 1)
# Keys of the storage layer over tokens ("version:hex" pairs, 64-byte AES-SIV keys, comma
# separated; the highest version is active). Re-keyed in place by `rotate_token_storage`.
HUB_TOKEN_STORAGE_KEYS = env_secret("HUB_TOKEN_STORAGE_KEYS", _DEMO_KEYS.get("HUB_TOKEN_STORAGE_KEYS", ""))
# Key-encryption keys of the restricted tier ("version:hex" pairs of 32-byte keys);
# re-wrapped online by `rotate_keks`.
HUB_KEKS = env_secret("HUB_KEKS", _DEMO_KEYS.get("HUB_KEKS", ""))
# The hub's Ed25519 signing key (32-byte seed as hex) for disclosure packages and checkpoints.
HUB_SIGNING_KEY = env_secret("HUB_SIGNING_KEY", _DEMO_KEYS.get("HUB_SIGNING_KEY", ""))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "sharing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (admin, API docs) in every mode: runserver serves none with DEBUG off.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so static files keep their cache; every other answer is no-store.
    "hub.no_store.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "hub.middleware.RequestIdMiddleware",
    # Before CsrfViewMiddleware: it parses web form bodies under their upload limit (hub/input_guard.py).
    "hub.input_guard.InputGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions (the language switch is kept there), before CommonMiddleware, as Django requires.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a member's committed write request holds its organisation's replica
    # reads on the primary until the replica has replayed it (hub/replica_reads.py); no-op without a replica.
    "hub.replica_reads.ReadYourWritesMiddleware",
    # Sessions: the idle limit (the absolute one is SESSION_COOKIE_AGE); then the second factor
    # (django-otp marks a verified session; the gate sends 2FA roles to enrolment or the code page).
    "accounts.two_factor.middleware.SessionIdleTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.two_factor.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hub.middleware.DomainErrorPageMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hub.urls"
WSGI_APPLICATION = "hub.wsgi.application"
ASGI_APPLICATION = "hub.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.portal",
                "sharing.due_process.web_notifications.unread_notifications",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    # Persistent connections by default: opening a PostgreSQL connection per request cost more
    # than the check itself (benchmarks/RESULTS.md). Health checks drop a connection the server closed.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] not in (
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    ):
        raise ConfigurationError("DATABASE_URL must be a postgres:// or sqlite:// URL")
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, told the token table may be partitioned (hub/postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "hub.postgresql"
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "hub.sqlite3")}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite allows one writer at a time. A deferred transaction that reads and then writes
    # cannot wait for the lock (it fails at once with "database is locked"), so every
    # transaction takes the write lock when it begins (IMMEDIATE) and waits up to `timeout`
    # seconds for it; WAL lets readers go on while one request writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env_int("HUB_SQLITE_BUSY_TIMEOUT_SECONDS", 20),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
if DATABASES["default"]["ENGINE"] == "hub.postgresql":
    # Server-side parameter binding lets psycopg prepare a statement the Nth time a connection runs
    # it (HUB_DB_PREPARE_THRESHOLD), so a check's fixed statements skip PostgreSQL's parse and plan
    # (benchmarks/RESULTS.md). Behind PgBouncer in transaction mode set HUB_DB_PREPARE_THRESHOLD=0
    # (never prepare) unless it is 1.21+ with max_prepared_statements; =false below restores
    # Django's client-side binding.
    if env_bool("HUB_DB_SERVER_SIDE_BINDING", True):
        threshold = env_int("HUB_DB_PREPARE_THRESHOLD", 5)
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": threshold or None}
        )
DATABASES["default"].setdefault("TEST", {})

# A streaming replica (scripts/replica) for the read statements of checks, bulk matching and the
# feed, inside their explicit scopes only (hub/replica_reads.py, routed by hub/db_router.py); every
# write, quota, lock and audit row stays on the primary. Absent, everything reads the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
HUB_REPLICA_ALIAS = ""
if DATABASE_REPLICA_URL:
    if DATABASES["default"]["ENGINE"] != "hub.postgresql":
        raise ConfigurationError("DATABASE_REPLICA_URL needs a PostgreSQL primary in DATABASE_URL")
    # No health check (a `SELECT 1` round trip on the replica per request that reads it): a replica
    # connection that died fails its read, and replica_read reads again on the primary.
    replica = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=False
    )
    if replica["ENGINE"] != "django.db.backends.postgresql":
        raise ConfigurationError("DATABASE_REPLICA_URL must be a postgres:// URL")
    replica["ENGINE"] = "hub.postgresql"  # the primary's backend (hub/postgresql/base.py)
    # A replica that is down must cost a check a refused connection, not a long wait.
    replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("HUB_REPLICA_CONNECT_TIMEOUT", 2))
    # The replica's statements are prepared as the primary's are.
    for option in ("server_side_binding", "prepare_threshold"):
        if option in DATABASES["default"].get("OPTIONS", {}):
            replica["OPTIONS"].setdefault(option, DATABASES["default"]["OPTIONS"][option])
    # A physical copy holds the primary's databases under their own names: read the primary's.
    replica["NAME"] = DATABASES["default"]["NAME"]
    # Tests never create the replica's database: it is the primary's test database (pytest-django
    # creates it there and physical replication copies it); tests/hub/test_replica_streaming.py points the alias at it.
    replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = replica
    HUB_REPLICA_ALIAS = "replica"
DATABASE_ROUTERS = ["hub.db_router.ReplicaRouter"]
# Past this lag (seconds, measured against the primary's WAL position) scopes read the primary.
HUB_REPLICA_MAX_LAG_SECONDS = env_int("HUB_REPLICA_MAX_LAG_SECONDS", 5)
# How often a process measures the replica's lag (two one-row statements, one on each server).
HUB_REPLICA_PROBE_MILLISECONDS = env_int("HUB_REPLICA_PROBE_MILLISECONDS", 1000)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Login throttling (django-axes): after HUB_LOGIN_FAILURE_LIMIT failed logins for one username
# from one address, that pair is locked out for HUB_LOGIN_COOLOFF_MINUTES (429). Keyed on the
# pair so that nobody can lock a member out from elsewhere; a success resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.HubModelBackend",  # Django's ModelBackend that refuses the demo password in production
]
AXES_FAILURE_LIMIT = env_int("HUB_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("HUB_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The same client address as every rate limit (HUB_TRUSTED_PROXIES): behind the proxy, not the proxy's.
AXES_CLIENT_IP_CALLABLE = "hub.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every manage.py command; failures and lockouts are still logged

# Django's validators judge every password a person sets (accepting an invitation, a reset).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions end HUB_SESSION_HOURS after sign-in, after HUB_SESSION_IDLE_MINUTES without a request
# (accounts/two_factor/middleware.py), and when the browser closes.
SESSION_COOKIE_AGE = env_int("HUB_SESSION_HOURS", 8) * 3600
HUB_SESSION_IDLE_MINUTES = env_int("HUB_SESSION_IDLE_MINUTES", 30)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Password reset links (Django's views) work once and for HUB_PASSWORD_RESET_MINUTES.
PASSWORD_RESET_TIMEOUT = env_int("HUB_PASSWORD_RESET_MINUTES", 60) * 60
# Two-factor sign-in (django-otp): TOTP in the member's authenticator app, plus single-use recovery
# codes. Each wrong code doubles the wait before the next try (OTP_*_THROTTLE_FACTOR seconds first).
OTP_TOTP_ISSUER = "Infringer Intelligence Hub"
OTP_TOTP_THROTTLE_FACTOR = env_int("HUB_OTP_THROTTLE_SECONDS", 1)
OTP_STATIC_THROTTLE_FACTOR = OTP_TOTP_THROTTLE_FACTOR
HUB_RECOVERY_CODES = 10
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Email goes through Django's email framework. The embedded default writes each message to a
# file under var/mail/ (one file per message; the README says where to look); production sends
# by SMTP and refuses to start without a server to send through.
DEFAULT_FROM_EMAIL = env_str("HUB_MAIL_FROM", "Infringer Intelligence Hub <hub@localhost>")
if PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("HUB_SMTP_HOST")
    if not EMAIL_HOST:
        raise ConfigurationError("HUB_ENV=production needs an SMTP server: set HUB_SMTP_HOST")
    EMAIL_PORT = env_int("HUB_SMTP_PORT", 587)
    EMAIL_HOST_USER = env_str("HUB_SMTP_USER")
    EMAIL_HOST_PASSWORD = env_secret("HUB_SMTP_PASSWORD")
    EMAIL_USE_TLS = env_bool("HUB_SMTP_STARTTLS", True)
    EMAIL_USE_SSL = env_bool("HUB_SMTP_SSL", False)
    EMAIL_TIMEOUT = env_int("HUB_SMTP_TIMEOUT_SECONDS", 20)
else:
    EMAIL_BACKEND = env_str("HUB_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
    EMAIL_HOST = env_str("HUB_SMTP_HOST", "localhost")
    EMAIL_PORT = env_int("HUB_SMTP_PORT", 25)
# Links in messages (invitations, password resets) point here; the request's own host is never
# trusted for them, so a forged Host header cannot redirect a reset link.
HUB_PUBLIC_URL = env_str("HUB_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# The outbox (accounts/mail): a message not sent is tried again after 1, 2, 4, ... times this wait,
# and given up with an operator alert after this many attempts; the sweep looks at a batch a minute.
HUB_MAIL_RETRY_BASE_SECONDS = env_int("HUB_MAIL_RETRY_BASE_SECONDS", 60)
HUB_MAIL_MAX_ATTEMPTS = env_int("HUB_MAIL_MAX_ATTEMPTS", 8)
HUB_MAIL_SWEEP_BATCH = env_int("HUB_MAIL_SWEEP_BATCH", 200)

# Organisations applying to join (accounts/admission/): the membership terms they accept (the version
# is recorded on the organisation when admitted), and how many applications one address may send.
HUB_MEMBERSHIP_TERMS_VERSION = env_str("HUB_MEMBERSHIP_TERMS_VERSION", "2026-11")
HUB_MEMBERSHIP_TERMS_TEXT = env_str(
    "HUB_MEMBERSHIP_TERMS_TEXT",
    "Members share intelligence only on sellers they have evidence against, act on a match only after "
    "their own review, answer counter-notices, and accept that every access they make is audited. "
    "Raw personal data leaves the hub only under a court order approved by two officers.",
)
HUB_APPLICATION_RATE = env_str("HUB_APPLICATION_RATE", "10/hour")
HUB_APPLICATION_MAX_DOCUMENTS = env_int("HUB_APPLICATION_MAX_DOCUMENTS", 5)

# The listed person's own route (sharing/subject_access/, /my-listing/). Codes to a phone go through an
# SMS gateway: HUB_SMS_BACKEND names a class with send(to=, body=) (sharing/subject_access/services/sms.py); the
# embedded default writes each message to a file under HUB_SMS_FILE_PATH, as mail goes to var/mail/.
HUB_SMS_BACKEND = env_str("HUB_SMS_BACKEND", "sharing.subject_access.services.sms.FileSmsBackend")
HUB_SMS_FILE_PATH = env_str("HUB_SMS_FILE_PATH", str(VAR_DIR / "sms"))
# The country a phone number without its +code is read in.
HUB_SUBJECT_DEFAULT_COUNTRY = env_str("HUB_SUBJECT_DEFAULT_COUNTRY", "CN")
# Code requests per client address and per identifier, and code attempts per address (DRF rates).
HUB_SUBJECT_CODE_REQUEST_RATE_ADDRESS = env_str("HUB_SUBJECT_CODE_REQUEST_RATE_ADDRESS", "10/hour")
HUB_SUBJECT_CODE_REQUEST_RATE_TOKEN = env_str("HUB_SUBJECT_CODE_REQUEST_RATE_TOKEN", "5/hour")
# Codes sent to one identifier a day, whoever asks: no one is mail-bombed, guessing across challenges bounded.
HUB_SUBJECT_CODE_REQUEST_RATE_TOKEN_DAY = env_str("HUB_SUBJECT_CODE_REQUEST_RATE_TOKEN_DAY", "10/day")
# Correction requests per proven identifier (DRF rate): one a day by default.
HUB_SUBJECT_RECTIFICATION_RATE_TOKEN = env_str("HUB_SUBJECT_RECTIFICATION_RATE_TOKEN", "1/day")
HUB_SUBJECT_CODE_ATTEMPT_RATE_ADDRESS = env_str("HUB_SUBJECT_CODE_ATTEMPT_RATE_ADDRESS", "30/hour")

# Counters that must be shared by every web process (the applications throttle, django-axes' and
# django-otp's state live in the database) use Django's cache: Redis when HUB_CACHE_URL names one
# (docker compose does), else each process's own memory (the embedded default runs one process).
HUB_CACHE_URL = env_str("HUB_CACHE_URL")
if HUB_CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": HUB_CACHE_URL}
    }
elif PRODUCTION:
    raise ConfigurationError(
        "HUB_ENV=production needs a shared cache for the throttles of every web process: set HUB_CACHE_URL "
        "(redis://…)"
    )

# English and Simplified Chinese: Accept-Language or the switch in the page header chooses
# (LocaleMiddleware); the catalogue is locale/zh_Hans, compiled by `manage.py compilemessages`.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The house stylesheet (static/hub/hub.css): our own small design system, served locally, no CDN.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Production images run collectstatic; the embedded default serves straight from the apps
# (the empty directory only keeps WhiteNoise from warning that it is missing).
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(exist_ok=True)

# No secret setting, environment variable or local variable holding a key appears on an
# error page or in an error report, debug or not (hub/error_reports.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "hub.error_reports.SecretHidingExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "hub.error_reports.SecretHidingExceptionReporter"

# Content-Security-Policy (django-csp) in every mode: only the hub's own scripts and styles,
# inline ones only with the per-request nonce (templates use {{ request.csp_nonce }}). The API
# docs pages, third-party templates, get their own policy (hub/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# The docs pages (Swagger UI, Redoc) inject inline styles and Redoc runs its search in a blob:
# worker; scripts stay 'self' only.
CSP_DOCS_DIRECTIVES = {"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]}

# Requests larger than this are refused with 413 before any parsing.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("HUB_MAX_REQUEST_BYTES", 8 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# An upload too large for memory is spooled to disk encrypted under a key only this request
# holds (hub/uploads.py): bulk files and evidence carry raw identifiers.
# UploadLimitHandler comes first: it refuses a body over its route's limit before the others keep any of it.
FILE_UPLOAD_HANDLERS = [
    "hub.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "hub.uploads.EncryptedSpoolUploadHandler",
]

# Reverse proxies in front of the hub that append to X-Forwarded-For. 0: the client address is
# REMOTE_ADDR and the header, which any client can write, is ignored; N: the Nth address from the right
# of X-Forwarded-For. Every rate limit by address reads it (DRF's throttles through NUM_PROXIES below,
# the listed person's route through sharing/subject_access/services/throttle.py client_address).
HUB_TRUSTED_PROXIES = env_int("HUB_TRUSTED_PROXIES", 0)

REST_FRAMEWORK: dict[str, Any] = {
    "NUM_PROXIES": HUB_TRUSTED_PROXIES,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.HasCapability"],
    "DEFAULT_PARSER_CLASSES": ["hub.parsers.BoundedJSONParser"],
    "DEFAULT_METADATA_CLASS": None,  # OPTIONS is 405 everywhere: no CORS clients; the schema describes the API
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "hub.pagination.HubPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "hub.exception_handler.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Infringer Intelligence Hub API",
    "DESCRIPTION": (
        "Check sellers and senders against shared intelligence on repeat counterfeit and piracy "
        "sellers, report infringers, and review the audit log. Authenticate with "
        "`Authorization: Bearer <api key>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from the package, not a CDN: the hub must work on a closed network.
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "sharing.models.reports.ReportStatus",
        "AlertStatusEnum": "accounts.audit.models.AlertStatus",
        "CategoryEnum": "sharing.models.reports.Category",
        "VerificationLevelEnum": "sharing.models.reports.VerificationLevel",
        # A dispute and each report it covers share one set of states.
        "DisputeStatusEnum": "sharing.models.disputes.DisputeStatus",
        "ApplicationStateEnum": "accounts.admission.models.ApplicationState",
        "OrganisationKindEnum": "accounts.roles.OrganisationKind",
        "ApplyingKindEnum": "accounts.admission.models.APPLYING_KIND_CHOICES",
        # An order in the list and in detail (with its jurisdictions) shares one set of states.
        "DisclosureStatusEnum": "sharing.models.disclosure.DisclosureStatus",
    },
    # Every operation's error answers, in the one error envelope (hub/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "hub.schema.declare_error_responses",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Celery: with no broker configured, tasks run in-process (the embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"

# Domain limits.
# The largest page any API list returns (?limit above it is lowered to it).
HUB_API_MAX_PAGE_SIZE = env_int("HUB_API_MAX_PAGE_SIZE", 200)
HUB_MAX_IDENTIFIERS_PER_REQUEST = env_int("HUB_MAX_IDENTIFIERS_PER_REQUEST", 50)
HUB_MAX_EVALUATE_BATCH = env_int("HUB_MAX_EVALUATE_BATCH", 1000)
# Sellers a batch check (POST /api/v1/checks/batch) may name; each is a check (audited, counted in the quota).
HUB_CHECK_BATCH_MAX_SELLERS = env_int("HUB_CHECK_BATCH_MAX_SELLERS", 100)
# Identifiers a batch check may name in all, its sellers together: each raw one costs an OPRF evaluation
# before the quota is taken, and 100 sellers of 50 would be 5,000. 100 typical sellers (a few each) fit.
HUB_CHECK_BATCH_MAX_IDENTIFIERS = env_int("HUB_CHECK_BATCH_MAX_IDENTIFIERS", 1_000)
# Per-organisation quotas, per identifier type (checks) and for oblivious evaluations.
HUB_QUOTA_CHECKS_PER_MINUTE = env_int("HUB_QUOTA_CHECKS_PER_MINUTE", 600)
HUB_QUOTA_CHECKS_PER_DAY = env_int("HUB_QUOTA_CHECKS_PER_DAY", 200_000)
HUB_QUOTA_EVALUATIONS_PER_MINUTE = env_int("HUB_QUOTA_EVALUATIONS_PER_MINUTE", 6_000)
HUB_QUOTA_EVALUATIONS_PER_DAY = env_int("HUB_QUOTA_EVALUATIONS_PER_DAY", 1_000_000)
# Bulk rows per identifier type per day, taken for the whole file at upload: two jobs of the
# largest size (HUB_BULK_MAX_ROWS) a day, separate from the single-check buckets.
HUB_QUOTA_BULK_ROWS_PER_DAY = env_int("HUB_QUOTA_BULK_ROWS_PER_DAY", 10_000_000)
# Sweep detection (sharing/checks/services/enumeration.py): thresholds per organisation per hour.
HUB_SWEEP_BLOCK_PROBES = env_int("HUB_SWEEP_BLOCK_PROBES", 20)
HUB_SWEEP_MIN_CHECKS = env_int("HUB_SWEEP_MIN_CHECKS", 300)
HUB_SWEEP_MISS_RATIO_PERMILLE = env_int("HUB_SWEEP_MISS_RATIO_PERMILLE", 995)
HUB_SWEEP_HOURLY_VOLUME = env_int("HUB_SWEEP_HOURLY_VOLUME", 20_000)
# The same rules over answered bulk rows: a seller base mostly misses, a random file always does;
# more rows in an hour than one job of the largest size is more than screening needs.
HUB_SWEEP_BULK_MIN_ROWS = env_int("HUB_SWEEP_BULK_MIN_ROWS", 10_000)
HUB_SWEEP_BULK_MISS_RATIO_PERMILLE = env_int("HUB_SWEEP_BULK_MISS_RATIO_PERMILLE", 999)
HUB_SWEEP_BULK_HOURLY_ROWS = env_int("HUB_SWEEP_BULK_HOURLY_ROWS", 6_000_000)
# Refused requests from one organisation within 10 minutes that raise a "denied_burst" alert.
HUB_DENIED_BURST_THRESHOLD = env_int("HUB_DENIED_BURST_THRESHOLD", 20)
HUB_MAX_EVIDENCE_FILES = env_int("HUB_MAX_EVIDENCE_FILES", 10)
HUB_MAX_EVIDENCE_BYTES = env_int("HUB_MAX_EVIDENCE_BYTES", 5 * 1024 * 1024)
HUB_REPORT_RETENTION_DAYS = env_int("HUB_REPORT_RETENTION_DAYS", 730)
# An urgent live-room report is to be reviewed within this many minutes of filing, or before the
# stream it names starts if that is sooner (sharing/reports/services/urgency.py); an alert fires after.
HUB_URGENT_REVIEW_TARGET_MINUTES = env_int("HUB_URGENT_REVIEW_TARGET_MINUTES", 120)
# Urgency jumps the review queue, so it is bounded: an organisation files at most this many urgent
# reports a day (a 429 past it), and an urgent report keeps its place at the top only until this many
# hours after its target (the stream is over by then; it is ordered like any other pending report).
HUB_URGENT_REPORTS_PER_DAY = env_int("HUB_URGENT_REPORTS_PER_DAY", 10)
HUB_URGENT_PRIORITY_HOURS = env_int("HUB_URGENT_PRIORITY_HOURS", 24)
HUB_API_KEY_DEFAULT_DAYS = env_int("HUB_API_KEY_DEFAULT_DAYS", 365)
# What rights owners get back (sharing/outcomes): a count of members' behaviour (organisations that
# checked or acted on a subject, hits) below this is shown as "fewer than N", so that no single
# member's behaviour can be read off it.
HUB_OUTCOME_SUPPRESSION_THRESHOLD = env_int("HUB_OUTCOME_SUPPRESSION_THRESHOLD", 3)
if HUB_OUTCOME_SUPPRESSION_THRESHOLD < 2:
    raise ConfigurationError("HUB_OUTCOME_SUPPRESSION_THRESHOLD must be at least 2")
HUB_INVITATION_DAYS = env_int("HUB_INVITATION_DAYS", 7)
# Where the hub's data lives (ISO 3166-1 alpha-2): every report's data jurisdiction, the default
# jurisdiction of an organisation, and the origin of every cross-border transfer.
HUB_DATA_RESIDENCY = residency_parse("HUB_DATA_RESIDENCY", env_str("HUB_DATA_RESIDENCY", "CN"))
# Destinations data may go to and the legal basis of each (PIPL Art. 38-40, GDPR Chapter V), as
# `HK:standard_contract,DE:scc` (bases: hub/jurisdiction.py TransferBasis). A member organisation in a
# jurisdiction not named here gets no shareable data (403); none is named by default in production.
# Demo only: the embedded default's demo brands sit in France and Germany, so it names those two.
DEMO_TRANSFER_BASES = "FR:standard_contract,DE:standard_contract"
HUB_TRANSFER_BASES = transfer_bases_parse(
    "HUB_TRANSFER_BASES",
    env_str("HUB_TRANSFER_BASES", DEMO_TRANSFER_BASES if HUB_ENV == "embedded" else ""),
    residency=HUB_DATA_RESIDENCY,
)
# Audit checkpoints: signed notes of the log's Merkle root, also written outside the database.
HUB_AUDIT_ORIGIN = env_str("HUB_AUDIT_ORIGIN", "infringer-intelligence-hub/audit-log")
HUB_CHECKPOINT_DIR = env_str("HUB_CHECKPOINT_DIR", str(VAR_DIR / "checkpoints"))
HUB_CHECKPOINT_URL = env_str("HUB_CHECKPOINT_URL", "")
HUB_CHECKPOINT_EVERY_EVENTS = env_int("HUB_CHECKPOINT_EVERY_EVENTS", 1000)
HUB_CHECKPOINT_INTERVAL_SECONDS = env_int("HUB_CHECKPOINT_INTERVAL_SECONDS", 300)
# How audit events get their place in the log (accounts/audit/sequencer.py). "inline": in the
# action's own transaction, under the one head row's lock, so every audited action on the hub
# waits for the previous one's commit (~2-3k actions/s on one primary: docs/scaling.md); the
# default, right for SQLite and the embedded hub. "batched": the action stages its event and a
# sequencer places staged events in batches; what a production PostgreSQL hub should use.
HUB_AUDIT_SEQUENCING = env_str("HUB_AUDIT_SEQUENCING", "inline")
if HUB_AUDIT_SEQUENCING not in ("inline", "batched"):
    raise ConfigurationError('HUB_AUDIT_SEQUENCING must be "inline" or "batched"')
# Staged events the sequencer places per transaction (its lock is held once per batch).
HUB_AUDIT_SEQUENCER_BATCH = env_int("HUB_AUDIT_SEQUENCER_BATCH", 2000)
# A process nudges the sequencer at most this often (seconds) after its actions commit; beat runs
# it every second besides, so a staged event is in the log within about a second plus the batches
# ahead of it. Tasks run in-process (no broker): every commit runs it at once.
HUB_AUDIT_SEQUENCER_NUDGE_SECONDS = float(env_str("HUB_AUDIT_SEQUENCER_NUDGE_SECONDS", "0.2"))
# Disputes: the reporter's period to show a complaint or suit was filed, in working days
# (never more than 20, pauses for notarisation included); working days follow the official
# calendar of HUB_CALENDAR_COUNTRY (python-holidays, make-up working days included), and
# HUB_HOLIDAYS adds days off it does not know (ISO dates, comma separated).
HUB_DISPUTE_MAX_WORKING_DAYS = 20
HUB_DISPUTE_RESPONSE_WORKING_DAYS = env_int("HUB_DISPUTE_RESPONSE_WORKING_DAYS", 15)
if not 1 <= HUB_DISPUTE_RESPONSE_WORKING_DAYS <= HUB_DISPUTE_MAX_WORKING_DAYS:
    raise ConfigurationError("HUB_DISPUTE_RESPONSE_WORKING_DAYS must be between 1 and 20")
HUB_CALENDAR_COUNTRY = env_str("HUB_CALENDAR_COUNTRY", "CN")
if HUB_CALENDAR_COUNTRY not in __import__("holidays").list_supported_countries():
    raise ConfigurationError(
        "HUB_CALENDAR_COUNTRY must be a country python-holidays supports (ISO 3166 alpha-2)"
    )
HUB_HOLIDAYS = env_list("HUB_HOLIDAYS", [])
# Reporter reputation (sharing/reports/services/reputation.py).
HUB_TRUSTED_MIN_REPORTS = env_int("HUB_TRUSTED_MIN_REPORTS", 10)
HUB_MISUSE_MIN_OVERTURNED = env_int("HUB_MISUSE_MIN_OVERTURNED", 3)
HUB_MISUSE_SUSPENSION_DAYS = env_int("HUB_MISUSE_SUSPENSION_DAYS", 30)
# The prior warning before a misuse suspension (DSA Art. 23): days the reporter has to improve.
HUB_MISUSE_WARNING_DAYS = env_int("HUB_MISUSE_WARNING_DAYS", 14)
# An accepted report misfired when at least this many independent members called a subject it
# lists a false positive (sharing/feedback/): it counts like an overturned one in the misuse rule.
HUB_MISFIRE_MIN_MEMBERS = env_int("HUB_MISFIRE_MIN_MEMBERS", 3)
# Retention: restricted payloads of closed reports are destroyed this long after closing.
HUB_RESTRICTED_RETENTION_DAYS = env_int("HUB_RESTRICTED_RETENTION_DAYS", 180)
# Retention of everything else (sharing/retention/services/purge.py, daily; README "Retention"): a
# closed report's metadata and its report-token links this long after closing (never before its
# restricted payload), then the tokens no report names and the subjects left with no token; what a
# member's screening matched (SubjectMatch) this long after the match. A legal hold, a live dispute,
# a pending appeal or an order in progress keeps every one of them. Deleted in batches of BATCH rows.
HUB_REPORT_METADATA_RETENTION_DAYS = env_int("HUB_REPORT_METADATA_RETENTION_DAYS", 365)
if HUB_REPORT_METADATA_RETENTION_DAYS < HUB_RESTRICTED_RETENTION_DAYS:
    raise ConfigurationError(
        "HUB_REPORT_METADATA_RETENTION_DAYS must be at least HUB_RESTRICTED_RETENTION_DAYS"
    )
HUB_SUBJECT_MATCH_RETENTION_DAYS = env_int("HUB_SUBJECT_MATCH_RETENTION_DAYS", 365)
# A logistics member's parcel events (sharing/parcels/) are purged this long after they were recorded.
HUB_PARCEL_EVENT_RETENTION_DAYS = env_int("HUB_PARCEL_EVENT_RETENTION_DAYS", 730)
# A logistics organisation records at most this many parcel events a day (a 429 with Retry-After past
# it; sharing/parcels/services.py): a bound on what one member can put into the counts others read.
HUB_PARCEL_EVENTS_PER_DAY = env_int("HUB_PARCEL_EVENTS_PER_DAY", 5000)
if HUB_PARCEL_EVENT_RETENTION_DAYS < 1:
    raise ConfigurationError("HUB_PARCEL_EVENT_RETENTION_DAYS must be at least 1")
HUB_RETENTION_BATCH = env_int("HUB_RETENTION_BATCH", 500)
if HUB_RETENTION_BATCH < 1:
    raise ConfigurationError("HUB_RETENTION_BATCH must be at least 1")
# Audit rows keep their columns and leaf hash for ever (the Merkle log needs them); their `details`
# (counts, ids, token prefixes) are emptied this long after the event: three years, the limitation
# period for civil claims in China (Civil Code Art. 188) and above the two years of report retention.
HUB_AUDIT_DETAILS_RETENTION_DAYS = env_int("HUB_AUDIT_DETAILS_RETENTION_DAYS", 3 * 365)
if HUB_AUDIT_DETAILS_RETENTION_DAYS < 1:
    raise ConfigurationError("HUB_AUDIT_DETAILS_RETENTION_DAYS must be at least 1")
HUB_DISCLOSURE_APPROVAL_DAYS = env_int("HUB_DISCLOSURE_APPROVAL_DAYS", 14)
HUB_DISCLOSURE_MAX_DOWNLOADS = env_int("HUB_DISCLOSURE_MAX_DOWNLOADS", 3)
# An approved order unbuilt this long after its approval or last build attempt is sent again by the
# sweeper; after this many failed attempts it raises an operator alert instead.
HUB_DISCLOSURE_BUILD_LEASE_SECONDS = env_int("HUB_DISCLOSURE_BUILD_LEASE_SECONDS", 300)
HUB_DISCLOSURE_BUILD_MAX_ATTEMPTS = env_int("HUB_DISCLOSURE_BUILD_MAX_ATTEMPTS", 3)
# Cross-platform sales totals (sharing/sales_totals/): the aggregate is released only when at least
# this many members contributed (never below 3, so no member's figure is its own total), at the
# request's fixed deadline, this many days after it was made.
HUB_SALES_TOTALS_MIN_CONTRIBUTORS = env_int("HUB_SALES_TOTALS_MIN_CONTRIBUTORS", 3)
if HUB_SALES_TOTALS_MIN_CONTRIBUTORS < 3:
    raise ConfigurationError("HUB_SALES_TOTALS_MIN_CONTRIBUTORS must be at least 3")
HUB_SALES_TOTALS_WINDOW_DAYS = env_int("HUB_SALES_TOTALS_WINDOW_DAYS", 14)
if HUB_SALES_TOTALS_WINDOW_DAYS < 1:
    raise ConfigurationError("HUB_SALES_TOTALS_WINDOW_DAYS must be at least 1")
HUB_DISCLOSURE_BUILD_SWEEP_BATCH = env_int("HUB_DISCLOSURE_BUILD_SWEEP_BATCH", 100)
# Watchlists and webhooks (sharing/watchlists/services/watchlists.py, webhooks.py). A delivery is one
# POST with this timeout; failures back off from BASE doubling up to MAX, and the row is
# given up after MAX_ATTEMPTS. A claimed row is leased for LEASE seconds, after which the
# sweeper retries it (the worker died mid-way). Counts are per organisation.
HUB_WATCHLIST_MAX_ENTRIES = env_int("HUB_WATCHLIST_MAX_ENTRIES", 1_000_000)
HUB_WEBHOOK_MAX_ENDPOINTS = env_int("HUB_WEBHOOK_MAX_ENDPOINTS", 10)
HUB_WEBHOOK_TIMEOUT_SECONDS = env_int("HUB_WEBHOOK_TIMEOUT_SECONDS", 10)
HUB_WEBHOOK_MAX_ATTEMPTS = env_int("HUB_WEBHOOK_MAX_ATTEMPTS", 8)
HUB_WEBHOOK_BACKOFF_BASE_SECONDS = env_int("HUB_WEBHOOK_BACKOFF_BASE_SECONDS", 30)
HUB_WEBHOOK_BACKOFF_MAX_SECONDS = env_int("HUB_WEBHOOK_BACKOFF_MAX_SECONDS", 3600)
HUB_WEBHOOK_LEASE_SECONDS = env_int("HUB_WEBHOOK_LEASE_SECONDS", 120)
HUB_WEBHOOK_SWEEP_BATCH = env_int("HUB_WEBHOOK_SWEEP_BATCH", 500)
# Webhooks are signed per Standard Webhooks; endpoints registered before that (legacy secrets) also
# get the old X-Hub-Signature header up to and including this day (ISO date), then only the new ones.
HUB_WEBHOOK_LEGACY_SIGNATURE_UNTIL = env_str("HUB_WEBHOOK_LEGACY_SIGNATURE_UNTIL", "2027-06-30")
try:
    date.fromisoformat(HUB_WEBHOOK_LEGACY_SIGNATURE_UNTIL)
except ValueError:
    raise ConfigurationError("HUB_WEBHOOK_LEGACY_SIGNATURE_UNTIL must be an ISO date (YYYY-MM-DD)") from None
# Bulk screening (sharing/bulk/services/bulk*.py), per organisation: rows per job, jobs started per
# day, jobs queued or running at once. Jobs run in chunks of CHUNK_ROWS rows; a chunk not done
# LEASE seconds after its last attempt is re-enqueued by the sweeper; jobs are deleted after
# RETENTION_DAYS. A chunk costs about twenty statements whatever its size (one token join), so
# chunks are large; at 2,000 rows the join still probes the token index rather than scanning the
# table, a chunk takes well under a second, and a 100,000-row job still spreads over 50 tasks.
HUB_BULK_MAX_ROWS = env_int("HUB_BULK_MAX_ROWS", 5_000_000)
# The largest bulk upload (the whole multipart body), refused with 413 while it streams in. The
# default is 5,000,000 rows of 200 bytes: a CSV row of raw values is about 60-150 bytes, a JSONL
# line with one supplied token about 215. Every other request body is bounded by HUB_MAX_REQUEST_BYTES.
HUB_BULK_MAX_UPLOAD_BYTES = env_int("HUB_BULK_MAX_UPLOAD_BYTES", 1_000_000_000)
HUB_BULK_JOBS_PER_DAY = env_int("HUB_BULK_JOBS_PER_DAY", 20)
HUB_BULK_CONCURRENT_JOBS = env_int("HUB_BULK_CONCURRENT_JOBS", 2)
HUB_BULK_CHUNK_ROWS = env_int("HUB_BULK_CHUNK_ROWS", 2_000)
HUB_BULK_LEASE_SECONDS = env_int("HUB_BULK_LEASE_SECONDS", 300)
HUB_BULK_SWEEP_BATCH = env_int("HUB_BULK_SWEEP_BATCH", 1000)
HUB_BULK_RETENTION_DAYS = env_int("HUB_BULK_RETENTION_DAYS", 7)
# The share of its time a bulk worker process spends on chunks (it rests the rest), 1–100. At 50
# one worker cost single checks ~30% of their rate on the 2-core benchmark machine, at 100 ~55%.
HUB_BULK_DUTY_PERCENT = max(1, min(100, env_int("HUB_BULK_DUTY_PERCENT", 50)))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_secrets": {"()": "hub.error_reports.RedactSecretsLogFilter"}},
    "handlers": {
        "console": {
            "class": "hub.error_reports.CurrentStderrHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("HUB_LOG_LEVEL", "INFO")},
    # Without a broker the beat schedule runs in-process (hub/scheduler.py): one "task succeeded"
    # line per sweep a minute would bury the server's own output. Failures still show.
    "loggers": {} if CELERY_BROKER_URL else {"celery.app.trace": {"level": "WARNING"}},
}

if PRODUCTION:
    # HTTPS only (`manage.py check --deploy` passes). Behind a proxy that terminates TLS, set
    # HUB_TRUST_X_FORWARDED_PROTO=true so the hub sees the request was HTTPS (the proxy must
    # set the header itself, never pass a client's). The compose healthcheck calls the schema
    # over plain HTTP inside the container, so that one path is not redirected.
    SECURE_SSL_REDIRECT = env_bool("HUB_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^api/v1/schema/$"]
    if env_bool("HUB_TRUST_X_FORWARDED_PROTO", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("HUB_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HUB_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HUB_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

"""Settings of Chợ 4.0.

Everything comes from the environment through the typed readers of
`market40.env`. With nothing set, the embedded default serves: PostgreSQL
embedded under `var/` and Celery tasks run in process. `market40.settings_production`
tightens this for a real deployment.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from market40 import database
from market40.env import env_bool, env_int, env_list, env_percent, env_str, env_time

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

# The embedded default has a fixed development key; production settings
# refuse it (see settings_production).
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-for-the-embedded-default-never-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "ninja",
    "core",
    "merchants",
    "payments",
    "reconciliation",
    "printables",
    "adoption",
    "revenue",
    "market40",
]

MIDDLEWARE = [
    # /healthz, /readyz and /metrics, before the host check and the HTTPS redirect.
    "market40.probes.OperationsEndpoints",
    "core.middleware.RequestId",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.VietnameseFirstLocaleMiddleware",
    "core.middleware.RefuseNulCharacters",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "market40.urls"
# A refused form (stale page, cookies off) gets a Vietnamese page, not Django's English one.
CSRF_FAILURE_VIEW = "core.errorpages.csrf_failure"
WSGI_APPLICATION = "market40.wsgi.application"

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
                "django.template.context_processors.i18n",
                "core.context_processors.roles",
            ],
        },
    },
]


def _database_config() -> dj_database_url.DBConfig:
    url = env_str("DATABASE_URL")
    if url:
        url = database.checked_url(url)
    else:
        # PostgreSQL embedded under VAR_DIR (market40/database.py); child
        # processes get its URL as theirs and use it without joining it.
        url = database.embedded_url(var_dir=VAR_DIR, name="market40")
        os.environ["DATABASE_URL"] = url
    return _parsed("DATABASE_URL", url)


def _parsed(name: str, url: str) -> dj_database_url.DBConfig:
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from exc
    # Django's own cursors bind parameters client-side and never prepare;
    # this lets the few statements run through server-side cursors (the
    # webhook intake statement) be prepared once per connection.
    config.setdefault("OPTIONS", {})["prepare_threshold"] = 5  # psycopg's own default
    return config


# Whether this process started or joined the embedded server: every test run
# of the checkout shares it, so each makes a test database of its own there.
DATABASE_EMBEDDED = not env_str("DATABASE_URL")
DATABASES = {"default": _database_config()}
# A streaming replica of the primary for the department's reports (core/replica.py).
# Tests read the primary under this name too.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "") or ""
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = _parsed("DATABASE_REPLICA_URL", database.checked_url(DATABASE_REPLICA_URL))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    # A replica that is down must not hold a report up for long.
    DATABASES["replica"]["OPTIONS"]["connect_timeout"] = 2
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
# A staff login lasts a working day (seconds).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# Celery: with no REDIS_URL, tasks run in process (embedded default).
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# With Redis down, a publish gives up at once instead of retrying for seconds;
# the outbox sweep sends the work later (payments/outbox.py).
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0}
CELERY_TASK_ROUTES = {
    "payments.*": {"queue": "ingest"},
    "merchants.*": {"queue": "reports"},
    "reconciliation.*": {"queue": "reconciliation"},
    "printables.*": {"queue": "printing"},
    "adoption.*": {"queue": "reports"},
    "market40.*": {"queue": "reports"},
}
CELERY_TASK_DEFAULT_QUEUE = "default"

# Follow-up work through the database (payments/outbox.py). The fault proof
# shortens all three so that hours of recovery fit in its minutes.
# A claimed event comes back to the queue after this long if its worker died.
OUTBOX_CLAIM_SECONDS = env_int("OUTBOX_CLAIM_SECONDS", 120)
# A failed event waits this × 2^attempts before its next try (at most an hour).
OUTBOX_RETRY_SECONDS = env_int("OUTBOX_RETRY_SECONDS", 30)
# How often beat sweeps up events whose task was never sent or whose worker died.
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", 60)

# Each partner's nightly reconciliation of yesterday runs at this local time,
# after the partners have dropped their settlement files.
RECONCILIATION_AT = env_time("RECONCILIATION_AT", "02:00")

# The programme's targets the dashboard and the monthly report measure against:
# the share of stalls transacting (30 days) each pilot market must reach, and
# the share of the city's markets that must be live.
ADOPTION_TARGET_PILOT_PERCENT = env_percent("ADOPTION_TARGET_PILOT_PERCENT", 50)
ADOPTION_TARGET_LIVE_PERCENT = env_percent("ADOPTION_TARGET_LIVE_PERCENT", 100)
# How far back the nightly rollup check recomputes: 0 is the whole history,
# a positive number the last N days (for when the history grows long).
ADOPTION_CHECK_DAYS = env_int("ADOPTION_CHECK_DAYS", 0)

# The yearly revenue (whole đồng) above which a household business must issue
# e-invoices (Decree 141/2026/NĐ-CP at the time of writing). The revenue book
# prints it and the threshold watch flags vendors at 80% of it or more.
REVENUE_THRESHOLD_VND = env_int("REVENUE_THRESHOLD_VND", 1_000_000_000)
if REVENUE_THRESHOLD_VND <= 0:
    raise ImproperlyConfigured(f"REVENUE_THRESHOLD_VND must be a positive number of đồng, got {REVENUE_THRESHOLD_VND}")

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Partner configuration (docs/partners.md). Secrets are comma-separated,
# newest first, so a rotation accepts both while partners move over.
VNPT_WEBHOOK_SECRETS = env_list("VNPT_WEBHOOK_SECRETS")
VIETTEL_CHECKSUM_KEYS = env_list("VIETTEL_CHECKSUM_KEYS")
MOBIFONE_WEBHOOK_SECRETS = env_list("MOBIFONE_WEBHOOK_SECRETS")
MOBIFONE_BIN = env_str("MOBIFONE_BIN", "") or ""
if MOBIFONE_BIN and not (MOBIFONE_BIN.isdigit() and len(MOBIFONE_BIN) == 6):
    raise ImproperlyConfigured(f"MOBIFONE_BIN must be 6 digits, got {MOBIFONE_BIN!r}")

SETTLEMENT_INBOX = Path(env_str("SETTLEMENT_INBOX", str(VAR_DIR / "settlement-inbox")))
# A market with at most this many posters is drawn in the request; a larger
# one by a worker, with progress.
POSTER_DIRECT_LIMIT = env_int("POSTER_DIRECT_LIMIT", 60)
# The link a vendor opens stays valid this many days.
VENDOR_LINK_MAX_AGE_DAYS = env_int("VENDOR_LINK_MAX_AGE_DAYS", 365)
# Base URL printed in vendor links and demo output.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000") or "http://127.0.0.1:8000"
# Where a stall screen's browser reaches the stream process (its base URL,
# e.g. https://stream.cho40.example.vn); empty means the site's own origin,
# behind a proxy that sends /stream/ to that process.
STALL_STREAM_URL = (env_str("STALL_STREAM_URL", "") or "").rstrip("/")

# Keeping personal data no longer than needed (docs/operations.md, "Retention").
# Raw webhook bodies lose the payer's name and account fragments after this
# many days (a hash of the original stays); the transaction, the money, is an
# accounting record kept for ACCOUNTING_RETENTION_YEARS; a vendor who left is
# anonymised this many days after closing. The nightly pass runs at RETENTION_AT.
WEBHOOK_BODY_RETENTION_DAYS = env_int("WEBHOOK_BODY_RETENTION_DAYS", 90)
ACCOUNTING_RETENTION_YEARS = env_int("ACCOUNTING_RETENTION_YEARS", 10)
VENDOR_ANONYMISE_AFTER_DAYS = env_int("VENDOR_ANONYMISE_AFTER_DAYS", 365)
# An uploaded vendor sheet (names, phones, CCCDs) is kept this long after its import, then emptied.
IMPORT_FILE_RETENTION_DAYS = env_int("IMPORT_FILE_RETENTION_DAYS", 30)
RETENTION_AT = env_time("RETENTION_AT", "03:30")
for _name in (
    "WEBHOOK_BODY_RETENTION_DAYS",
    "ACCOUNTING_RETENTION_YEARS",
    "VENDOR_ANONYMISE_AFTER_DAYS",
    "IMPORT_FILE_RETENTION_DAYS",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1")

# Operations (docs/operations.md, "Health and metrics"). /metrics answers a
# caller from these networks, or one that sends `Authorization: Bearer
# <METRICS_TOKEN>`; a request relayed by a proxy (X-Forwarded-For) needs the token.
METRICS_TOKEN = env_str("METRICS_TOKEN", "") or ""
try:
    METRICS_ALLOWED_NETWORKS = [
        ipaddress.ip_network(network) for network in env_list("METRICS_ALLOWED_NETWORKS", ["127.0.0.0/8", "::1/128"])
    ]
except ValueError as exc:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS must be comma-separated networks (CIDR): {exc}") from exc
# Where a Celery worker serves its own /metrics (host:port); empty serves none.
CELERY_METRICS_BIND = env_str("CELERY_METRICS_BIND", "") or ""
# prometheus-client's folder for the figures of a server's several processes
# (web server workers, a Celery pool); unset, each process counts for itself.
PROMETHEUS_MULTIPROC_DIR = env_str("PROMETHEUS_MULTIPROC_DIR", "") or ""

# Every log line goes to the console, where the process supervisor collects
# it: one JSON object a line with the request and delivery ids (core/logs.py),
# or LOG_FORMAT=plain for a person reading a terminal.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOG_FORMAT = env_str("LOG_FORMAT", "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "core.logs.ContextFields"}},
    "formatters": {
        "json": {"()": "core.logs.JsonLines"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["context"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}
# A worker logs through the same handler, in the same format, as the web.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

FORMAT_MODULE_PATH = ["market40.formats"]

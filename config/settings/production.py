"""Production: fails closed. Every service the topology needs must be named in the
environment (or .env); nothing falls back to a development default (SQLite, inline jobs, a
per-process cache, the development secret key). `.env.example` lists every variable.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

# Checked before base.py reads them (an empty DATABASE_URL would fail there, unclearly);
# .env counts, as it does in base.py.
environ.Env.read_env(Path(__file__).resolve().parents[2] / ".env", overwrite=False)
REQUIRED_VARIABLES = {
    "DJANGO_SECRET_KEY": "a long random secret key (50+ characters)",
    "DJANGO_ALLOWED_HOSTS": "the host names this site answers to, comma-separated",
    "DATABASE_URL": "the PostgreSQL database, e.g. postgresql://user:password@host:5432/mediahub",
    "CELERY_BROKER_URL": "the Celery broker, e.g. redis://host:6379/0",
    "REDIS_URL": "the shared cache, e.g. redis://host:6379/1",
}
for _name, _what in REQUIRED_VARIABLES.items():
    if not os.environ.get(_name, "").strip():
        raise ImproperlyConfigured(
            f"{_name} is not set: config.settings.production needs {_what} "
            f"(see .env.example and docs/operations.md)."
        )
if os.environ["DJANGO_SECRET_KEY"].strip() == "dev-insecure-mediahub-key-change-me":
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is the development key: set a long random one in production."
    )

from .base import *  # noqa: E402, F403
from .base import LOGGING, MIDDLEWARE, STORAGES, env  # noqa: E402

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
# A broker is required, so jobs never silently run inline in the web process.
CELERY_TASK_ALWAYS_EAGER = False

# HTTPS only. Behind a TLS-terminating proxy or load balancer that sets X-Forwarded-Proto
# (and overwrites any value a client sent), trust it; set DJANGO_TRUST_X_FORWARDED_PROTO=false
# when clients reach gunicorn directly. Health probes may use plain HTTP.
if env.bool("DJANGO_TRUST_X_FORWARDED_PROTO", default=True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health(/ready)?$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)

# Static files: `manage.py collectstatic` (part of every release) writes content-hashed,
# compressed copies to STATIC_ROOT; WhiteNoise serves them from gunicorn with far-future
# Cache-Control (a CDN in front may cache them forever).
MIDDLEWARE = list(MIDDLEWARE)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# JSON log lines (LOG_FORMAT=plain for people reading a terminal), INFO by default, with
# one `mediahub.request` line per request unless LOG_REQUESTS=false.
LOGGING = {
    **LOGGING,
    "loggers": {
        **LOGGING.get("loggers", {}),
        "mediahub.request": {
            "level": "INFO" if env.bool("LOG_REQUESTS", default=True) else "WARNING"
        },
    },
    "handlers": {
        "console": {
            **LOGGING["handlers"]["console"],
            "formatter": env("LOG_FORMAT", default="json"),
        }
    },
    "root": {**LOGGING["root"], "level": env("LOG_LEVEL", default="INFO")},
}

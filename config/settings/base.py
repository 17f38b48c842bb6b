"""Everything lives here; local/test/production only flip environment toggles.

Defaults need no set-up: SQLite, files on local disk, eager Celery, local-memory cache.
DATABASE_URL, CELERY_BROKER_URL, REDIS_URL and MEDIA_STORAGE=s3 switch to real services.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)  # the default SQLite file and media live here: a fresh clone migrates

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-insecure-mediahub-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "tenants",
    "catalog",
    "media_library",
    "assignments",
    "publishing",
    # Operations: work spanning apps, each its own app so it registers its job kinds in
    # its AppConfig.ready() (tenants.jobs.registry) and nothing below imports it.
    "assignments.manifests",
    "tenants.copy",
    "webhooks",
]

MIDDLEWARE = [
    # First: every log line of the request, whatever answers it, carries its id.
    "config.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # (production.py adds WhiteNoise here, serving the collected static files)
    "config.middleware.ContentSecurityPolicyMiddleware",
    # JSON errors for every /api/ path, no tracebacks for callers (R30); before the rest, so
    # it also sees what the middleware below answers.
    "tenants.api.middleware.CallerSafeErrorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A busy timeout keeps the dev server and an eager job from tripping over each other;
    # IMMEDIATE transactions take the write lock at BEGIN, so two concurrent writers wait
    # for each other instead of one failing at once with "database is locked" (a 500) when
    # its read transaction tries to become a write (found by scripts/fuzz).
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
else:
    # Persistent connections: a new PostgreSQL connection per request costs more than a
    # shop read itself (a cold read measured ~3x slower without).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Django binds parameters on the client and never prepares; the shop read's one query
    # (publishing/shop.py) runs as a prepared statement, which needs a threshold here.
    # DATABASE_PREPARED_STATEMENTS=false for a pooler that cannot keep them (PgBouncer
    # before 1.21 in transaction mode).
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Short socket timeouts: an unreachable cache fails fast (no request may hang on it).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "mediahub",
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))

# Files: local disk by default, any S3-compatible store with MEDIA_STORAGE=s3. Two storages
# (media_library/storage.py): "default" is private (every original, drafts, manifests, job
# files; members only, signed short-lived URLs on S3), "public" holds copies of published
# files and renditions under content-hashed names (immutable, CDN-cacheable).
MEDIA_STORAGE = env("MEDIA_STORAGE", default="local")
# Local public storage: a folder (default: MEDIA_ROOT's sibling `<MEDIA_ROOT>-public`) served
# by Django at this path, outside MEDIA_URL so a CDN rule can never mix the two.
MEDIA_PUBLIC_ROOT = env("MEDIA_PUBLIC_ROOT", default="")
MEDIA_PUBLIC_URL = env("MEDIA_PUBLIC_URL", default="/media-public/")
# How long a signed URL to a private file (S3) stays valid: only long enough to follow the
# redirect a member is given after the permission check.
MEDIA_PRIVATE_URL_SECONDS = env.int("MEDIA_PRIVATE_URL_SECONDS", default=300)
if MEDIA_STORAGE == "s3":
    _s3_service = {
        "endpoint_url": env("S3_ENDPOINT_URL", default=None),
        "access_key": env("S3_ACCESS_KEY_ID", default=None),
        "secret_key": env("S3_SECRET_ACCESS_KEY", default=None),
        "region_name": env("S3_REGION", default="us-east-1"),
    }
    _private_bucket = env("S3_BUCKET")
    _public_bucket = env("S3_PUBLIC_BUCKET", default="") or _private_bucket
    STORAGES = {
        "default": {
            "BACKEND": "media_library.storage.PrivateS3Storage",
            "OPTIONS": {
                **_s3_service,
                "bucket_name": _private_bucket,
                "location": env("S3_PRIVATE_LOCATION", default=""),
                "querystring_expire": MEDIA_PRIVATE_URL_SECONDS,
                "file_overwrite": False,
            },
        },
        "public": {
            "BACKEND": "media_library.storage.PublicS3Storage",
            "OPTIONS": {
                **_s3_service,
                "bucket_name": _public_bucket,
                # One bucket for both: public files under their own prefix, which a bucket
                # policy (or the ACL below) makes readable; a bucket of their own needs none.
                "location": env(
                    "S3_PUBLIC_LOCATION",
                    default="public" if _public_bucket == _private_bucket else "",
                ),
                # Empty when the bucket refuses ACLs (S3 Object Ownership "bucket owner
                # enforced"): then a bucket policy must allow s3:GetObject on the public prefix.
                "default_acl": env("S3_PUBLIC_ACL", default="public-read") or None,
                # e.g. a CDN in front of the public bucket: cdn.example.com
                "custom_domain": env("S3_PUBLIC_CUSTOM_DOMAIN", default="") or None,
            },
        },
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "public": {"BACKEND": "media_library.storage.PublicFileSystemStorage"},
    }
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# Uploads (R5): limits are configurable per deployment.
MEDIA_MAX_UPLOAD_BYTES = env.int("MEDIA_MAX_UPLOAD_BYTES", default=200 * 1024 * 1024)
MEDIA_MAX_IMAGE_PIXELS = env.int("MEDIA_MAX_IMAGE_PIXELS", default=100_000_000)
# Bulk uploads (imports) write their files from this many threads. 1 by default: on a local
# disk more threads measured slower (bench/store_threads.py); on an S3 service where each
# PUT is a round trip of tens of milliseconds, measure a few (the bench takes any storage).
MEDIA_STORE_THREADS = env.int("MEDIA_STORE_THREADS", default=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Public media URLs (R6): absolute base for site-relative URLs built without a request
# (read model, exports), e.g. "https://media.example.com"; and how long browsers/CDNs may
# cache the stable `/p/` links (which redirect to the content-hashed public files, cached
# for a year).
MEDIA_PUBLIC_BASE_URL = env("MEDIA_PUBLIC_BASE_URL", default="")
MEDIA_PUBLIC_MAX_AGE = env.int("MEDIA_PUBLIC_MAX_AGE", default=300)
# Export MediaPreviewURL: a signed link to the item's bytes (drafts too), valid this long.
MEDIA_PREVIEW_URL_SECONDS = env.int("MEDIA_PREVIEW_URL_SECONDS", default=3600)
# Manifests and zips uploaded for an import job are deleted when the job ends; this keeps
# them that long first (e.g. to retry a failed import), then beat deletes them.
MANIFEST_UPLOAD_KEEP_SECONDS = env.int("MANIFEST_UPLOAD_KEEP_SECONDS", default=0)

# The outbound-fetch guard (R29, tenants/outbound.py): manifest URLs and webhooks never
# reach internal addresses unless a hostname (".example.com" for a domain), IP or CIDR
# is listed here; each fetch is bounded in size (MEDIA_MAX_UPLOAD_BYTES) and time.
OUTBOUND_FETCH_ALLOWLIST = env.list("OUTBOUND_FETCH_ALLOWLIST", default=[])
OUTBOUND_FETCH_TIMEOUT_SECONDS = env.float("OUTBOUND_FETCH_TIMEOUT_SECONDS", default=20.0)

# Renditions (R6, issue 14; media_library/renditions.py), all made before any shop request:
# at upload by the renditions queue, at publish for whatever is still missing.
# Named sizes: name -> width, height, crop (cover the box around the focal point: a fixed
# aspect ratio) or fit; the MEDIA payload's `renditions` map. Optional "formats" (default
# ["auto"]: JPEG, PNG when the image has alpha; or "jpeg", "webp", "avif", "png").
MEDIA_RENDITIONS = {
    "thumb": {"width": 200, "height": 200, "crop": True},  # square
    "gallery": {"width": 1200, "height": 1200, "crop": False},
    "portrait": {"width": 800, "height": 1000, "crop": True},  # 4:5 gallery crop
    "swatch": {"width": 64, "height": 64, "crop": True},
}
# The responsive ladder: the whole image at each width (never upscaled) in each format;
# the MEDIA payload's `sources` (srcset). JPEG becomes PNG for images with alpha.
MEDIA_RENDITION_WIDTHS = env.list(
    "MEDIA_RENDITION_WIDTHS", cast=int, default=[160, 320, 640, 1024, 1600, 2400]
)
MEDIA_RENDITION_FORMATS = env.list("MEDIA_RENDITION_FORMATS", default=["jpeg", "webp", "avif"])
# Encoder settings per format, merged over media_library.renditions.ENCODERS (libvips
# option names: Q, effort, interlace...).
MEDIA_RENDITION_ENCODERS: dict[str, dict] = {}
# A swatch's crop rectangle is cut out at publish, no larger than this on its long side.
MEDIA_SWATCH_CROP_SIZE = env.int("MEDIA_SWATCH_CROP_SIZE", default=256)

# Celery: eager unless a broker is configured.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
# A task is acknowledged when it ends, not when it starts, and one whose process died
# (SIGKILL, OOM) goes back to the queue: work is never lost with its worker. Every task is
# idempotent (jobs are claimed atomically, so a redelivered job run is a no-op).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Celery's default queue (periodic housekeeping), which a worker given no -Q also reads.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=0) or None

# Queues (tenants/jobs/queues.py): publish (publishes, read-model drains), renditions,
# bulk (imports, exports, tenant copy, rebuilds), each with a soft limit (the task is
# interrupted and its job fails, saying so) and a hard one (its process is killed; the
# reaper fails the job), in seconds. Job runs carry their queue's limits in the message.
TASK_QUEUE_TIME_LIMITS = {
    "publish": {
        "soft_time_limit": env.int("PUBLISH_QUEUE_SOFT_TIME_LIMIT", default=1800),
        "time_limit": env.int("PUBLISH_QUEUE_TIME_LIMIT", default=1860),
    },
    "renditions": {
        "soft_time_limit": env.int("RENDITIONS_QUEUE_SOFT_TIME_LIMIT", default=600),
        "time_limit": env.int("RENDITIONS_QUEUE_TIME_LIMIT", default=660),
    },
    "bulk": {
        "soft_time_limit": env.int("BULK_QUEUE_SOFT_TIME_LIMIT", default=4 * 3600),
        "time_limit": env.int("BULK_QUEUE_TIME_LIMIT", default=4 * 3600 + 300),
    },
    CELERY_TASK_DEFAULT_QUEUE: {
        "soft_time_limit": env.int("DEFAULT_QUEUE_SOFT_TIME_LIMIT", default=300),
        "time_limit": env.int("DEFAULT_QUEUE_TIME_LIMIT", default=360),
    },
}
CELERY_TASK_QUEUES = {name: {} for name in ("publish", "renditions", "bulk")}
CELERY_TASK_QUEUES[CELERY_TASK_DEFAULT_QUEUE] = {}
# Tasks other than job runs (which go to their kind's queue, tenants.jobs.registry).
CELERY_TASK_ROUTES = {
    "media_library.tasks.media_item_derivatives_ensure": {"queue": "renditions"},
    "media_library.tasks.media_items_derivatives_ensure": {"queue": "renditions"},
    "media_library.tasks.media_derivatives_sweep": {"queue": "renditions"},
    "publishing.tasks.read_model_drain_tenant": {"queue": "publish"},
}
CELERY_TASK_ANNOTATIONS = {
    name: TASK_QUEUE_TIME_LIMITS[route["queue"]] for name, route in CELERY_TASK_ROUTES.items()
}
CELERY_TASK_SOFT_TIME_LIMIT = TASK_QUEUE_TIME_LIMITS[CELERY_TASK_DEFAULT_QUEUE]["soft_time_limit"]
CELERY_TASK_TIME_LIMIT = TASK_QUEUE_TIME_LIMITS[CELERY_TASK_DEFAULT_QUEUE]["time_limit"]
# Redis hands a task nobody acknowledged to another worker after this many seconds: it
# must outlast the longest hard limit, or a long import would run twice at once (a system
# check refuses a shorter one). A task whose whole worker vanished waits this long to be
# redelivered; the job reaper fails and retries its job long before.
CELERY_VISIBILITY_TIMEOUT = env.int(
    "CELERY_VISIBILITY_TIMEOUT",
    default=max(limits["time_limit"] for limits in TASK_QUEUE_TIME_LIMITS.values()) + 600,
)
# Prefixes every key Mediahub's Celery puts in Redis (queues, the beat schedule and its
# lock): several deployments, or test runs, can share one Redis database.
BROKER_KEY_PREFIX = env("CELERY_BROKER_KEY_PREFIX", default="")
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
if BROKER_KEY_PREFIX:
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = BROKER_KEY_PREFIX
# A broker blip (Redis restarting) must not kill a four-hour import: running tasks carry on
# and record their end in the database; their message, unacknowledged, comes back after the
# visibility timeout and finds the job claimed already (a no-op).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False

# Jobs (tenants/jobs/): a running job saves its heartbeat every JOB_HEARTBEAT_SECONDS; the
# reaper (beat, every JOB_REAPER_SECONDS) fails one silent for JOB_STALE_AFTER_SECONDS and
# queues idempotent kinds again, up to JOB_AUTO_RETRY_ATTEMPTS attempts in all; a queued
# job nobody claimed for JOB_REQUEUE_AFTER_SECONDS is sent again.
JOB_HEARTBEAT_SECONDS = env.float("JOB_HEARTBEAT_SECONDS", default=5.0)
JOB_STALE_AFTER_SECONDS = env.float("JOB_STALE_AFTER_SECONDS", default=60.0)
JOB_REAPER_SECONDS = env.float("JOB_REAPER_SECONDS", default=30.0)
JOB_AUTO_RETRY_ATTEMPTS = env.int("JOB_AUTO_RETRY_ATTEMPTS", default=3)
JOB_REQUEUE_AFTER_SECONDS = env.float("JOB_REQUEUE_AFTER_SECONDS", default=900.0)

# Exactly one scheduler (tenants/jobs/beat.py): with a Redis broker, the schedule and a lock
# live in Redis (celery-redbeat), so a second beat waits as a standby and takes over within
# BEAT_LOCK_TIMEOUT_SECONDS of the first one's death; otherwise Celery's file scheduler
# (run one). Beat wakes at least every CELERY_BEAT_MAX_INTERVAL seconds and records that it
# is alive every SCHEDULER_SEEN_SECONDS; pages and the API warn when it has not been seen
# for SCHEDULER_MISSING_AFTER_SECONDS.
CELERY_BEAT_SCHEDULER = (
    "tenants.jobs.beat:RedBeatScheduler"
    if CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    else "tenants.jobs.beat:FileScheduler"
)
CELERY_BEAT_MAX_INTERVAL = env.float("CELERY_BEAT_MAX_INTERVAL", default=5.0)
BEAT_LOCK_TIMEOUT_SECONDS = env.int("BEAT_LOCK_TIMEOUT_SECONDS", default=30)
SCHEDULER_SEEN_SECONDS = env.float("SCHEDULER_SEEN_SECONDS", default=5.0)
SCHEDULER_MISSING_AFTER_SECONDS = env.float("SCHEDULER_MISSING_AFTER_SECONDS", default=90.0)
# The file scheduler keeps the last run of each periodic task here.
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule")
)
CELERY_BEAT_SCHEDULE = {
    "publish-groups-due": {
        "task": "publishing.tasks.publish_groups_run_due",
        "schedule": env.float("PUBLISH_GROUPS_DUE_SECONDS", default=60.0),
    },
    "jobs-reap": {"task": "tenants.tasks.jobs_reap", "schedule": JOB_REAPER_SECONDS},
    # The safety net of the live read model: drain outbox rows a crashed process left,
    # one task per tenant that has any (never a rescan of every tenant).
    "read-model-drain": {
        "task": "publishing.tasks.read_model_drain_stale",
        "schedule": env.float("READ_MODEL_SYNC_SECONDS", default=30.0),
    },
    "change-feed-prune": {"task": "publishing.tasks.change_feed_prune", "schedule": 3600.0},
    "audit-prune": {"task": "tenants.tasks.audit_prune", "schedule": 3600.0},
    # Degrade, don't fail (issue 12): images whose renditions could not be queued at upload
    # (broker down) get them here.
    # R27: availability windows that opened or closed since the last run (within a minute).
    "media-availability-sweep": {
        "task": "media_library.tasks.media_availability_sweep",
        "schedule": env.float("MEDIA_AVAILABILITY_SWEEP_SECONDS", default=15.0),
    },
    "media-derivatives-sweep": {
        "task": "media_library.tasks.media_derivatives_sweep",
        "schedule": 300.0,
    },
    # Import uploads past MANIFEST_UPLOAD_KEEP_SECONDS, media files of killed imports.
    "manifest-imports-clean": {
        "task": "assignments.manifests.tasks.manifest_imports_clean",
        "schedule": 300.0,
    },
    # Webhooks (R28): follow the change feed and finished jobs, send due retries.
    "webhooks-tick": {
        "task": "webhooks.tasks.webhooks_tick",
        "schedule": env.float("WEBHOOK_TICK_SECONDS", default=5.0),
    },
    "webhooks-prune": {"task": "webhooks.tasks.webhooks_prune", "schedule": 3600.0},
}

# Webhooks (R28): each attempt is bounded in time; a failure is retried after
# base x 2^(n-1) seconds (capped) until the last attempt; the log is kept this many days.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=10)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
WEBHOOK_RETRY_MAX_SECONDS = env.float("WEBHOOK_RETRY_MAX_SECONDS", default=6 * 3600.0)
WEBHOOK_LOG_RETENTION_DAYS = env.int("WEBHOOK_LOG_RETENTION_DAYS", default=30)
# Without a broker, deliveries are sent by this many background threads of the process that
# made the change (never by the request itself); 0 sends them in the caller, before it goes on.
WEBHOOK_INLINE_THREADS = env.int("WEBHOOK_INLINE_THREADS", default=2)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "tenants.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tenants.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Mediahub API",
    "DESCRIPTION": "Omnichannel media management: library, assignments, publishing and the shop read API.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "MediaKindEnum": "media_library.models.MediaKind",
        "MediaStatusEnum": "media_library.models.MediaStatus",
        "ProductKindEnum": "catalog.models.ProductKind",
        "JobKindEnum": "tenants.models.JobKind",
        "JobStatusEnum": "tenants.models.JobStatus",
        "PublishGroupStatusEnum": "publishing.models.PublishGroupStatus",
        "RoleEnum": "tenants.models.Role",
        "WebhookDeliveryStatusEnum": "webhooks.models.DeliveryStatus",
    },
    # Every operation documents the shared error answers it can give (tenants/api/schema.py);
    # scripts/fuzz fails on any status the schema does not list.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tenants.api.schema.error_responses_add",
    ],
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/workspace/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Shop read API (R15): how long a process trusts its copy of a tenant's cache generation
# before asking the shared cache again. A publish shows on every server within this delay.
# How often a server process reads the change feed to drop the answers it holds that
# changed (any process's writes are served everywhere within this delay), and how many
# product/variant numbers it keeps rendered answers for.
SHOP_CHANGE_POLL_SECONDS = env.float("SHOP_CHANGE_POLL_SECONDS", default=0.25)
# R27 without beat (jobs inline, no broker): shop reads apply availability dates that passed,
# at most this often per process. Ignored when a broker is set (beat's sweep does it).
MEDIA_AVAILABILITY_INLINE_SWEEP_SECONDS = env.float(
    "MEDIA_AVAILABILITY_INLINE_SWEEP_SECONDS", default=10.0
)
SHOP_LOCAL_CACHE_ENTRIES = env.int("SHOP_LOCAL_CACHE_ENTRIES", default=50_000)
# Change-feed rows older than this are pruned by beat; a follower further behind gets 410.
CHANGE_FEED_RETENTION_DAYS = env.int("CHANGE_FEED_RETENTION_DAYS", default=30)
# Audit-log rows (tenants.AuditEvent: who changed what) older than this are pruned by beat.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)

# Called with the new tenant by tenants.services.tenant_create, so apps seed their per-tenant
# defaults (e.g. media purposes) without the tenants app importing them.
TENANT_INITIALIZERS: list[str] = ["assignments.services.purposes_seed_defaults"]

# One console handler; every record carries the request id (config/logging.py). Plain lines
# here, JSON lines in production (LOG_FORMAT=json|plain). `mediahub.request` logs one INFO
# line per request (method, path, status, duration): seen at LOG_LEVEL=INFO (production's).
LOG_LEVEL = env("LOG_LEVEL", default="WARNING")
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# Called with document=... after a check-in that staged new content (in its transaction).
# None by default: a check-in never adds a product to a publish group (issue 15: membership
# is explicit, someone adds the product), and it never publishes anything.
ASSIGNMENT_CHECKIN_HOOKS: list[str] = []

# A check-out idle this long (no save or edit by its holder) may be taken over by anyone with
# edit rights; publishers may take one over at any time (assignments.locks, issue 15).
CHECKOUT_IDLE_MINUTES = env.int("CHECKOUT_IDLE_MINUTES", default=120)

# The live read model (R21): services note changes in tenants.ChangeOutbox; after commit
# these drain it (publishing re-projects exactly the products and categories named).
# After it, webhooks follow the change feed the projection just grew (a worker does).
OUTBOX_DRAINERS = ["publishing.drain.outbox_drain", "webhooks.follow.answers_follow_after_drain"]
# Told of media events inside the transaction that caused them (tenants/events.py), each in
# a savepoint of its own: a failing hook never fails the write.
DOMAIN_EVENT_HOOKS = ["webhooks.events.domain_event_record"]
# Hooks from the apps above that say where a channel/locale or a dimension value about to
# be deleted is still used (R22), so the lower apps import nothing above them.
CONTEXT_USAGE_HOOKS = [
    "assignments.selectors.context_usages",
    "catalog.selectors.channel_category_usages",
]
CATALOG_VALUE_USAGE_HOOKS = ["assignments.selectors.dimension_value_usages"]
CATALOG_PUBLISHED_HOOKS = ["assignments.selectors.product_has_published_content"]
MEDIA_PUBLISHED_USAGE_HOOKS = ["assignments.selectors.media_published_usages"]
# Conditions (Q on MediaItem) for items that current content uses: the library's "unused".
MEDIA_CURRENT_USE_CONDITIONS = ["assignments.media_in_use.media_current_use_condition"]
# Where-used (R26): current uses and history of a media item, from the apps above.
MEDIA_USAGE_HOOKS = ["assignments.selectors.media_usages"]


# Content-Security-Policy (config.middleware, not sent with DEBUG on). The pages load only
# their own scripts and styles; style *attributes* are allowed (the workspace sets progress
# widths and swatch colours through them), <style> elements are not (style-src-elem).
# Images and video may also come from where media is stored (S3 or a media domain):
# CSP_MEDIA_ORIGINS adds origins to those found from MEDIA_PUBLIC_BASE_URL and S3_*.


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


_media_origins = [_origin(env("MEDIA_PUBLIC_BASE_URL", default=""))]
if MEDIA_STORAGE == "s3":
    _media_origins.append(_origin(env("S3_ENDPOINT_URL", default="")))
    if env("S3_PUBLIC_CUSTOM_DOMAIN", default=""):
        _media_origins.append(f"https://{env('S3_PUBLIC_CUSTOM_DOMAIN')}")
    if not env("S3_ENDPOINT_URL", default=""):
        _region = env("S3_REGION", default="us-east-1")
        for _bucket in dict.fromkeys([env("S3_BUCKET", default=""), _public_bucket]):
            _media_origins += [
                f"https://{_bucket}.s3.amazonaws.com",
                f"https://{_bucket}.s3.{_region}.amazonaws.com",
            ]
CSP_MEDIA_ORIGINS = list(
    dict.fromkeys(o for o in [*_media_origins, *env.list("CSP_MEDIA_ORIGINS", default=[])] if o)
)
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "style-src-elem": ["'self'"],
    "img-src": ["'self'", "data:", "blob:", *CSP_MEDIA_ORIGINS],
    "media-src": ["'self'", "blob:", *CSP_MEDIA_ORIGINS],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# The API docs page (drf-spectacular's Swagger UI) loads its bundle from jsdelivr, with an
# inline <style>; its script comes from the docs URL itself (SpectacularSwaggerSplitView).
_swagger_cdn = "https://cdn.jsdelivr.net"
CONTENT_SECURITY_POLICY_PATHS = {
    "/api/docs/": {
        "script-src": ["'self'", _swagger_cdn],
        "style-src": ["'self'", "'unsafe-inline'", _swagger_cdn],
        "style-src-elem": ["'self'", "'unsafe-inline'", _swagger_cdn],
        "img-src": ["'self'", "data:", _swagger_cdn],
    },
}
CONTENT_SECURITY_POLICY_REPORT_ONLY = env.bool("CSP_REPORT_ONLY", default=False)

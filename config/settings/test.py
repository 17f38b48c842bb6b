from .base import *  # noqa: F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = env("MEDIA_ROOT", default="/tmp/mediahub-test-media")

# Tests run jobs inline; the `live_worker` fixture switches a test to a real worker
# when CELERY_BROKER_URL is set (the PostgreSQL run of .ci/run).
CELERY_TASK_ALWAYS_EAGER = True

# Every shop read follows the change feed first, so a test sees its own writes at once.
SHOP_CHANGE_POLL_SECONDS = env.float("SHOP_CHANGE_POLL_SECONDS", default=0.0)
# Query counts of shop reads stay exact: the availability tests run the sweep themselves.
MEDIA_AVAILABILITY_INLINE_SWEEP_SECONDS = 0.0

# The webhook tests' receiver listens on 127.0.0.9 (tests/webhooks/conftest.py): allowlisted
# here, so the real-worker tests can reach it too; 127.0.0.1 and the rest of loopback stay
# refused, as by default. Retries come fast and the attempts are few.
OUTBOUND_FETCH_ALLOWLIST = env.list("OUTBOUND_FETCH_ALLOWLIST", default=["127.0.0.9"])
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=1.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=4)
# Deliveries in the caller, so a test sees them sent when its write returns (the default's
# background threads are tested in tests/webhooks/test_inline_threads.py).
WEBHOOK_INLINE_THREADS = env.int("WEBHOOK_INLINE_THREADS", default=0)

# Jobs run inline and finish in milliseconds here; a test that watches the heartbeat sets
# its own interval (a beat from another thread into SQLite's shared in-memory test database
# would only compete with the test's own writes).
JOB_HEARTBEAT_SECONDS = env.float("JOB_HEARTBEAT_SECONDS", default=30.0)

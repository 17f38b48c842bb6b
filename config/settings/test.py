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

# Jobs run inline and finish in milliseconds here; a test that watches the heartbeat sets
# its own interval (a beat from another thread into SQLite's shared in-memory test database
# would only compete with the test's own writes).
JOB_HEARTBEAT_SECONDS = env.float("JOB_HEARTBEAT_SECONDS", default=30.0)

"""The Celery app (celery -A config worker|beat). Production settings unless told
otherwise, like config/wsgi.py; manage.py alone defaults to local settings."""

import logging.config
import os

from celery import Celery, signals

from config.logging import (
    task_postrun_reset_request_id,
    task_prerun_set_request_id,
    task_publish_add_request_id,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("mediahub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The request id travels with the tasks a request sends (config/logging.py).
signals.before_task_publish.connect(task_publish_add_request_id, weak=False)
signals.task_prerun.connect(task_prerun_set_request_id, weak=False)
signals.task_postrun.connect(task_postrun_reset_request_id, weak=False)


@signals.setup_logging.connect(weak=False)
def logging_setup(loglevel=None, **kwargs) -> None:
    """Workers and beat log like the web processes (settings.LOGGING: JSON lines with the
    request id in production) instead of Celery's own format; `-l` sets the level."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)

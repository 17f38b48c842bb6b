"""ASGI entry point (e.g. uvicorn config.asgi:application). Production settings unless
told otherwise, like config/wsgi.py."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_asgi_application()

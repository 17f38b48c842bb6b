from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Signed webhooks (R28): the top floor. It follows publishing's change feed and the
    jobs list, and hears media events through `tenants.events`; nothing imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"

from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Tenants and jobs"

    def ready(self) -> None:
        from tenants.jobs import checks  # noqa: F401 - registers the system checks

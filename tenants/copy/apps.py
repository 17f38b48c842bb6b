from django.apps import AppConfig


class TenantCopyConfig(AppConfig):
    """Tenant copy (R19): an operations app, so it registers its job kind itself."""

    name = "tenants.copy"
    label = "tenant_copy"
    verbose_name = "Tenant copy"

    def ready(self) -> None:
        from tenants.jobs.queues import BULK
        from tenants.jobs.registry import job_kind_register
        from tenants.models import JobKind, Role

        # Copies can be run again safely (R19: no duplicates), so a run whose worker died
        # is retried on its own. Retrying also needs admin of the source (retry_check).
        job_kind_register(
            kind=JobKind.COPY,
            label="Tenant copy",
            execute="tenants.copy.jobs.copy_job_body",
            queue=BULK,
            start_role=Role.ADMIN,
            auto_retry=True,
            retry_check="tenants.copy.jobs.copy_job_retry_check",
            api_start="tenants.copy.jobs.copy_job_start_from_api",
        )

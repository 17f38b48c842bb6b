from django.apps import AppConfig


class ManifestsConfig(AppConfig):
    """Bulk manifests (R18): an operations app, so it registers its job kinds itself."""

    name = "assignments.manifests"
    label = "manifests"
    verbose_name = "Manifests"

    def ready(self) -> None:
        from tenants.jobs.queues import BULK
        from tenants.jobs.registry import job_kind_register
        from tenants.models import JobKind, Role

        # An import is the heaviest job there is (and may be what killed its worker, e.g.
        # out of memory): after a death an admin decides whether to run it again.
        job_kind_register(
            kind=JobKind.IMPORT,
            label="Manifest import",
            execute="assignments.manifests.jobs.import_job_body",
            queue=BULK,
            start_role=Role.ADMIN,
            finished="assignments.manifests.jobs.import_job_finished",
        )
        # An export only reads and writes its own zip: safe to run again on its own.
        job_kind_register(
            kind=JobKind.EXPORT,
            label="Manifest export",
            execute="assignments.manifests.jobs.export_job_body",
            queue=BULK,
            start_role=Role.VIEWER,
            auto_retry=True,
        )

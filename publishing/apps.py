from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from tenants.jobs.queues import PUBLISH
        from tenants.jobs.registry import job_kind_register
        from tenants.models import JobKind, Role

        # A publish is one transaction (all or nothing) and publishing what is already
        # published changes nothing: a run whose worker died is retried on its own.
        job_kind_register(
            kind=JobKind.PUBLISH,
            label="Publish",
            execute="publishing.jobs.publish_job_body",
            queue=PUBLISH,
            start_role=Role.PUBLISHER,
            auto_retry=True,
            finished="publishing.jobs.publish_job_finished",
        )

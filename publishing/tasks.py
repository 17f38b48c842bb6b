"""Thin Celery tasks: they take ids, load, and call a service; safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.utils.module_loading import import_string

from .models import Job


@shared_task(acks_late=True)
def job_run(job_id: int) -> str:
    """Run a queued job by its kind. A job already finished or running is left alone."""
    from .jobs import job_claim

    if not job_claim(job_id=job_id):  # a task delivered twice (acks_late, retries) runs once
        return "skipped"
    job = Job.objects.select_related("tenant", "created_by").get(pk=job_id)
    path = settings.JOB_RUNNERS.get(job.kind)
    if path is None:
        from .jobs import job_fail

        job_fail(job=job, error=f"No runner for jobs of kind {job.kind}.")
        return "failed"
    return import_string(path)(job=job).status


@shared_task
def publish_groups_run_due() -> list[int]:
    """Celery beat, every minute: start the publish groups whose scheduled time has come."""
    from .groups import groups_run_due

    return groups_run_due()


@shared_task
def read_model_drain_stale() -> dict[int, int]:
    """Celery beat: fan out one drain per tenant whose outbox holds rows a process left
    behind (it died between commit and drain); returns {tenant id: rows waiting}."""
    from .drain import outbox_drain_stale

    waiting = outbox_drain_stale()
    for tenant_id in waiting:
        read_model_drain_tenant.delay(tenant_id)
    return waiting


@shared_task
def read_model_drain_tenant(tenant_id: int) -> dict:
    """Project everything the tenant's outbox names; safe to run twice."""
    from .drain import outbox_drain

    return outbox_drain(tenant_id=tenant_id).as_dict()


@shared_task
def change_feed_prune() -> int:
    """Celery beat: drop change-feed rows older than CHANGE_FEED_RETENTION_DAYS."""
    from .changes import change_feed_prune as prune

    return prune()


@shared_task
def jobs_reap_stale_task() -> dict[str, int]:
    """Celery beat: fail jobs whose worker died, re-queue jobs whose message was lost."""
    from .jobs import jobs_reap_stale

    return jobs_reap_stale()

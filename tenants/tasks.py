"""Thin Celery tasks of the ground floor: run a job, reap dead ones. Ids in, a service call,
safe to run twice."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def job_run(job_id: int) -> str:
    """Run a queued job through the one runner skeleton. A job already claimed (a duplicate
    delivery, a redelivery after the worker was lost) is left alone: "skipped"."""
    from tenants.jobs.runner import job_execute

    job = job_execute(job_id=job_id)
    return job.status if job is not None else "skipped"


@shared_task
def jobs_reap() -> dict[str, int]:
    """Celery beat: fail jobs whose worker died (retrying idempotent kinds), resend jobs whose
    message was lost."""
    from tenants.jobs.reaper import jobs_reap as reap

    return reap()


@shared_task
def audit_prune() -> int:
    """Celery beat: drop audit rows older than AUDIT_RETENTION_DAYS."""
    from tenants.audit import audit_prune as prune

    return prune()

"""Thin Celery tasks: they take ids, load, and call a service; safe to run twice. (Job runs
and the reaper are the ground floor's: tenants.tasks.)"""

from celery import shared_task


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

"""The publish job kind (R16): its body and its finished hook, registered with the ground
floor's job machinery in PublishingConfig.ready(). The runner (tenants.jobs.runner) does
the rest: claim, start, heartbeat, progress, the end, retries."""

from __future__ import annotations

from tenants.jobs.services import ProgressReporter
from tenants.models import Channel, Job, JobStatus, Locale

from .services import products_publish


def publish_job_body(*, job: Job, progress: ProgressReporter) -> dict:
    """Publish the job's products in its context (one transaction: a failure, or a killed
    worker, leaves the previous published state untouched)."""
    params = job.params
    tenant = job.tenant
    channel = (
        Channel.objects.get(tenant=tenant, code=params["channel"])
        if params.get("channel")
        else None
    )
    locale = (
        Locale.objects.get(tenant=tenant, code=params["locale"]) if params.get("locale") else None
    )
    product_ids = params.get("product_ids") or []
    progress.set_total(len(product_ids))
    return products_publish(
        tenant=tenant,
        product_ids=product_ids,
        user=job.created_by,
        channel=channel,
        locale=locale,
        publish_dependencies=params.get("publish_dependencies", False),
        progress=progress.advance,
    )


def publish_job_finished(*, job: Job) -> None:
    """A publish group takes its final status from its job's."""
    if job.params.get("group_id"):
        from .groups import group_job_finished

        group_job_finished(
            group_id=job.params["group_id"], succeeded=job.status == JobStatus.SUCCEEDED
        )

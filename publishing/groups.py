"""Publish groups (R16): validate, schedule, publish up to 2,000 products as one job."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tenants.exceptions import Conflict, DomainError, NotFound, ValidationFailed
from tenants.jobs.services import JobQueueUnavailable, job_create, job_fail
from tenants.models import Channel, Job, JobKind, Locale, Tenant

from .models import PublishGroup, PublishGroupStatus
from .services import product_ids_for, publish_job_start, publish_plan

logger = logging.getLogger(__name__)


def _size_check(product_ids) -> None:
    if len(product_ids) > PublishGroup.MAX_PRODUCTS:
        raise DomainError(
            f"A publish group holds at most {PublishGroup.MAX_PRODUCTS} products.", field="products"
        )


@transaction.atomic
def group_create(
    *,
    tenant: Tenant,
    user: AbstractBaseUser | None,
    name: str,
    channel: Channel | None = None,
    locale: Locale | None = None,
    products: Sequence[str] = (),
    publish_dependencies: bool = False,
) -> PublishGroup:
    name = (name or "").strip()
    if not name:
        raise DomainError("A publish group needs a name.", field="name")
    if PublishGroup.objects.filter(tenant=tenant, name=name).exists():
        raise Conflict(f"A publish group named '{name}' already exists.", field="name")
    ids = product_ids_for(tenant=tenant, numbers=products)
    _size_check(ids)
    group = PublishGroup.objects.create(
        tenant=tenant,
        name=name,
        channel=channel,
        locale=locale,
        publish_dependencies=publish_dependencies,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    group.products.set(ids)
    return group


@transaction.atomic
def group_update(
    *,
    group: PublishGroup,
    name: str | None = None,
    products: Sequence[str] | None = None,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    publish_dependencies: bool | None = None,
) -> PublishGroup:
    group = _locked(group)
    if group.status == PublishGroupStatus.RUNNING:
        raise Conflict("The group is being published; change it when the job ends.", field="status")
    if name is not None and name.strip() != group.name:
        if (
            PublishGroup.objects.filter(tenant=group.tenant, name=name.strip())
            .exclude(pk=group.pk)
            .exists()
        ):
            raise Conflict(f"A publish group named '{name}' already exists.", field="name")
        group.name = name.strip()
    if publish_dependencies is not None:
        group.publish_dependencies = publish_dependencies
    current = set(group.products.values_list("pk", flat=True))
    if products is not None:
        current = set(product_ids_for(tenant=group.tenant, numbers=products))
    current |= set(product_ids_for(tenant=group.tenant, numbers=add)) if add else set()
    current -= set(product_ids_for(tenant=group.tenant, numbers=remove)) if remove else set()
    _size_check(current)
    group.products.set(current)
    group.save()
    return group


def group_validate(*, group: PublishGroup) -> dict:
    """What publishing the group now would do, and every reason it would be refused."""
    product_ids = list(group.products.values_list("pk", flat=True))
    problems: list[dict] = []
    if not product_ids:
        problems.append({"field": "products", "reason": "The group has no products."})
    plan = publish_plan(
        tenant=group.tenant, product_ids=product_ids, channel=group.channel, locale=group.locale
    )
    for holder in plan.holder_list():
        problems.append(
            {
                "field": "checked_out",
                "reason": f"{holder['product']} ({holder['channel']}/{holder['locale']}) is checked out by {holder['checked_out_by']}.",
            }
        )
    if plan.dependencies and not group.publish_dependencies:
        for media in plan.dependency_list():
            problems.append(
                {
                    "field": "dependencies",
                    "reason": f"Media '{media['display_name']}' (id {media['id']}) is not published.",
                }
            )
    return {
        "valid": not problems,
        "products": len(product_ids),
        "documents_to_publish": len(plan.documents),
        "dependencies": plan.dependency_list(),
        "problems": problems,
    }


def _require_valid(group: PublishGroup) -> None:
    report = group_validate(group=group)
    if not report["valid"]:
        raise ValidationFailed(
            [(p["field"], p["reason"]) for p in report["problems"]],
            message="The publish group cannot be published.",
        )


@transaction.atomic
def group_schedule(*, group: PublishGroup, when: datetime) -> PublishGroup:
    group = _locked(group)
    if when <= timezone.now():
        raise DomainError("Choose a date and time in the future.", field="scheduled_at")
    if group.status == PublishGroupStatus.RUNNING:
        raise Conflict("The group is being published.", field="status")
    _require_valid(group)
    group.status = PublishGroupStatus.SCHEDULED
    group.scheduled_at = when
    group.save(update_fields=["status", "scheduled_at", "updated_at"])
    return group


@transaction.atomic
def group_unschedule(*, group: PublishGroup) -> PublishGroup:
    group = _locked(group)
    if group.status != PublishGroupStatus.SCHEDULED:
        raise Conflict(f"The group is not scheduled (it is {group.status}).", field="status")
    group.status = PublishGroupStatus.OPEN
    group.scheduled_at = None
    group.save(update_fields=["status", "scheduled_at", "updated_at"])
    return group


@transaction.atomic
def group_publish(*, group: PublishGroup, user: AbstractBaseUser | None) -> Job:
    """Validate again and queue the group's publish job now."""
    group = _locked(group)
    if group.status == PublishGroupStatus.RUNNING:
        raise Conflict("The group is already being published.", field="status")
    _require_valid(group)
    job = publish_job_start(
        tenant=group.tenant,
        user=user,
        product_ids=list(group.products.order_by("pk").values_list("pk", flat=True)),
        channel=group.channel,
        locale=group.locale,
        publish_dependencies=group.publish_dependencies,
        description=f"Publish group '{group.name}'",
        group_id=group.pk,
    )
    group.status = PublishGroupStatus.RUNNING
    group.last_job = job
    group.save(update_fields=["status", "last_job", "updated_at"])
    return job


def group_job_finished(*, group_id: int, succeeded: bool) -> None:
    PublishGroup.objects.filter(pk=group_id).update(
        status=PublishGroupStatus.PUBLISHED if succeeded else PublishGroupStatus.FAILED,
        scheduled_at=None,
        updated_at=timezone.now(),
    )


def groups_run_due(*, now: datetime | None = None) -> list[int]:
    """Start every scheduled group whose time has come (Celery beat calls this each minute).

    A group that fails validation at its time is marked failed with the reason on a job.
    """
    now = now or timezone.now()
    started = []
    due = PublishGroup.objects.filter(
        status=PublishGroupStatus.SCHEDULED, scheduled_at__lte=now
    ).order_by("pk")
    for group in due.select_related("tenant", "created_by"):
        try:
            job = _group_publish_due(group=group, now=now)
        except JobQueueUnavailable:
            # A passing outage is no reason to fail the group: it stays scheduled and the
            # next run (every minute) starts it.
            logger.warning("job queue unavailable: publish group %s left scheduled", group.pk)
            break
        except (DomainError, ValidationFailed) as exc:
            _fail_unpublishable(group, exc)
            continue
        if job is not None:
            started.append(job.pk)
    return started


@transaction.atomic
def _group_publish_due(*, group: PublishGroup, now: datetime) -> Job | None:
    """Start a due group, unless another run (a second scheduler, a redelivered task) started
    it, or it was unscheduled, between the list and the row lock: None then, never a second
    job nor a group failed for being busy."""
    locked = _locked(group)
    if locked.status != PublishGroupStatus.SCHEDULED or not (
        locked.scheduled_at and locked.scheduled_at <= now
    ):
        return None
    return group_publish(group=locked, user=group.created_by)


def _fail_unpublishable(group: PublishGroup, exc: DomainError) -> None:
    reasons = [f"{f}: {r}" for f, r in getattr(exc, "errors", [])] or [exc.message]
    job = job_create(
        tenant=group.tenant,
        kind=JobKind.PUBLISH,
        user=group.created_by,
        description=f"Publish group '{group.name}' (scheduled)",
    )
    for reason in reasons:
        job_fail(job=job, error=reason)
    PublishGroup.objects.filter(pk=group.pk).update(
        status=PublishGroupStatus.FAILED, last_job=job, updated_at=timezone.now()
    )


def group_collect_checkin(*, document) -> None:
    """Checking in a document adds its product to the open or scheduled groups of that context."""
    groups = PublishGroup.objects.filter(
        tenant_id=document.tenant_id,
        status__in=(PublishGroupStatus.OPEN, PublishGroupStatus.SCHEDULED),
    ).filter(
        Q(channel_id=document.channel_id) | Q(channel__isnull=True),
        Q(locale_id=document.locale_id) | Q(locale__isnull=True),
    )
    for group in groups:
        if group.products.count() < PublishGroup.MAX_PRODUCTS:
            group.products.add(document.product_id)


def groups_collect_checkins(*, documents) -> None:
    """`group_collect_checkin` for all documents of one bulk check-in (manifest import,
    tenant copy), in a fixed number of queries: the open or scheduled groups, then for each
    group matching any of the documents its current products and one insert (the size
    limit kept as by the one-document form)."""
    documents = list(documents)
    if not documents:
        return
    groups = PublishGroup.objects.filter(
        tenant_id__in={d.tenant_id for d in documents},
        status__in=(PublishGroupStatus.OPEN, PublishGroupStatus.SCHEDULED),
    ).order_by("pk")
    for group in groups:
        wanted = dict.fromkeys(
            d.product_id
            for d in documents
            if d.tenant_id == group.tenant_id
            and group.channel_id in (None, d.channel_id)
            and group.locale_id in (None, d.locale_id)
        )
        if not wanted:
            continue
        held = set(group.products.values_list("pk", flat=True))
        room = max(PublishGroup.MAX_PRODUCTS - len(held), 0)
        new = [pk for pk in wanted if pk not in held][:room]
        if new:
            group.products.add(*new)


# assignments.services calls a hook's `bulk` form once per bulk check-in, when it has one.
group_collect_checkin.bulk = groups_collect_checkins


def _locked(group: PublishGroup) -> PublishGroup:
    """The group's row, locked (call inside a transaction): 404 when a concurrent request
    deleted it since the caller loaded it."""
    try:
        return (
            PublishGroup.objects.select_for_update(of=("self",))
            .select_related("tenant", "channel", "locale")
            .get(pk=group.pk)
        )
    except PublishGroup.DoesNotExist:
        raise NotFound("This publish group no longer exists.", field="id") from None


@transaction.atomic
def group_delete(*, group: PublishGroup) -> None:
    group = _locked(group)
    if group.status == PublishGroupStatus.RUNNING:
        raise Conflict("The group is being published; delete it when the job ends.", field="status")
    group.delete()

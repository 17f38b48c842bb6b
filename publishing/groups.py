"""Publish groups (R16): validate, schedule, publish up to 2,000 products as one job."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from assignments.models import AssignmentEntry
from catalog.models import Product
from tenants.audit import audit_record, audit_value, changes
from tenants.exceptions import Conflict, DomainError, NotFound, ValidationFailed
from tenants.jobs.services import JobQueueUnavailable, job_create, job_fail
from tenants.models import Channel, Job, JobKind, Locale, Role, Tenant
from tenants.selectors import actor_role_require

from .models import PublishGroup, PublishGroupStatus
from .services import product_ids_for, publish_job_start, publish_plan

logger = logging.getLogger(__name__)


def group_role_require(*, tenant: Tenant, user: AbstractBaseUser | None, action: str) -> None:
    """The one check every publish-group write makes itself (R1a, R30): a user must be a
    publisher of the group's tenant, whichever door they came through (API, workspace,
    admin, command, a scheduled run as the user who scheduled it). `user` None is a system
    action (an operator's manage.py without --user): no role to check."""
    actor_role_require(tenant=tenant, user=user, role=Role.PUBLISHER, action=action)


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
    group_role_require(tenant=tenant, user=user, action="create publish groups")
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
    _audit(
        group,
        user,
        "group.create",
        channel=channel.code if channel else None,
        locale=locale.code if locale else None,
        products=len(ids),
        publish_dependencies=publish_dependencies,
    )
    return group


def _audit(group: PublishGroup, user: AbstractBaseUser | None, action: str, **detail) -> None:
    """The group's audit row, in the service's transaction (tenants.audit)."""
    audit_record(user=user, action=action, obj=group, detail=detail)  # str(group) is its name


def _numbers(ids) -> list[str]:
    return sorted(Product.objects.filter(pk__in=ids).values_list("number", flat=True))


def group_update(
    *,
    group: PublishGroup,
    user: AbstractBaseUser | None,
    name: str | None = None,
    products: Sequence[str] | None = None,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    publish_dependencies: bool | None = None,
) -> PublishGroup:
    group_role_require(tenant=group.tenant, user=user, action="change publish groups")
    return _group_update(
        group=group,
        user=user,
        action="group.update",
        name=name,
        products=products,
        add=add,
        remove=remove,
        publish_dependencies=publish_dependencies,
    )


@transaction.atomic
def _group_update(
    *,
    group: PublishGroup,
    user: AbstractBaseUser | None,
    action: str,
    name: str | None = None,
    products: Sequence[str] | None = None,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    publish_dependencies: bool | None = None,
) -> PublishGroup:
    """group_update after the role check (add/remove make their own, naming their action)."""
    group = _locked(group)
    if group.status == PublishGroupStatus.RUNNING:
        raise Conflict("The group is being published; change it when the job ends.", field="status")
    before = {"name": group.name, "publish_dependencies": group.publish_dependencies}
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
    old_ids = set(current)
    if products is not None:
        current = set(product_ids_for(tenant=group.tenant, numbers=products))
    current |= set(product_ids_for(tenant=group.tenant, numbers=add)) if add else set()
    current -= set(product_ids_for(tenant=group.tenant, numbers=remove)) if remove else set()
    _size_check(current)
    group.products.set(current)
    group.save()
    detail = changes(
        before, {"name": group.name, "publish_dependencies": group.publish_dependencies}
    )
    added, removed = _numbers(current - old_ids), _numbers(old_ids - current)
    if added:
        detail["added"] = audit_value(added[:100])
    if removed:
        detail["removed"] = audit_value(removed[:100])
    detail["products"] = len(current)
    _audit(group, user, action, **detail)
    return group


def group_products_add(
    *, group: PublishGroup, user: AbstractBaseUser | None, products: Sequence[str]
) -> PublishGroup:
    """Explicit membership (issue 15): a product joins a group only when someone adds it.
    `user` None is a system action; a user must be a publisher (R1a)."""
    group_role_require(tenant=group.tenant, user=user, action="add products to publish groups")
    if not products:
        raise DomainError("Name at least one product to add.", field="products")
    return _group_update(group=group, user=user, action="group.add", add=products)


def group_products_remove(
    *, group: PublishGroup, user: AbstractBaseUser | None, products: Sequence[str]
) -> PublishGroup:
    group_role_require(tenant=group.tenant, user=user, action="remove products from publish groups")
    if not products:
        raise DomainError("Name at least one product to remove.", field="products")
    return _group_update(group=group, user=user, action="group.remove", remove=products)


def group_validate(*, group: PublishGroup) -> dict:
    """What publishing the group now would do, and every reason it would be refused, listed
    per product too (`by_product`), so the page shows each product's problems beside it.

    A product with nothing checked in to publish in the group's context is a warning, not a
    refusal: the group publishes what its other products have.
    """
    products = list(group.products.order_by("number").values_list("pk", "number", "name"))
    product_ids = [pk for pk, _, _ in products]
    problems: list[dict] = []
    by_product = {
        number: {"product": number, "name": name, "documents": 0, "problems": [], "warnings": []}
        for _, number, name in products
    }
    if not product_ids:
        problems.append({"field": "products", "reason": "The group has no products."})
    plan = publish_plan(
        tenant=group.tenant, product_ids=product_ids, channel=group.channel, locale=group.locale
    )
    for holder in plan.holder_list():
        problem = {
            "field": "checked_out",
            "product": holder["product"],
            "reason": f"{holder['product']} ({holder['channel']}/{holder['locale']}) is "
            f"checked out by {holder['checked_out_by']}: it must be checked in first.",
        }
        problems.append(problem)
        by_product[holder["product"]]["problems"].append(problem)
    for document in plan.documents:
        by_product[document.product.number]["documents"] += 1
    if plan.dependencies and not group.publish_dependencies:
        users = _dependency_users(plan)
        for media in plan.dependency_list():
            for number in users.get(media["id"], []):
                problem = {
                    "field": "dependencies",
                    "product": number,
                    "media": media["id"],
                    "reason": f"Media '{media['display_name']}' (id {media['id']}) is not "
                    "published; publish it first or let the group publish its dependencies.",
                }
                problems.append(problem)
                by_product[number]["problems"].append(problem)
    for row in by_product.values():
        if not row["documents"] and not row["problems"]:
            context = (
                f"{group.channel.code if group.channel else 'any channel'}/"
                f"{group.locale.code if group.locale else 'any locale'}"
            )
            row["warnings"].append(
                f"Nothing checked in to publish in {context}: the group skips this product."
            )
    return {
        "valid": not problems,
        "products": len(product_ids),
        "documents_to_publish": len(plan.documents),
        "dependencies": plan.dependency_list(),
        "problems": problems,
        "by_product": list(by_product.values()),
    }


def _dependency_users(plan) -> dict[int, list[str]]:
    """Unpublished media id -> the numbers of the group's products whose drafts use it."""
    rows = (
        AssignmentEntry.objects.filter(
            content_set_id__in=[d.draft_id for d in plan.documents],
            media_id__in=[m.pk for m in plan.dependencies],
        )
        .values_list("media_id", "content_set__document__product__number")
        .distinct()
    )
    users: dict[int, list[str]] = {}
    for media_id, number in rows:
        users.setdefault(media_id, [])
        if number not in users[media_id]:
            users[media_id].append(number)
    return {k: sorted(v) for k, v in users.items()}


def _require_valid(group: PublishGroup) -> None:
    report = group_validate(group=group)
    if not report["valid"]:
        raise ValidationFailed(
            [(p["field"], p["reason"]) for p in report["problems"]],
            message="The publish group cannot be published.",
        )


@transaction.atomic
def group_schedule(
    *, group: PublishGroup, user: AbstractBaseUser | None, when: datetime
) -> PublishGroup:
    """Schedule the group; the scheduled run publishes as `user` (scheduled_by), whose role
    is checked again then (R30): one who is no longer a publisher gets a failed group."""
    group_role_require(tenant=group.tenant, user=user, action="schedule publish groups")
    group = _locked(group)
    if when <= timezone.now():
        raise DomainError("Choose a date and time in the future.", field="scheduled_at")
    if group.status == PublishGroupStatus.RUNNING:
        raise Conflict("The group is being published.", field="status")
    _require_valid(group)
    group.status = PublishGroupStatus.SCHEDULED
    group.scheduled_at = when
    group.scheduled_by = user if user is not None and user.is_authenticated else None
    group.scheduled_by_name = group.scheduled_by.get_username() if group.scheduled_by else ""
    group.save(
        update_fields=["status", "scheduled_at", "scheduled_by", "scheduled_by_name", "updated_at"]
    )
    _audit(group, user, "group.schedule", scheduled_at=audit_value(when))
    return group


@transaction.atomic
def group_unschedule(*, group: PublishGroup, user: AbstractBaseUser | None) -> PublishGroup:
    group_role_require(tenant=group.tenant, user=user, action="unschedule publish groups")
    group = _locked(group)
    if group.status != PublishGroupStatus.SCHEDULED:
        raise Conflict(f"The group is not scheduled (it is {group.status}).", field="status")
    was = audit_value(group.scheduled_at)
    group.status = PublishGroupStatus.OPEN
    group.scheduled_at = None
    group.scheduled_by = None
    group.scheduled_by_name = ""
    group.save(
        update_fields=["status", "scheduled_at", "scheduled_by", "scheduled_by_name", "updated_at"]
    )
    _audit(group, user, "group.unschedule", scheduled_at={"old": was, "new": None})
    return group


@transaction.atomic
def group_publish(*, group: PublishGroup, user: AbstractBaseUser | None) -> Job:
    """Validate again and queue the group's publish job now, recorded as started by `user`:
    the job re-checks that user's role when it runs and when it is retried (R30)."""
    group_role_require(tenant=group.tenant, user=user, action="publish groups")
    group = _locked(group)
    if group.status == PublishGroupStatus.RUNNING:
        raise Conflict("The group is already being published.", field="status")
    _require_valid(group)
    product_ids = list(group.products.order_by("pk").values_list("pk", flat=True))
    job = publish_job_start(
        tenant=group.tenant,
        user=user,
        product_ids=product_ids,
        channel=group.channel,
        locale=group.locale,
        publish_dependencies=group.publish_dependencies,
        description=f"Publish group '{group.name}'",
        group_id=group.pk,
    )
    group.status = PublishGroupStatus.RUNNING
    group.last_job = job
    group.save(update_fields=["status", "last_job", "updated_at"])
    _audit(group, user, "group.publish", job=job.pk, products=len(product_ids))
    return job


def group_job_finished(*, group_id: int, succeeded: bool) -> None:
    PublishGroup.objects.filter(pk=group_id).update(
        status=PublishGroupStatus.PUBLISHED if succeeded else PublishGroupStatus.FAILED,
        scheduled_at=None,
        updated_at=timezone.now(),
    )


def groups_run_due(*, now: datetime | None = None) -> list[int]:
    """Start every scheduled group whose time has come (Celery beat calls this each minute).

    Each runs as the user who scheduled it (`scheduled_by`), through the same role check as
    every door (R30): a group that fails validation, or whose scheduler is no longer a
    publisher, is marked failed with the reason on a job.
    """
    now = now or timezone.now()
    started = []
    due = PublishGroup.objects.filter(
        status=PublishGroupStatus.SCHEDULED, scheduled_at__lte=now
    ).order_by("pk")
    for group in due.select_related("tenant", "scheduled_by"):
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
    if locked.scheduled_by_id is None and locked.scheduled_by_name:
        raise DomainError(
            f"The account that scheduled it ({locked.scheduled_by_name}) no longer exists;"
            " a publisher must schedule it again.",
            field="scheduled_by",
        )
    return group_publish(group=locked, user=locked.scheduled_by)


def _fail_unpublishable(group: PublishGroup, exc: DomainError) -> None:
    reasons = [f"{f}: {r}" for f, r in getattr(exc, "errors", [])] or [exc.message]
    job = job_create(
        tenant=group.tenant,
        kind=JobKind.PUBLISH,
        user=group.scheduled_by,
        description=f"Publish group '{group.name}' (scheduled)",
    )
    for reason in reasons:
        job_fail(job=job, error=reason)
    PublishGroup.objects.filter(pk=group.pk).update(
        status=PublishGroupStatus.FAILED, last_job=job, updated_at=timezone.now()
    )


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
def group_delete(*, group: PublishGroup, user: AbstractBaseUser | None) -> None:
    group_role_require(tenant=group.tenant, user=user, action="delete publish groups")
    group = _locked(group)
    if group.status == PublishGroupStatus.RUNNING:
        raise Conflict("The group is being published; delete it when the job ends.", field="status")
    _audit(group, user, "group.delete", products=group.products.count())
    group.delete()

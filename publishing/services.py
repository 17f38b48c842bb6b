"""Publishing (R14-R16): dependency check, publish the drafts, flatten, all in one transaction.

The check runs twice on purpose: once before a job is queued, so the user gets the
dependency list at once (409), and again under row locks inside the job, so nothing that
changed in between slips through.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from assignments.models import AssignmentDocument, AssignmentEntry
from assignments.services import document_publish_content
from catalog.models import Product, Variant
from media_library.availability import servable_q
from media_library.models import MediaItem, MediaStatus
from media_library.services import media_item_publish, renditions_ensure
from tenants.exceptions import Conflict, DomainError
from tenants.jobs.services import job_create, job_enqueue, job_queue_require
from tenants.models import Channel, Job, JobKind, Locale, Tenant

logger = logging.getLogger(__name__)


def media_dependency(item: MediaItem) -> dict:
    """How a media item a publish depends on is listed to the user (R14), with its
    availability window (R27: `expired` / `scheduled` items are in no shop answer)."""
    return {
        "id": item.pk,
        "display_name": item.display_name,
        "kind": item.kind,
        "kind_label": item.get_kind_display(),
        "status": item.status,
        "availability": item.availability(),
        "available_from": item.available_from.isoformat() if item.available_from else None,
        "expires_at": item.expires_at.isoformat() if item.expires_at else None,
        "status_label": item.get_status_display(),
    }


@dataclass
class PublishPlan:
    """What publishing would do: the drafts to publish, what blocks it, what it depends on."""

    documents: list[AssignmentDocument] = field(default_factory=list)
    checked_out: list[AssignmentDocument] = field(default_factory=list)
    dependencies: list[MediaItem] = field(default_factory=list)
    # R27: media the drafts use that are outside their availability window: published or
    # not, no shop will be shown them; the dependency dialog warns before publishing.
    expired: list[MediaItem] = field(default_factory=list)

    def dependency_list(self) -> list[dict]:
        return [media_dependency(m) for m in self.dependencies]

    def expired_list(self) -> list[dict]:
        return [media_dependency(m) for m in self.expired]

    def holder_list(self) -> list[dict]:
        return [
            {
                "product": d.product.number,
                "channel": d.channel.code,
                "locale": d.locale.code,
                "checked_out_by": d.checked_out_by.get_username() if d.checked_out_by else None,
            }
            for d in self.checked_out
        ]


def _documents(
    tenant: Tenant, product_ids: Sequence[int], channel: Channel | None, locale: Locale | None
):
    documents = AssignmentDocument.objects.filter(tenant=tenant, product_id__in=product_ids)
    if channel is not None:
        documents = documents.filter(channel=channel)
    if locale is not None:
        documents = documents.filter(locale=locale)
    return documents.select_related("product", "channel", "locale", "checked_out_by").order_by("pk")


def publish_plan(
    *,
    tenant: Tenant,
    product_ids: Sequence[int],
    channel: Channel | None = None,
    locale: Locale | None = None,
    lock: bool = False,
) -> PublishPlan:
    """R14: pending drafts in the context(s), checked-out documents, unpublished media used."""
    documents = _documents(tenant, product_ids, channel, locale)
    if lock:
        documents = documents.select_for_update(of=("self",))
    plan = PublishPlan()
    for document in documents:
        if document.checked_out_by_id is not None:
            plan.checked_out.append(document)
        elif document.draft_id is not None and document.draft_id != document.published_id:
            plan.documents.append(document)
    draft_sets = [d.draft_id for d in plan.documents]
    media_ids = AssignmentEntry.objects.filter(
        content_set_id__in=draft_sets, media__isnull=False
    ).values("media_id")
    used = MediaItem.objects.filter(tenant=tenant, pk__in=media_ids).order_by("display_name")
    plan.dependencies = list(used.exclude(status=MediaStatus.PUBLISHED))
    plan.expired = list(used.exclude(servable_q()))
    return plan


def publish_plan_require(plan: PublishPlan, *, publish_dependencies: bool) -> None:
    """Refuse with the reason: checked-out documents (naming holders), or unpublished media."""
    if plan.checked_out:
        holders = ", ".join(
            f"{h['product']} ({h['channel']}/{h['locale']}) by {h['checked_out_by']}"
            for h in plan.holder_list()
        )
        raise Conflict(
            f"Finish editing first: checked out {holders}.",
            field="checked_out",
            extra={"checked_out": plan.holder_list()},
        )
    if (plan.dependencies or plan.expired) and not publish_dependencies:
        reasons = []
        if plan.dependencies:
            names = ", ".join(m.display_name for m in plan.dependencies[:10])
            more = f" and {len(plan.dependencies) - 10} more" if len(plan.dependencies) > 10 else ""
            reasons.append(f"These media items are not published yet: {names}{more}.")
        if plan.expired:
            names = ", ".join(m.display_name for m in plan.expired[:10])
            more = f" and {len(plan.expired) - 10} more" if len(plan.expired) > 10 else ""
            reasons.append(
                f"These media items are outside their availability window (expired or "
                f"scheduled) and will not be shown: {names}{more}."
            )
        raise Conflict(
            " ".join(reasons) + " Confirm with publish_dependencies.",
            field="publish_dependencies",
            extra={"dependencies": plan.dependency_list(), "expired": plan.expired_list()},
        )


def products_publish(
    *,
    tenant: Tenant,
    product_ids: Sequence[int],
    user: AbstractBaseUser | None,
    channel: Channel | None = None,
    locale: Locale | None = None,
    publish_dependencies: bool = False,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Publish every pending draft of these products in the context (all contexts when None).

    One transaction: a failure anywhere leaves the previous published state untouched. The
    read model is re-projected per product right after commit (R21), every context of the
    product at once, so contexts inheriting from Omnichannel+Neutral follow too.
    """
    if not product_ids:
        raise DomainError("Nothing to publish: no products given.", field="products")
    _renditions_prepare(tenant, product_ids, channel, locale)
    with transaction.atomic():
        plan = publish_plan(
            tenant=tenant, product_ids=product_ids, channel=channel, locale=locale, lock=True
        )
        publish_plan_require(plan, publish_dependencies=publish_dependencies)
        for item in plan.dependencies:
            media_item_publish(item=item, user=user)
        for document in plan.documents:
            document_publish_content(document=document, user=user)
        if progress is not None:
            progress(len(product_ids))
    # The read model follows on commit: document_publish_content noted each product in
    # the change outbox, and the drain re-projects exactly those (R21).
    return {
        "products": len(product_ids),
        "documents_published": len(plan.documents),
        "media_published": len(plan.dependencies),
        "expired": plan.expired_list(),
    }


def _renditions_prepare(tenant, product_ids, channel, locale) -> None:
    """Make every rendition the published slots will need, before the transaction: shop
    requests never wait for a thumbnail (R15), and files are written outside row locks."""
    documents = _documents(tenant, product_ids, channel, locale)
    set_ids = [
        pk for pair in documents.values_list("draft_id", "published_id") for pk in pair if pk
    ]
    media_ids = AssignmentEntry.objects.filter(
        content_set_id__in=set_ids, media__isnull=False
    ).values("media_id")
    for item in MediaItem.objects.filter(
        tenant=tenant, pk__in=media_ids, kind="image"
    ).prefetch_related("renditions"):
        renditions_ensure(item=item)


def product_ids_for(
    *, tenant: Tenant, numbers: Sequence[str] | None = None, all_products: bool = False
) -> list[int]:
    """Product ids by number (a variant number counts as its master); unknown numbers refused."""
    if all_products:
        return list(
            Product.objects.filter(tenant=tenant).order_by("pk").values_list("pk", flat=True)
        )
    numbers = list(dict.fromkeys(numbers or []))
    found = dict(
        Product.objects.filter(tenant=tenant, number__in=numbers).values_list("number", "pk")
    )
    found.update(
        Variant.objects.filter(tenant=tenant, number__in=numbers).values_list(
            "number", "product_id"
        )
    )
    missing = [n for n in numbers if n not in found]
    if missing:
        raise DomainError(f"Unknown products: {', '.join(missing[:20])}.", field="products")
    return sorted({found[n] for n in numbers})


def publish_job_start(
    *,
    tenant: Tenant,
    user: AbstractBaseUser | None,
    product_ids: Sequence[int],
    channel: Channel | None = None,
    locale: Locale | None = None,
    publish_dependencies: bool = False,
    description: str = "",
    group_id: int | None = None,
) -> Job:
    """Check at once (409 with the dependency list), then queue the publish as a job (R16).

    With the job queue unreachable this answers 503 before writing anything (issue 12)."""
    job_queue_require()
    plan = publish_plan(tenant=tenant, product_ids=product_ids, channel=channel, locale=locale)
    publish_plan_require(plan, publish_dependencies=publish_dependencies)
    job = job_create(
        tenant=tenant,
        kind=JobKind.PUBLISH,
        user=user,
        description=description or f"Publish {len(product_ids)} product(s)",
        params={
            "product_ids": list(product_ids),
            "channel": channel.code if channel else None,
            "locale": locale.code if locale else None,
            "publish_dependencies": publish_dependencies,
            "group_id": group_id,
        },
    )
    job_enqueue(job=job)
    return job


def category_publish(
    *, tenant: Tenant, category, user: AbstractBaseUser | None, publish_dependencies: bool = False
) -> dict:
    """Publish a category's staged default image; its answer is re-projected on commit (R10, R14)."""
    from assignments.models import CategoryMedia
    from assignments.services import category_media_publish

    with transaction.atomic():
        assignment = (
            CategoryMedia.objects.select_for_update()
            .filter(tenant=tenant, category=category)
            .first()
        )
        media = assignment.draft_media if assignment else None
        if media is not None and media.status != MediaStatus.PUBLISHED:
            if not publish_dependencies:
                raise Conflict(
                    f"The image '{media.display_name}' is not published yet. Publish it too with publish_dependencies.",
                    field="publish_dependencies",
                    extra={"dependencies": [media_dependency(media)]},
                )
            media_item_publish(item=media, user=user)
        if media is not None:
            renditions_ensure(item=media)
        category_media_publish(tenant=tenant, category=category, user=user)
    expired = [media_dependency(media)] if media and media.availability() != "available" else []
    return {"category": category.pk, "media": media.pk if media else None, "expired": expired}

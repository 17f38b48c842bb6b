"""Carry out a migration plan through the ordinary services, so the legacy path obeys the
same roles, validation, versions and audit as the workspace (R12, R14).

The services have no system path for editing: documents are checked out, replaced and
checked in as the operator's `user` (an editor), and published as that user (a publisher)
when asked. A document whose content would not change is never checked out, so a re-run
creates no media, no versions and no events.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F

from assignments import services as assignment_services
from assignments.content import Content
from assignments.models import AssignmentDocument, CategoryMedia
from assignments.selectors import content_sets_load
from catalog.models import Product
from media_library.models import MediaItem, MediaStatus
from media_library.services import media_item_upload
from publishing.services import category_publish, products_publish
from tenants.exceptions import DomainError
from tenants.models import NEUTRAL, OMNICHANNEL, Channel, Locale, Role, Tenant
from tenants.selectors import role_require

from .merge import legacy_content
from .names import file_name
from .plan import MigrationPlan, ProductPlan
from .report import MigrationReport
from .sources import LegacySource

Progress = Callable[[str, int, int], None]
PUBLISH_BATCH = 200
SOURCE_PROVIDER = "legacy"


def migration_user_check(*, tenant: Tenant, user: AbstractBaseUser, publish: bool) -> None:
    """Refuse before anything is written: editing needs an editor, --publish a publisher."""
    role_require(tenant=tenant, user=user, role=Role.EDITOR, action="migrate legacy media")
    if publish:
        role_require(tenant=tenant, user=user, role=Role.PUBLISHER, action="publish the migration")


def _context(tenant: Tenant) -> tuple[Channel, Locale]:
    return (
        Channel.objects.get(tenant=tenant, code=OMNICHANNEL),
        Locale.objects.get(tenant=tenant, code=NEUTRAL),
    )


def _media_ensure(
    *,
    tenant: Tenant,
    plan: MigrationPlan,
    source: LegacySource | None,
    user: AbstractBaseUser | None,
    report: MigrationReport,
    progress: Progress | None,
) -> dict[str, int]:
    """Media ids by checksum; uploads the new ones (a dry run hands out placeholder ids)."""
    placeholder = count(-1, -1)
    ids: dict[str, int] = {}
    for done, media in enumerate(plan.media.values(), start=1):
        if media.existing_id is not None:
            ids[media.checksum] = media.existing_id
            report.media_reused += 1
        elif source is None:
            ids[media.checksum] = next(placeholder)
            report.media_created += 1
        else:
            with source.open(media.path) as handle:
                item, created = media_item_upload(
                    tenant=tenant,
                    file=handle,
                    user=user,
                    title=media.title,
                    alt_text=media.title,
                    filename=file_name(media.path),
                    source_provider=SOURCE_PROVIDER,
                    source_id=media.path[:200],
                )
            ids[media.checksum] = item.pk
            if created:
                report.media_created += 1
            else:
                report.media_reused += 1
        if progress is not None:
            progress("media", done, len(plan.media))
    return ids


def _checked_in(document: AssignmentDocument | None, tenant: Tenant) -> Content | None:
    """The document's own checked-in content: its draft, else what is published (R12)."""
    if document is None:
        return None
    own = document.draft_id if document.draft_id is not None else document.published_id
    return content_sets_load(tenant=tenant, set_ids=[own]).get(own) if own else None


def _product_apply(
    *,
    tenant: Tenant,
    plan: ProductPlan,
    media_ids: dict[str, int],
    context: tuple[Channel, Locale],
    user: AbstractBaseUser | None,
    dry_run: bool,
) -> bool:
    """Write one product's document; True when it changed (or would change)."""
    channel, locale = context
    document = (
        AssignmentDocument.objects.select_related("checked_out_by")
        .filter(tenant=tenant, product_id=plan.pk, channel=channel, locale=locale)
        .first()
    )
    existing = _checked_in(document, tenant)
    wanted = legacy_content(plan=plan, media_ids=media_ids, existing=existing)
    if wanted == (existing or Content()).as_dict():
        return False
    if dry_run:
        return True
    if document is not None and document.checked_out_by_id is not None:
        raise DomainError(
            f"checked out by {document.checked_out_by.get_username()}; finish or discard "
            "those edits and run again"
        )
    product = Product.objects.get(tenant=tenant, pk=plan.pk)
    with transaction.atomic():
        document = assignment_services.document_checkout(
            tenant=tenant, product=product, channel=channel, locale=locale, user=user
        )
        assignment_services.document_working_replace(
            document=document, user=user, content=wanted, confirm_matrix_change=True
        )
        assignment_services.document_checkin(document=document, user=user)
    return True


def _categories_apply(
    *,
    tenant: Tenant,
    plan: MigrationPlan,
    media_ids: dict[str, int],
    user: AbstractBaseUser | None,
    dry_run: bool,
    report: MigrationReport,
) -> None:
    staged = dict(
        CategoryMedia.objects.filter(
            tenant=tenant, category__in=[c.category for c in plan.categories]
        ).values_list("category_id", "draft_media_id")
    )
    for item in plan.categories:
        category = item.category
        label = f"{category.channel.code}:{category.path}"
        media_id = media_ids[item.checksum]
        if staged.get(category.pk) == media_id:
            report.categories_unchanged.append(label)
            continue
        if not dry_run:
            try:
                assignment_services.category_media_set(
                    tenant=tenant, category=category, media_id=media_id, user=user
                )
            except DomainError as exc:
                report.failures.append((f"category {label}", exc.message))
                continue
        report.categories_assigned.append(label)


def _publish(
    *,
    tenant: Tenant,
    plan: MigrationPlan,
    context: tuple[Channel, Locale],
    user: AbstractBaseUser | None,
    report: MigrationReport,
) -> None:
    """Publish what the migration left pending: drafts not yet published, with their media."""
    channel, locale = context
    pending = list(
        AssignmentDocument.objects.filter(
            tenant=tenant,
            product_id__in=[p.pk for p in plan.products],
            channel=channel,
            locale=locale,
            draft__isnull=False,
            checked_out_by__isnull=True,
        )
        .exclude(draft_id=F("published_id"))
        .values_list("product_id", flat=True)
    )
    for start in range(0, len(pending), PUBLISH_BATCH):
        batch = pending[start : start + PUBLISH_BATCH]
        try:
            products_publish(
                tenant=tenant,
                product_ids=batch,
                user=user,
                channel=channel,
                locale=locale,
                publish_dependencies=True,
            )
        except DomainError as exc:
            report.failures.append((f"publishing {len(batch)} product(s)", exc.message))
            continue
        report.products_published += len(batch)
    for item in plan.categories:
        assignment = CategoryMedia.objects.filter(tenant=tenant, category=item.category).first()
        if assignment is None or assignment.draft_media_id is None:
            continue
        media_published = MediaItem.objects.filter(
            pk=assignment.draft_media_id, status=MediaStatus.PUBLISHED
        ).exists()
        if assignment.draft_media_id == assignment.published_media_id and media_published:
            continue
        try:
            category_publish(
                tenant=tenant, category=item.category, user=user, publish_dependencies=True
            )
        except DomainError as exc:
            report.failures.append((f"publishing category {item.category.path}", exc.message))
            continue
        report.categories_published += 1


def migration_apply(
    *,
    tenant: Tenant,
    plan: MigrationPlan,
    source: LegacySource,
    user: AbstractBaseUser | None,
    publish: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> MigrationReport:
    """Upload, assign, optionally publish; a dry run computes the same report, writing nothing.

    `user` may be None only for a dry run (nothing is checked out then).
    """
    if not dry_run:
        if user is None:
            raise DomainError("A user is needed to check documents out.", field="user")
        migration_user_check(tenant=tenant, user=user, publish=publish)
    report = MigrationReport(
        source=source.description,
        dry_run=dry_run,
        files_seen=plan.files_seen,
        files_matched=len(plan.matched),
        unmatched=list(plan.unmatched),
    )
    media_ids = _media_ensure(
        tenant=tenant,
        plan=plan,
        source=None if dry_run else source,
        user=user,
        report=report,
        progress=progress,
    )
    context = _context(tenant)
    for done, product_plan in enumerate(plan.products, start=1):
        report.variants_with_files += product_plan.variants_with_files
        report.variant_assignments += len(product_plan.layout.variants)
        report.dimension_assignments += len(product_plan.layout.dimensions)
        try:
            changed = _product_apply(
                tenant=tenant,
                plan=product_plan,
                media_ids=media_ids,
                context=context,
                user=user,
                dry_run=dry_run,
            )
        except DomainError as exc:
            report.failures.append((f"product {product_plan.number}", exc.message))
        else:
            target = report.products_assigned if changed else report.products_unchanged
            target.append(product_plan.number)
        if progress is not None:
            progress("assign", done, len(plan.products))
    _categories_apply(
        tenant=tenant, plan=plan, media_ids=media_ids, user=user, dry_run=dry_run, report=report
    )
    if publish and not dry_run:
        _publish(tenant=tenant, plan=plan, context=context, user=user, report=report)
    return report

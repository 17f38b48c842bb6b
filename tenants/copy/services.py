"""Tenant copy (R19): everything omnichannel of a source tenant into a destination tenant.

`copy_prepare` does every check that can refuse the copy (who may, which source, the
channel/locale mapping) before anything is written; `tenant_content_copy` then copies in
dependency order: purposes and media first (documents point at them), then documents and
category images, each in batches that commit on their own. Nothing is ever matched by
id across tenants: media by checksum, products and variants by number (or dimension
values), categories by channel and path, purposes by code.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from assignments.models import AssignmentDocument, CategoryMedia
from media_library.models import MediaItem
from tenants.exceptions import DomainError, NotFound, PermissionDenied
from tenants.models import ROLE_RANK, Role, Tenant, role_article
from tenants.selectors import role_require, user_role

from .categories import CategoryMediaCopier
from .documents import DocumentCopier
from .mapping import ContextMapping, context_mapping_build
from .media import media_copy
from .options import CopyOptions
from .purposes import purposes_copy
from .report import CopyReport


@dataclass(frozen=True)
class CopyPlan:
    source: Tenant
    destination: Tenant
    mapping: ContextMapping
    media_total: int
    products_total: int
    categories_total: int

    @property
    def total(self) -> int:
        """Progress steps: one per media item, per product with documents, per category image."""
        return self.media_total + self.products_total + self.categories_total


def copy_source_get(*, slug: str, user: AbstractBaseUser | None) -> Tenant:
    """The source tenant, if the user may copy from it.

    A tenant the user does not belong to answers like a missing one (404), so the copy
    cannot be used to probe which tenants exist (R1); a member below admin is told why (403).
    `user=None` is the operator running manage.py, who may copy from any tenant.
    """
    source = Tenant.objects.filter(slug=slug).first()
    missing = NotFound(f"Source tenant '{slug}' not found.", field="source")
    if source is None:
        raise missing
    if user is None:
        return source
    held = user_role(tenant=source, user=user)
    if held is None:
        raise missing
    if ROLE_RANK[Role(held)] < ROLE_RANK[Role.ADMIN]:
        raise PermissionDenied(
            f"You need the admin role in the source tenant '{slug}' to copy its content; "
            f"you are {role_article(held)}.",
            field="source",
        )
    return source


def copy_prepare(
    *, destination: Tenant, user: AbstractBaseUser | None, options: CopyOptions
) -> CopyPlan:
    """Every refusal happens here, before anything is written: rights on both tenants (R1a),
    the source, and a complete channel/locale mapping (unmapped codes are named)."""
    if user is not None:
        role_require(tenant=destination, user=user, role=Role.ADMIN, action="copy content into it")
    source = copy_source_get(slug=options.source, user=user)
    if source.pk == destination.pk:
        raise DomainError("The source and the destination are the same tenant.", field="source")
    mapping = context_mapping_build(source=source, destination=destination, options=options)
    products = (
        AssignmentDocument.objects.filter(
            tenant=source,
            channel_id__in=list(mapping.channels),
            locale_id__in=list(mapping.locales),
        )
        .values("product_id")
        .distinct()
        .count()
    )
    return CopyPlan(
        source=source,
        destination=destination,
        mapping=mapping,
        media_total=MediaItem.objects.filter(tenant=source).count(),
        products_total=products,
        categories_total=CategoryMedia.objects.filter(
            tenant=source, category__channel_id__in=list(mapping.channels)
        ).count(),
    )


def tenant_content_copy(
    *,
    plan: CopyPlan,
    user: AbstractBaseUser | None,
    options: CopyOptions,
    report: CopyReport,
) -> CopyReport:
    """Run the copy (or, with `options.dry_run`, only decide and count what it would do).

    Each batch commits on its own, so the report of a failed run is true for what was
    written; running the same copy again finishes it without duplicates.
    """
    common = dict(source=plan.source, destination=plan.destination, options=options, report=report)
    purpose_map = purposes_copy(**common)
    media_map = media_copy(user=user, **common)
    documents = DocumentCopier(
        user=user, mapping=plan.mapping, media_map=media_map, purpose_map=purpose_map, **common
    )
    documents.run(documents.product_ids())
    categories = CategoryMediaCopier(user=user, mapping=plan.mapping, media_map=media_map, **common)
    categories.run(categories.source_ids())
    return report

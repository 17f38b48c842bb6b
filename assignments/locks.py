"""Row locks for the editing flow (R12); always ordered by pk so two lockers cannot deadlock.

Call these inside `transaction.atomic()`: the lock lasts until the transaction ends.
`of=("self",)` locks only the document row, not the joined product, channel and locale
(which never change for a document). The holder is deliberately not joined: after waiting
for a lock PostgreSQL re-reads the locked row but not the joined ones, so a joined holder
could be stale (None) right when another user has just checked the document out.
"""

from __future__ import annotations

from django.db.models import QuerySet

from catalog.models import Category, Product
from tenants.models import Channel, Locale, Tenant

from .models import AssignmentDocument, CategoryMedia


def document_lock_qs(
    *, tenant: Tenant, product: Product, channel: Channel, locale: Locale
) -> QuerySet[AssignmentDocument]:
    return (
        AssignmentDocument.objects.select_for_update(of=("self",))
        .select_related("tenant", "product", "channel", "locale")
        .filter(tenant=tenant, product=product, channel=channel, locale=locale)
        .order_by("pk")
    )


def document_lock_by_pk_qs(*, pk: int) -> QuerySet[AssignmentDocument]:
    return (
        AssignmentDocument.objects.select_for_update(of=("self",))
        .select_related("tenant", "product", "channel", "locale")
        .filter(pk=pk)
        .order_by("pk")
    )


def documents_of_product_lock_qs(
    *, tenant: Tenant, product: Product
) -> QuerySet[AssignmentDocument]:
    """Every document of a product, for publishing all its contexts together."""
    return (
        AssignmentDocument.objects.select_for_update(of=("self",))
        .filter(tenant=tenant, product=product)
        .order_by("pk")
    )


def category_media_lock_qs(*, tenant: Tenant, category: Category) -> QuerySet[CategoryMedia]:
    return (
        CategoryMedia.objects.select_for_update()
        .filter(tenant=tenant, category=category)
        .order_by("pk")
    )

"""Row locks for the editing flow (R12); always ordered by pk so two lockers cannot deadlock,
and the check-out rule: who may take a document that someone else holds (issue 15).

Call these inside `transaction.atomic()`: the lock lasts until the transaction ends.
`of=("self",)` locks only the document row, not the joined product, channel and locale
(which never change for a document). The holder is deliberately not joined: after waiting
for a lock PostgreSQL re-reads the locked row but not the joined ones, so a joined holder
could be stale (None) right when another user has just checked the document out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from catalog.models import Category, Product
from tenants.exceptions import Conflict
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


# --- the check-out rule (R12, issue 15) ---------------------------------------------------
# A check-out is held until its holder checks in or discards, but not forever: once it has
# been idle (no check-out, save or working-copy write) for CHECKOUT_IDLE_MINUTES anyone with
# edit rights may take it over, and a publisher may take one over at any time. Taking over
# is explicit (`take_over`), audited, and keeps the working copy, so nothing saved is lost.


def checkout_idle_limit() -> timedelta:
    return timedelta(minutes=settings.CHECKOUT_IDLE_MINUTES)


def checkout_last_activity(document: AssignmentDocument) -> datetime | None:
    """When the holder last did something: checked out, saved, or wrote the working copy
    (every write stamps `updated_at`)."""
    if document.checked_out_by_id is None:
        return None
    stamps = [document.checked_out_at, document.saved_at, document.updated_at]
    return max((s for s in stamps if s is not None), default=None)


def checkout_expires_at(document: AssignmentDocument) -> datetime | None:
    last = checkout_last_activity(document)
    return last + checkout_idle_limit() if last is not None else None


def checkout_expired(document: AssignmentDocument, *, now: datetime | None = None) -> bool:
    expires = checkout_expires_at(document)
    return expires is not None and expires <= (now or timezone.now())


@dataclass(frozen=True)
class CheckoutClaim:
    """How `user` gets a document: `free` (nobody holds it), `own` (they already do),
    `expired` or `publisher` (a take-over of `former_holder_id`'s check-out)."""

    kind: str
    former_holder_id: int | None = None

    @property
    def takes_over(self) -> bool:
        return self.kind in ("expired", "publisher")


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "earlier"
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return "less than a minute ago"
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    return f"{minutes // 60} hours ago"


def checkout_claim(
    *,
    document: AssignmentDocument,
    user,
    holder_name: str,
    take_over: bool,
    is_publisher: bool,
    now: datetime | None = None,
) -> CheckoutClaim:
    """Decide on a *locked* document row whether `user` may check it out now; refuse with
    409 naming the holder, in words (no raw timestamps: the page formats `extra`'s in the
    user's locale), and saying whether this user could take it over."""
    now = now or timezone.now()
    holder = document.checked_out_by_id
    if holder is None:
        return CheckoutClaim("free")
    if holder == user.pk:
        return CheckoutClaim("own")
    expired = checkout_expired(document, now=now)
    if take_over and expired:
        return CheckoutClaim("expired", holder)
    if take_over and is_publisher:
        return CheckoutClaim("publisher", holder)
    limit = settings.CHECKOUT_IDLE_MINUTES
    can_take_over = expired or is_publisher
    if can_take_over:
        # Words for people; API clients read `can_take_over` (and send take_over: true).
        hint = "You may take it over; they will be told."
    else:
        hint = (
            f"Ask them to finish editing; anyone with edit rights may take it over once it has "
            f"been idle for {limit} minutes, a publisher at any time."
        )
    last = checkout_last_activity(document)
    expires = checkout_expires_at(document)
    raise Conflict(
        f"Cannot check out: {holder_name} is editing this document (checked out "
        f"{_ago(document.checked_out_at, now)}, last active {_ago(last, now)}). {hint}",
        field="document",
        extra={
            "checked_out_by": holder_name,
            "checked_out_at": document.checked_out_at.isoformat()
            if document.checked_out_at
            else None,
            "last_active_at": last.isoformat() if last else None,
            "expires_at": expires.isoformat() if expires else None,
            "expired": expired,
            "can_take_over": can_take_over,
        },
    )

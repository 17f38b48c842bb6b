"""The library's search: filters, facet counts and sort orders (issue 14, item 1).

One `LibraryFilters` value is what the library page, the product workspace's picker and the
API agree on. Facets are counted *disjunctively*: each facet's counts apply every other
filter but its own, so choosing "image" still shows how many videos the rest would find.
Whether an item is in use is a question for the apps above (assignments): they answer it
with a condition registered in `settings.MEDIA_CURRENT_USE_CONDITIONS`, so this app never
imports them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.module_loading import import_string

from tenants.models import Tenant

from .models import MediaItem, MediaKind, MediaStatus

SORTS = {
    "newest": ("-created_at", "-pk"),
    "oldest": ("created_at", "pk"),
    "name": ("display_name", "pk"),
    "largest": ("-size", "-pk"),
}
FACETS = ("kind", "status", "availability", "tag", "uploaded_by", "month", "unused", "missing_alt")
AVAILABILITY = ("available", "scheduled", "expired")
TAG_FACET_LIMIT = 30
UPLOADER_FACET_LIMIT = 30
MONTH_FACET_LIMIT = 24


@dataclass(frozen=True)
class LibraryFilters:
    """What the user narrowed the library to; every field is optional (None: no filter)."""

    q: str = ""
    kind: str | None = None
    status: str | None = None
    tags: tuple[str, ...] = ()
    unused: bool | None = None
    missing_alt: bool | None = None
    uploaded_by: str | None = None  # a username; "" for items nobody uploaded (imports)
    uploaded_after: dt.date | None = None
    uploaded_before: dt.date | None = None
    availability: str | None = None  # R27: available, scheduled or expired (now)
    ids: tuple[int, ...] = field(default=())


def media_current_use_condition() -> Q:
    """Items some current draft, working copy or published content uses (R26), as the apps
    above define it; with none registered, nothing counts as used."""
    condition = Q(pk__in=[])
    for path in getattr(settings, "MEDIA_CURRENT_USE_CONDITIONS", []):
        condition |= import_string(path)()
    return condition


def _tag_exists(name: str) -> Exists:
    through = MediaItem.tags.through.objects.filter(
        mediaitem_id=OuterRef("pk"), mediatag__name__iexact=name
    )
    return Exists(through)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _missing_alt() -> Q:
    # Only images need alt text (R6); a blank or whitespace-only one is missing.
    return Q(kind=MediaKind.IMAGE) & (Q(alt_text="") | Q(alt_text__regex=r"^\s+$"))


def _availability(state: str, now: dt.datetime) -> Q:
    """The same rule as MediaItem.availability() (R27), as a condition."""
    scheduled = Q(available_from__gt=now)
    expired = Q(expires_at__lte=now) & ~scheduled
    if state == "scheduled":
        return scheduled
    if state == "expired":
        return expired
    return ~scheduled & ~Q(expires_at__lte=now)


def _filtered(items: QuerySet[MediaItem], filters: LibraryFilters) -> QuerySet[MediaItem]:
    if filters.ids:
        items = items.filter(pk__in=filters.ids)
    if filters.kind:
        items = items.filter(kind=filters.kind)
    if filters.status:
        items = items.filter(status=filters.status)
    for tag in filters.tags:
        items = items.filter(_tag_exists(tag))
    if filters.unused is not None:
        used = media_current_use_condition()
        items = items.exclude(used) if filters.unused else items.filter(used)
    if filters.missing_alt is not None:
        items = items.filter(_missing_alt() if filters.missing_alt else ~_missing_alt())
    if filters.uploaded_by is not None:
        if filters.uploaded_by == "":
            items = items.filter(created_by__isnull=True)
        else:
            items = items.filter(created_by__username=filters.uploaded_by)
    if filters.uploaded_after:
        items = items.filter(created_at__gte=_day_start(filters.uploaded_after))
    if filters.uploaded_before:
        # Inclusive of the whole day given.
        items = items.filter(
            created_at__lt=_day_start(filters.uploaded_before + dt.timedelta(days=1))
        )
    if filters.availability:
        items = items.filter(_availability(filters.availability, timezone.now()))
    for word in filters.q.split():
        items = items.filter(
            Q(display_name__icontains=word)
            | Q(title__icontains=word)
            | Q(alt_text__icontains=word)
            | Q(caption__icontains=word)
            | Q(original_filename__icontains=word)
            | Exists(
                MediaItem.tags.through.objects.filter(
                    mediaitem_id=OuterRef("pk"), mediatag__name__icontains=word
                )
            )
        )
    return items


def media_library_search(
    *, tenant: Tenant, filters: LibraryFilters, sort: str = "newest"
) -> QuerySet[MediaItem]:
    """The tenant's items matching every filter, in a stable order (ties broken by id, so
    offset pages never repeat or skip an item)."""
    from .selectors import media_item_prefetch

    items = _filtered(MediaItem.objects.filter(tenant=tenant), filters)
    return media_item_prefetch(items.select_related("created_by").order_by(*SORTS[sort]))


def _counts(items: QuerySet[MediaItem], column: str) -> dict:
    # Filters are EXISTS conditions (tags too), never joins: no row counts twice.
    return dict(
        items.order_by().values_list(column).annotate(n=Count("pk")).values_list(column, "n")
    )


def _split(items: QuerySet[MediaItem], **conditions: Q) -> dict[str, int]:
    """Counts of several conditions over one scope in one pass (one query, each row's
    conditions evaluated once), rather than a COUNT per condition."""
    return items.order_by().aggregate(
        **{name: Count("pk", filter=condition) for name, condition in conditions.items()}
    )


def media_library_facets(
    *, tenant: Tenant, filters: LibraryFilters, facets: tuple[str, ...] = FACETS
) -> dict[str, object]:
    """Counts per facet value, each facet ignoring its own filter (see the module docstring).

    Values with a zero count are listed for the closed sets (kind, status, the booleans) so a
    page can show them greyed; tags, uploaders and months list what exists, most used first
    (months newest first), bounded.
    """
    base = MediaItem.objects.filter(tenant=tenant)

    def without(**cleared) -> QuerySet[MediaItem]:
        return _filtered(base, replace(filters, **cleared))

    out: dict[str, object] = {"total": _filtered(base, filters).count()}
    if "kind" in facets:
        counts = _counts(without(kind=None), "kind")
        out["kind"] = [{"value": k, "count": counts.get(k, 0)} for k in MediaKind.values]
    if "status" in facets:
        counts = _counts(without(status=None), "status")
        out["status"] = [{"value": s, "count": counts.get(s, 0)} for s in MediaStatus.values]
    if "availability" in facets:
        now = timezone.now()
        counts = _split(
            without(availability=None), **{a: _availability(a, now) for a in AVAILABILITY}
        )
        out["availability"] = [{"value": a, "count": counts[a]} for a in AVAILABILITY]
    if "tag" in facets:
        rows = (
            without(tags=())
            .order_by()
            .filter(tags__isnull=False)
            .values("tags__name")
            .annotate(n=Count("pk", distinct=True))
            .order_by("-n", "tags__name")[:TAG_FACET_LIMIT]
        )
        chosen = {t.lower() for t in filters.tags}
        out["tag"] = [
            {
                "value": r["tags__name"],
                "count": r["n"],
                "selected": r["tags__name"].lower() in chosen,
            }
            for r in rows
        ]
    if "uploaded_by" in facets:
        rows = (
            without(uploaded_by=None)
            .order_by()
            .values("created_by__username")
            .annotate(n=Count("pk"))
            .order_by("-n", "created_by__username")[:UPLOADER_FACET_LIMIT]
        )
        out["uploaded_by"] = [
            {"value": r["created_by__username"] or "", "count": r["n"]} for r in rows
        ]
    if "month" in facets:
        rows = (
            without(uploaded_after=None, uploaded_before=None)
            .order_by()
            .annotate(month=TruncMonth("created_at"))
            .values("month")
            .annotate(n=Count("pk"))
            .order_by("-month")[:MONTH_FACET_LIMIT]
        )
        out["month"] = [
            {"value": r["month"].strftime("%Y-%m"), "count": r["n"]}
            for r in rows
            if r["month"] is not None
        ]
    if "unused" in facets:
        # The used ones counted (a semi-join: EXISTS in WHERE, which the planner hashes, not
        # in a FILTER, evaluated row by row), the rest by difference.
        scope = without(unused=None)
        total, used = scope.count(), scope.filter(media_current_use_condition()).count()
        out["unused"] = {"true": total - used, "false": used}
    if "missing_alt" in facets:
        counts = _split(without(missing_alt=None), all=Q(), missing=_missing_alt())
        out["missing_alt"] = {
            "true": counts["missing"],
            "false": counts["all"] - counts["missing"],
        }
    return out

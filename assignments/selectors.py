"""Reads of assignment documents: bulk content loads for resolution, the §3 document view,
preview, coverage, versions and category media. Loads use a fixed number of queries,
never one per entry."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, F, OuterRef, Q, Subquery, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from catalog.models import DIMENSION_ORDER, Category, Product, ProductDimensionValue, Variant
from media_library.models import MediaItem
from tenants.exceptions import NotFound, ValidationFailed
from tenants.models import NEUTRAL, OMNICHANNEL, Channel, Locale, Tenant
from tenants.selectors import channel_get, locale_get

from .content import Content, content_build
from .locks import (
    checkout_expired,
    checkout_expires_at,
    checkout_idle_limit,
    checkout_last_activity,
)
from .models import (
    AssignmentDocument,
    AssignmentEntry,
    CategoryMedia,
    ContentSet,
    DocumentAction,
    DocumentEvent,
    Purpose,
)
from .resolution import (
    DRAFT,
    Context,
    DocumentContents,
    VariantRef,
    context_chain,
    coverage_cell,
    governing_content,
    media_resolve,
)

ENTRY_ROW_FIELDS = dict(
    # The variant's number now, or the one it had when the entry was written (deleted since).
    variant_current=F("variant__number"),
    media_kind=F("media__kind"),
    purpose_code=F("purpose__code"),
)
ENTRY_ROW_COLUMNS = (
    "content_set_id",
    "scope",
    "dimension_values",
    "combination",
    "variant_number",
    "slot",
    "position",
    "media_id",
    "swatch_dimension",
    "swatch_value",
    "swatch_hex",
    "crop_x",
    "crop_y",
    "crop_width",
    "crop_height",
)


def product_get(*, tenant: Tenant, number: str) -> Product:
    """A product of the tenant by number; another tenant's answers the same 404 (R1)."""
    product = Product.objects.filter(tenant=tenant, number=number).first()
    if product is None:
        raise NotFound(f"Product '{number}' not found.", field="number")
    return product


def context_get(
    *, tenant: Tenant, channel: str | None, locale: str | None
) -> tuple[Channel, Locale]:
    """The requested context; Omnichannel + Neutral when not given (the default document)."""
    return (
        channel_get(tenant=tenant, code=channel or OMNICHANNEL),
        locale_get(tenant=tenant, code=locale or NEUTRAL),
    )


def locale_languages_load(*, tenant: Tenant) -> dict[str, str]:
    """Every locale code of the tenant with its language: the input of `context_chain`."""
    return dict(Locale.objects.filter(tenant=tenant).values_list("code", "language"))


def content_sets_load(*, tenant: Tenant, set_ids: Iterable[int]) -> dict[int, Content]:
    """Content sets by id, in two queries whatever their size."""
    ids = {pk for pk in set_ids if pk is not None}
    if not ids:
        return {}
    matrices = dict(
        ContentSet.objects.filter(tenant=tenant, pk__in=ids).values_list("pk", "matrix")
    )
    rows_by_set: dict[int, list[dict]] = {pk: [] for pk in matrices}
    # Tuples, and each distinct dimension-values text decoded once: a publish or a rebuild
    # loads tens of thousands of entries that repeat a few combinations.
    names = (*ENTRY_ROW_COLUMNS, "variant_current", "media_kind", "purpose_code")
    values_at = names.index("dimension_values")
    decoded: dict[str | None, dict | None] = {None: None}
    for found in (
        AssignmentEntry.objects.filter(tenant=tenant, content_set_id__in=ids)
        .annotate(**ENTRY_ROW_FIELDS, values_text=Cast("dimension_values", TextField()))
        .values_list(*names[:values_at], "values_text", *names[values_at + 1 :])
        .order_by()
    ):
        row = dict(zip(names, found, strict=True))
        text = row["dimension_values"]
        values = decoded.get(text)
        if values is None and text not in decoded:
            values = decoded[text] = json.loads(text)
        row["dimension_values"] = values
        current = row.pop("variant_current")
        if current:
            row["variant_number"] = current
        rows_by_set[row["content_set_id"]].append(row)
    return {pk: content_build(matrix=matrices[pk], rows=rows_by_set[pk]) for pk in matrices}


def document_contents_load(
    *, tenant: Tenant, product_ids: Iterable[int], drafts: bool = True
) -> dict[int, dict[Context, DocumentContents]]:
    """Draft and published content of every document of the given products, by product id
    and (channel, locale): three queries for any number of products. Publishing calls this
    once per batch and then `resolution.media_resolve` per variant x context in memory.
    The projection reads published content only (`drafts=False`: `draft` is then None)."""
    documents = list(
        AssignmentDocument.objects.filter(tenant=tenant, product_id__in=list(product_ids)).values(
            "product_id",
            "draft_id",
            "published_id",
            "published_at",
            channel_code=F("channel__code"),
            locale_code=F("locale__code"),
        )
    )
    contents = content_sets_load(
        tenant=tenant,
        set_ids=[d["published_id"] for d in documents]
        + ([d["draft_id"] for d in documents] if drafts else []),
    )
    out: dict[int, dict[Context, DocumentContents]] = {}
    for document in documents:
        context = (document["channel_code"], document["locale_code"])
        out.setdefault(document["product_id"], {})[context] = DocumentContents(
            channel=context[0],
            locale=context[1],
            draft=contents.get(document["draft_id"]) if drafts else None,
            published=contents.get(document["published_id"]),
            published_at=document["published_at"].isoformat() if document["published_at"] else None,
        )
    return out


def document_get(
    *, tenant: Tenant, product: Product, channel: Channel, locale: Locale
) -> AssignmentDocument | None:
    return (
        AssignmentDocument.objects.select_related("checked_out_by", "channel", "locale")
        .filter(tenant=tenant, product=product, channel=channel, locale=locale)
        .first()
    )


def document_state(document: AssignmentDocument | None, contents: Mapping[int, Content]) -> str:
    """checked_out > draft (checked in, not yet published) > published (with content) > empty."""
    if document is None:
        return "empty"
    if document.checked_out_by_id is not None:
        return "checked_out"
    if document.draft_id is not None and document.draft_id != document.published_id:
        return "draft"
    published = contents.get(document.published_id)
    if published is not None and published.has_content:
        return "published"
    return "empty"


ContextKey = tuple[int, str, str]  # (product id, channel code, locale code)


def inherited_contexts_load(
    *, tenant: Tenant, keys: Iterable[ContextKey], source: str = DRAFT
) -> dict[ContextKey, tuple[Context, Content] | None]:
    """For many product contexts at once: the context whose content each shows when it has
    none of its own (R10), with that content. One bulk load of the products' documents, then
    the fallback chain in memory; the single-document `inherited_context` is this with one
    key, so the workspace, the API's checkout and the manifest importer cannot disagree."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return {}
    locale_languages = locale_languages_load(tenant=tenant)
    documents = document_contents_load(tenant=tenant, product_ids={k[0] for k in keys})
    out: dict[ContextKey, tuple[Context, Content] | None] = {}
    for key in keys:
        product_id, channel, locale = key
        chain = context_chain(channel=channel, locale=locale, locale_languages=locale_languages)
        out[key] = governing_content(
            documents=documents.get(product_id, {}), chain=chain, source=source
        )
    return out


def inherited_context(
    *, tenant: Tenant, product: Product, channel: Channel, locale: Locale, source: str = DRAFT
) -> tuple[Context, Content] | None:
    """The context whose content this document shows when it has none of its own (R10)."""
    key = (product.pk, channel.code, locale.code)
    return inherited_contexts_load(tenant=tenant, keys=[key], source=source)[key]


def document_view(
    *,
    tenant: Tenant,
    product: Product,
    channel: Channel,
    locale: Locale,
    user: AbstractBaseUser,
    document: AssignmentDocument | None = None,
) -> dict:
    """The SPEC §3 assignment document; `working` only for its holder."""
    if document is None:
        document = document_get(tenant=tenant, product=product, channel=channel, locale=locale)
    contents: dict[int, Content] = {}
    if document is not None:
        holder = document.checked_out_by_id is not None and document.checked_out_by_id == user.pk
        contents = content_sets_load(
            tenant=tenant,
            set_ids=[document.draft_id, document.published_id]
            + ([document.working_id] if holder else []),
        )
    inherited = None
    governing = inherited_context(tenant=tenant, product=product, channel=channel, locale=locale)
    if governing is not None and governing[0] != (channel.code, locale.code):
        inherited = {"channel": governing[0][0], "locale": governing[0][1]}

    def content_of(set_id: int | None) -> dict | None:
        content = contents.get(set_id) if set_id is not None else None
        return content.as_dict() if content is not None else None

    holds = document is not None and document.checked_out_by_id == user.pk
    return {
        "product": product.number,
        "channel": channel.code,
        "locale": locale.code,
        "state": document_state(document, contents),
        "checked_out_by": document.checked_out_by.get_username()
        if document is not None and document.checked_out_by_id
        else None,
        "checked_out_at": document.checked_out_at if document is not None else None,
        "saved_at": document.saved_at if document is not None else None,
        "expires_at": checkout_expires_at(document) if document is not None else None,
        "expired": checkout_expired(document) if document is not None else False,
        "last_active_at": checkout_last_activity(document) if document is not None else None,
        "version": (document.version or None) if document is not None else None,
        "published_version": document.published_version if document is not None else None,
        "inherited_from": inherited,
        "draft": content_of(document.draft_id) if document is not None else None,
        "published": content_of(document.published_id) if document is not None else None,
        "working": content_of(document.working_id) if holds else None,
    }


def product_dimension_values(*, tenant: Tenant, product: Product) -> dict[str, list[str]]:
    offered: dict[str, list[str]] = {}
    for dimension, value in (
        ProductDimensionValue.objects.filter(tenant=tenant, product=product)
        .order_by("position", "pk")
        .values_list("dimension_value__dimension", "dimension_value__value")
    ):
        offered.setdefault(dimension, []).append(value)
    return {d: offered[d] for d in DIMENSION_ORDER if d in offered}


def media_summaries(*, tenant: Tenant, media_ids: Iterable[int]) -> dict[int, dict]:
    """What a gallery preview shows per media item, in one query."""
    items = MediaItem.objects.filter(tenant=tenant, pk__in=set(media_ids)).only(
        "pk", "kind", "status", "file", "title", "alt_text", "width", "height", "display_name"
    )
    return {
        item.pk: {
            "id": item.pk,
            "kind": item.kind,
            "status": item.status,
            "display_name": item.display_name,
            "title": item.title,
            "alt_text": item.alt_text,
            "width": item.width,
            "height": item.height,
            "url": item.file.url if item.file else None,
        }
        for item in items
    }


def media_preview(
    *,
    tenant: Tenant,
    product: Product,
    channel: Channel,
    locale: Locale,
    selection: Mapping[str, str],
    variant_number: str | None = None,
    source: str = DRAFT,
) -> dict:
    """R17: the gallery a variant (or a partial dimension selection) gets from the draft.

    A selection naming every dimension of the product is the matching variant; fewer
    values resolve as that dimension combination when they cover the matrix, else master.
    """
    offered = product_dimension_values(tenant=tenant, product=product)
    errors = []
    for dimension, value in selection.items():
        if dimension not in offered:
            errors.append((dimension, f"{product.number} has no dimension '{dimension}'."))
        elif value not in offered[dimension]:
            errors.append((dimension, f"{product.number} has no {dimension} '{value}'."))
    variant: VariantRef | None = None
    variants = Variant.objects.filter(tenant=tenant, product=product)
    if variant_number:
        found = variants.filter(number=variant_number).values_list("number", "values").first()
        if found is None:
            errors.append(("variant", f"'{variant_number}' is not a variant of {product.number}."))
        else:
            variant = VariantRef(number=found[0], values=found[1])
    if errors:
        raise ValidationFailed(errors)
    if variant is None and selection and set(selection) == set(offered):
        for number, values in variants.values_list("number", "values"):
            if values == dict(selection):
                variant = VariantRef(number=number, values=values)
                break
    chain = context_chain(
        channel=channel.code,
        locale=locale.code,
        locale_languages=locale_languages_load(tenant=tenant),
    )
    documents = document_contents_load(tenant=tenant, product_ids=[product.pk]).get(product.pk, {})
    resolved = media_resolve(
        documents=documents,
        chain=chain,
        source=source,
        variant=variant,
        selection=None if variant is not None else dict(selection),
    )
    referenced = [*resolved.primary, *(m for ids in resolved.additional.values() for m in ids)]
    referenced += [s.media for s in resolved.swatches if s.media is not None]
    return {
        "product": product.number,
        "channel": channel.code,
        "locale": locale.code,
        "source": source,
        "selection": dict(selection),
        "variant": variant.number if variant is not None else None,
        **resolved.as_dict(),
        "media": media_summaries(tenant=tenant, media_ids=referenced),
    }


def media_coverage(*, tenant: Tenant, product: Product, source: str = DRAFT) -> dict:
    """Every variant (or the simple product) x channel x locale -> per slot "own", the level
    it inherits from, or "none": the gaps to fill before publishing."""
    locale_languages = locale_languages_load(tenant=tenant)
    channels = list(Channel.objects.filter(tenant=tenant).values_list("code", flat=True))
    documents = document_contents_load(tenant=tenant, product_ids=[product.pk]).get(product.pk, {})
    entities: list[tuple[str | None, VariantRef | None]]
    if product.is_master:
        entities = [
            (number, VariantRef(number=number, values=values))
            for number, values in Variant.objects.filter(tenant=tenant, product=product)
            .order_by("number")
            .values_list("number", "values")
        ]
    else:
        entities = [(None, None)]
    rows = []
    for number, variant in entities:
        for channel in channels:
            for locale in locale_languages:
                chain = context_chain(
                    channel=channel, locale=locale, locale_languages=locale_languages
                )
                resolved = media_resolve(
                    documents=documents, chain=chain, source=source, variant=variant
                )
                rows.append(
                    {
                        "variant": number,
                        "channel": channel,
                        "locale": locale,
                        "slots": coverage_cell(
                            resolved=resolved,
                            requested=(channel, locale),
                            own_scope="variant" if variant is not None else "master",
                        ),
                    }
                )
    return {"product": product.number, "source": source, "rows": rows}


def document_versions_list(*, tenant: Tenant, document: AssignmentDocument | None) -> list[dict]:
    if document is None:
        return []
    versions = (
        document.versions.filter(tenant=tenant)
        .select_related("created_by")
        .annotate(entry_count=Count("content__entries"))
        .order_by("-number")
    )
    return [
        {
            "number": version.number,
            "note": version.note,
            "created_by": version.created_by.get_username() if version.created_by else None,
            "created_at": version.created_at,
            "entries": version.entry_count,
            "is_draft": version.content_id == document.draft_id,
            "is_published": version.content_id == document.published_id,
        }
        for version in versions
    ]


def purpose_list(*, tenant: Tenant):
    return Purpose.objects.filter(tenant=tenant).order_by("position", "code")


def category_get(*, tenant: Tenant, category_id: int, channel: Channel) -> Category:
    """A category of the tenant that belongs to `channel` (category media is per channel)."""
    category = (
        Category.objects.filter(tenant=tenant, pk=category_id).select_related("channel").first()
    )
    if category is None:
        raise NotFound(f"Category {category_id} not found.", field="category")
    if category.channel_id != channel.pk:
        raise ValidationFailed(
            [("channel", f"Category {category_id} belongs to channel '{category.channel.code}'.")]
        )
    return category


def category_media_view(*, tenant: Tenant, category: Category) -> dict:
    assignment = (
        CategoryMedia.objects.filter(tenant=tenant, category=category)
        .select_related("updated_by")
        .first()
    )
    return {
        "category": category.pk,
        "channel": category.channel.code,
        "path": category.path,
        "draft": assignment.draft_media_id if assignment else None,
        "published": assignment.published_media_id if assignment else None,
        "updated_by": assignment.updated_by.get_username()
        if assignment and assignment.updated_by
        else None,
        "updated_at": assignment.updated_at if assignment else None,
        "published_at": assignment.published_at if assignment else None,
    }


def media_usage_list(*, tenant: Tenant, media: MediaItem) -> list[str]:
    """Where one media item is used (assignments of any state, category images), for the
    media library's delete refusal."""
    entries = AssignmentEntry.objects.filter(tenant=tenant, media=media).select_related(
        "content_set__document__product",
        "content_set__document__channel",
        "content_set__document__locale",
        "variant",
    )
    categories = CategoryMedia.objects.filter(
        Q(draft_media=media) | Q(published_media=media), tenant=tenant
    ).select_related("category__channel")
    return [e.usage_description() for e in entries] + [c.usage_description() for c in categories]


def dimension_value_usages(*, product, removals: Mapping[str, list[str]]) -> list[str]:
    """Where current content of a master (working copies, drafts, published content; not
    old versions) uses dimension values about to be withdrawn: combinations and swatches.
    Registered as a catalog hook (CATALOG_VALUE_USAGE_HOOKS), so catalog imports nothing
    of assignments (R22)."""
    match = Q()
    for dimension, values in removals.items():
        for value in values:
            match |= Q(scope="dimension", **{f"dimension_values__{dimension}": value})
            match |= Q(slot="swatch", swatch_dimension=dimension, swatch_value=value)
    if not match:
        return []
    documents = list(
        AssignmentDocument.objects.filter(tenant_id=product.tenant_id, product=product).values(
            "working_id", "draft_id", "published_id", "channel__code", "locale__code"
        )
    )
    states = {}
    for document in documents:
        where = f"{document['channel__code']}/{document['locale__code']}"
        for state in ("working", "draft", "published"):
            set_id = document[f"{state}_id"]
            if set_id is not None:
                states.setdefault(set_id, []).append(f"{where} {state}")
    if not states:
        return []
    usages = []
    for set_id, combination, slot, dimension, value in (
        AssignmentEntry.objects.filter(content_set_id__in=states)
        .filter(match)
        .values_list("content_set_id", "combination", "slot", "swatch_dimension", "swatch_value")
        .order_by("content_set_id", "pk")
    ):
        what = f"swatch {dimension}={value}" if slot == "swatch" else f"{combination} {slot}"
        for label in states[set_id]:
            usages.append(f"{product.number} ({label}): {what}")
    return list(dict.fromkeys(usages))


def context_usages(*, tenant: Tenant, channel=None, locale=None) -> list[str]:
    """The documents that hold content in a channel or locale about to be deleted (R22);
    a CONTEXT_USAGE_HOOKS entry, so the tenants app imports nothing above it."""
    documents = AssignmentDocument.objects.filter(tenant=tenant)
    documents = documents.filter(channel=channel) if channel is not None else documents
    documents = documents.filter(locale=locale) if locale is not None else documents
    documents = documents.filter(
        Q(working__isnull=False) | Q(draft__isnull=False) | Q(published__isnull=False)
    )
    return [
        f"assignments of {number} ({c}/{loc})"
        for number, c, loc in documents.order_by("product__number", "pk").values_list(
            "product__number", "channel__code", "locale__code"
        )
    ]


def media_published_usages(*, item: MediaItem) -> list[str]:
    """Where published content (documents' published sets, categories' published images)
    shows a media item: what unpublishing it would break (R22)."""
    entries = (
        AssignmentEntry.objects.filter(
            tenant_id=item.tenant_id,
            media=item,
            content_set__document__published_id=F("content_set_id"),
        )
        .select_related("content_set__document__product", "content_set__document__channel")
        .select_related("content_set__document__locale")
        .order_by("pk")
    )
    usages = [entry.usage_description() for entry in entries[:500]]
    usages += [
        assignment.usage_description()
        for assignment in CategoryMedia.objects.filter(
            tenant_id=item.tenant_id, published_media=item
        ).select_related("category__channel")
    ]
    return usages


def product_has_published_content(*, product) -> bool:
    """Whether shops are served something of this product (a CATALOG_PUBLISHED_HOOKS entry)."""
    return AssignmentDocument.objects.filter(
        tenant_id=product.tenant_id, product=product, published__isnull=False
    ).exists()


# --- the live check-out state (issue 15) ------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def documents_state_rows(*, tenant: Tenant, product: Product) -> list[dict]:
    """The check-out and version fields of every document of a product, with the id of each
    one's latest audit event: one query, all a page polling for changes needs to decide
    whether anything changed (the ETag is computed from these rows)."""
    latest = (
        DocumentEvent.objects.filter(document=OuterRef("pk")).order_by("-at", "-pk").values("pk")
    )
    return list(
        AssignmentDocument.objects.filter(tenant=tenant, product=product)
        .annotate(last_event_id=Subquery(latest[:1]))
        .order_by("channel__code", "locale__code")
        .values(
            "pk",
            "channel__code",
            "locale__code",
            "version",
            "published_version",
            "published_at",
            "draft_id",
            "published_id",
            "working_id",
            "checked_out_by_id",
            "checked_out_by__username",
            "checked_out_at",
            "saved_at",
            "updated_at",
            "last_event_id",
        )
    )


def documents_state_etag(*, rows: list[dict], now=None) -> str:
    """Changes whenever a document is checked out, in, discarded, taken over, saved, published
    or reset, and when a check-out passes its idle limit (so `expired` is never stale)."""
    now = now or timezone.now()
    limit = checkout_idle_limit()
    parts = []
    for row in rows:
        stamps = [row["checked_out_at"], row["saved_at"], row["updated_at"]]
        last = max((s for s in stamps if s is not None), default=None)
        expired = bool(row["checked_out_by_id"] and last and last + limit <= now)
        parts.append(
            f"{row['pk']}:{row['version']}:{row['published_version']}:{row['draft_id']}:"
            f"{row['published_id']}:{row['working_id']}:{row['checked_out_by_id']}:"
            f"{_iso(row['checked_out_at'])}:{_iso(row['updated_at'])}:{row['last_event_id']}:"
            f"{int(expired)}"
        )
    parts.append(f"idle={limit.total_seconds()}")
    return hashlib.sha1("|".join(parts).encode()).hexdigest()


def documents_state(*, tenant: Tenant, product: Product, rows: list[dict], etag: str) -> dict:
    """The state of each document of a product for pages that poll it: who holds it since
    when, when the check-out may be taken over, the versions, and the latest audit event in
    plain fields (who did what when), so a page that lost its check-out can say why."""
    limit = checkout_idle_limit()
    now = timezone.now()
    events = {
        e.pk: e
        for e in DocumentEvent.objects.filter(
            tenant=tenant, pk__in=[r["last_event_id"] for r in rows if r["last_event_id"]]
        ).select_related("user")
    }
    documents = []
    for row in rows:
        held = row["checked_out_by_id"] is not None
        stamps = [row["checked_out_at"], row["saved_at"], row["updated_at"]]
        last = max((s for s in stamps if s is not None), default=None) if held else None
        event = events.get(row["last_event_id"])
        if held:
            state = "checked_out"
        elif row["draft_id"] is not None and row["draft_id"] != row["published_id"]:
            state = "draft"
        else:
            state = "published" if row["published_id"] is not None else "empty"
        documents.append(
            {
                "channel": row["channel__code"],
                "locale": row["locale__code"],
                "state": state,
                "checked_out_by": row["checked_out_by__username"] if held else None,
                "checked_out_at": _iso(row["checked_out_at"]),
                "last_active_at": _iso(last),
                "expires_at": _iso(last + limit) if last else None,
                "expired": bool(last and last + limit <= now),
                "version": row["version"] or None,
                "published_version": row["published_version"],
                "published_at": _iso(row["published_at"]),
                "updated_at": _iso(row["updated_at"]),
                "last_event": {
                    "action": event.action,
                    "label": DocumentAction(event.action).label,
                    "by": event.user.get_username() if event.user else None,
                    "at": _iso(event.at),
                    "version": event.version,
                    "detail": event.detail,
                }
                if event is not None
                else None,
            }
        )
    return {
        "product": product.number,
        "etag": etag,
        "idle_minutes": int(limit.total_seconds() // 60),
        "documents": documents,
    }


def _entry_usage(row: Mapping, *, state: str, document: Mapping) -> dict:
    """One use of a media item by an assignment entry in one state of a document (R26)."""
    scope = row["scope"]
    entity = (
        row["combination"] or "dimension"
        if scope == "dimension"
        else f"variant {row['variant_number'] or '?'}"
        if scope == "variant"
        else "master"
    )
    where = (
        f"{document['product__number']} ({document['channel__code']}/{document['locale__code']})"
    )
    description = f"{where} {state}: {entity} {row['slot']} #{row['position'] + 1}"
    return {
        "type": "assignment entry",
        "model": "assignments.assignmententry",
        "id": row["pk"],
        "label": description,
        "description": description,
        "product": document["product__number"],
        "channel": document["channel__code"],
        "locale": document["locale__code"],
        "state": state,
        "scope": scope,
        "values": row["dimension_values"] or None,
        "variant": row["variant_number"] or None,
        "slot": row["slot"],
        "position": row["position"],
        "purpose": row["purpose__code"],
        "categories": [],
    }


def media_usages(*, item: MediaItem, history: bool = True) -> dict[str, list[dict]]:
    """Where-used of one media item (R26), a MEDIA_USAGE_HOOKS entry: every current use
    (the working copy, draft and published content of each document, category images,
    swatches of dimension values) and, apart, the old versions that reference it.

    A fixed number of queries whatever the number of uses. Assignment uses carry the
    product's categories (per channel) so the library can show them.
    """
    from catalog.models import DimensionValue

    tenant_id = item.tenant_id
    set_ids = set(
        AssignmentEntry.objects.filter(tenant_id=tenant_id, media_id=item.pk).values_list(
            "content_set_id", flat=True
        )
    )
    states: dict[int, list[tuple[str, dict]]] = {}
    if set_ids:
        documents = AssignmentDocument.objects.filter(tenant_id=tenant_id).filter(
            Q(working_id__in=set_ids) | Q(draft_id__in=set_ids) | Q(published_id__in=set_ids)
        )
        for document in documents.values(
            "pk",
            "product_id",
            "product__number",
            "channel__code",
            "locale__code",
            "working_id",
            "draft_id",
            "published_id",
        ):
            for state in ("working", "draft", "published"):
                set_id = document[f"{state}_id"]
                if set_id in set_ids:
                    states.setdefault(set_id, []).append((state, document))
    current: list[dict] = []
    if states:
        rows = (
            AssignmentEntry.objects.filter(content_set_id__in=states, media_id=item.pk)
            .values(
                "pk",
                "content_set_id",
                "scope",
                "combination",
                "dimension_values",
                "variant_number",
                "slot",
                "position",
                "purpose__code",
            )
            .order_by("content_set_id", "scope", "combination", "slot", "position", "pk")
        )
        for row in rows:
            for state, document in states[row["content_set_id"]]:
                current.append(_entry_usage(row, state=state, document=document))
        product_ids = {d["product_id"] for uses in states.values() for _, d in uses}
        categories: dict[str, list[dict]] = {}
        for number, path, channel in (
            Category.products.through.objects.filter(product_id__in=product_ids)
            .values_list("product__number", "category__path", "category__channel__code")
            .order_by("category__path")
        ):
            categories.setdefault(number, []).append({"path": path, "channel": channel})
        for usage in current:
            usage["categories"] = categories.get(usage["product"], [])
        current.sort(key=lambda u: (u["product"], u["channel"], u["locale"], u["state"]))
    for assignment in CategoryMedia.objects.filter(
        Q(draft_media_id=item.pk) | Q(published_media_id=item.pk), tenant_id=tenant_id
    ).values(
        "pk",
        "category_id",
        "category__path",
        "category__channel__code",
        "draft_media_id",
        "published_media_id",
    ):
        for state in ("draft", "published"):
            if assignment[f"{state}_media_id"] != item.pk:
                continue
            channel, path = assignment["category__channel__code"], assignment["category__path"]
            description = f"category {channel}:{path} default image ({state})"
            current.append(
                {
                    "type": "category media",
                    "model": "assignments.categorymedia",
                    "id": assignment["pk"],
                    "label": description,
                    "description": description,
                    "product": None,
                    "channel": channel,
                    "locale": None,
                    "state": state,
                    "scope": "category",
                    "category": {"id": assignment["category_id"], "path": path},
                    "slot": "default_image",
                }
            )
    for value in DimensionValue.objects.filter(tenant_id=tenant_id, swatch_media_id=item.pk):
        label = str(value)
        current.append(
            {
                "type": "dimension value",
                "model": "catalog.dimensionvalue",
                "id": value.pk,
                "label": label,
                "description": f"dimension value {label}",
                "product": None,
                "channel": None,
                "locale": None,
                "state": "catalog",
                "scope": "dimension value",
                "slot": "swatch",
                "dimension": value.dimension,
                "value": value.value,
            }
        )
    past: list[dict] = []
    if history and set_ids:
        from .models import DocumentVersion

        versions = (
            DocumentVersion.objects.filter(tenant_id=tenant_id, content_id__in=set_ids)
            .values(
                "number",
                "content_id",
                "created_at",
                "created_by__username",
                "document__product__number",
                "document__channel__code",
                "document__locale__code",
            )
            .order_by("document__product__number", "document_id", "-number")
        )
        slots: dict[int, list[str]] = {}
        for set_id, slot in (
            AssignmentEntry.objects.filter(content_set_id__in=set_ids, media_id=item.pk)
            .values_list("content_set_id", "slot")
            .order_by("content_set_id", "slot")
        ):
            if slot not in slots.setdefault(set_id, []):
                slots[set_id].append(slot)
        for version in versions:
            past.append(
                {
                    "product": version["document__product__number"],
                    "channel": version["document__channel__code"],
                    "locale": version["document__locale__code"],
                    "version": version["number"],
                    "checked_in_at": version["created_at"],
                    "checked_in_by": version["created_by__username"],
                    "slots": slots.get(version["content_id"], []),
                    "current": version["content_id"] in states,
                }
            )
    return {"current": current, "history": past}

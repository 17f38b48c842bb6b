"""The live read model (R15, R21-R24): a projection of published content, recomputed per product.

`products_project` recomputes the shop answers of exactly the given products and writes only
what differs: new bodies, changed answer rows, rows that are gone, and one change-feed row
for each, all in one transaction per chunk of products, so a reader sees a product's old
answers or its new ones, never a mix.

The shape is sparse (R23): a product stores one answer row per sellable entity and
*governing* context (a context where it has published content of its own), plus
Omnichannel + Neutral for every entity; a shop read picks the first of its context chain's
candidate keys. Identical bodies are stored once per product (variants that inherit the
master's gallery share one). Adding a channel or a locale therefore writes nothing.

Media that are not published are left out of every answer, with the default image
recomputed, so a shop is never handed a URL that answers 404 (R22).
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import queue
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from assignments import selectors as assignment_selectors
from assignments.resolution import (
    PUBLISHED,
    DocumentContents,
    ResolvedMedia,
    VariantRef,
    default_image_pick,
    media_resolve,
)
from catalog.models import Product, Variant
from media_library.availability import servable_q
from media_library.models import MediaItem, MediaStatus
from media_library.selectors import media_item_prefetch, media_public_urls
from tenants.models import NEUTRAL, OMNICHANNEL, Tenant

from . import read_cache
from .models import AnswerBody, AnswerChange, ChangeEvent, ShopAnswer

logger = logging.getLogger(__name__)

CHUNK_PRODUCTS = 500
DEFAULT_CONTEXT = (OMNICHANNEL, NEUTRAL)
_FEED_LOCK_KEY = 0x6D68_6665  # "mhfe": serialises feed inserts on PostgreSQL
_ANSWER = ChangeEvent.ANSWER.value  # plain text for COPY


@dataclass
class ProjectionStats:
    products: int = 0
    answers_written: int = 0
    answers_removed: int = 0
    bodies_written: int = 0

    def add(self, other: ProjectionStats) -> None:
        self.products += other.products
        self.answers_written += other.answers_written
        self.answers_removed += other.answers_removed
        self.bodies_written += other.bodies_written

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def body_dumps(body: dict) -> str:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def answer_etag(number: str, digest: str) -> str:
    return hashlib.sha1(f"{number}\0{digest}".encode()).hexdigest()


def media_payloads(*, tenant: Tenant | int, media_ids: Iterable[int]) -> dict[int, dict]:
    """The MEDIA objects of the shop API (SPEC §3) for the *published* items among these ids:
    an item that is not published has no public URL, so it is not served (R22); nor is one
    outside its availability window now (R27)."""
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    items = media_item_prefetch(
        MediaItem.objects.filter(
            servable_q(), tenant_id=tenant_id, pk__in=set(media_ids), status=MediaStatus.PUBLISHED
        )
    )
    payloads = {}
    for item in items:
        urls = media_public_urls(item)
        payloads[item.pk] = {
            "id": item.pk,
            "kind": item.kind,
            "url": urls.url,
            "mime_type": item.mime_type,
            "title": item.title,
            "alt_text": item.alt_text,
            "width": item.width,
            "height": item.height,
            "renditions": urls.renditions,
        }
    return payloads


def answer_body(resolved: ResolvedMedia, media: dict[int, dict], published_at: str | None) -> dict:
    """The context-free part of a shop answer; items not in `media` (unpublished) are dropped
    and the default image is picked again from what remains (R11, R22)."""
    primary_ids = [m for m in resolved.primary if m in media]
    swatches = []
    for swatch in resolved.swatches:
        entry = swatch.as_dict()
        if swatch.media is not None:
            if swatch.media not in media:
                continue
            entry["media"] = media[swatch.media]
        swatches.append(entry)
    additional = {}
    for purpose, ids in resolved.additional.items():
        kept = [media[m] for m in ids if m in media]
        if kept:
            additional[purpose] = kept
    default = default_image_pick(
        primary=primary_ids, media_kinds={m: media[m]["kind"] for m in primary_ids}
    )
    provenance = dict(resolved.provenance)
    if not primary_ids:
        provenance["primary"] = None
    if not additional:
        provenance["additional"] = None
    if not swatches:
        provenance["swatches"] = None
    return {
        "default_image": media[default] if default is not None else None,
        "primary": [media[m] for m in primary_ids],
        "additional": additional,
        "swatches": swatches,
        "provenance": provenance,
        "published_at": published_at if (primary_ids or additional or swatches) else None,
    }


def _resolution_key(content, number: str, ref: VariantRef | None):
    """Entities of one product and context with equal keys resolve alike, so each distinct
    one is resolved (and rendered) once. `media_resolve` reads a variant only through its
    own entries (`content.variants[number]`) and its values on the content's matrix
    dimensions; the master (no variant) is its own case."""
    if ref is None:
        return ("master",)
    if content is None:
        return ("none",)
    if number in content.variants:
        return ("own", number)
    return ("values", tuple(ref.values.get(d) for d in content.matrix))


def _resolved_media_ids(resolved: ResolvedMedia) -> set[int]:
    ids = set(resolved.primary)
    for group in resolved.additional.values():
        ids.update(group)
    ids.update(s.media for s in resolved.swatches if s.media is not None)
    return ids


def _governing_contexts(documents: dict[tuple[str, str], DocumentContents]) -> list:
    """Contexts where the product's published content governs (R10), default first."""
    contexts = [DEFAULT_CONTEXT]
    for context, document in sorted(documents.items()):
        if context == DEFAULT_CONTEXT:
            continue
        if document.published is not None and document.published.has_content:
            contexts.append(context)
    return contexts


def products_project(
    *,
    tenant: Tenant | int,
    product_ids: Sequence[int],
    progress: Callable[[int], None] | None = None,
    chunk: int = CHUNK_PRODUCTS,
) -> ProjectionStats:
    """Recompute the answers of these products (deleted ones become gone); one transaction
    per chunk, so a rebuild of a whole tenant commits as it goes."""
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    ids = sorted(set(product_ids))
    batches = [ids[start : start + chunk] for start in range(0, len(ids), chunk)]
    if len(batches) > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block:
        return _project_overlapped(tenant_id, batches, progress)
    stats = ProjectionStats()
    for batch in batches:
        stats.add(_project_batch(tenant_id, batch))
        if progress is not None:
            progress(len(batch))
    return stats


def _project_batch(tenant_id: int, batch: list[int]) -> ProjectionStats:
    with transaction.atomic(), _gc_paused():
        return _project_chunk(tenant_id, batch)


OVERLAP_THREADS = 2


def _project_overlapped(
    tenant_id: int, batches: list[list[int]], progress: Callable[[int], None] | None
) -> ProjectionStats:
    """Many chunks (a rebuild, a large drain) on PostgreSQL: two threads, each with its own
    connection, take chunks in turn, so the database works on one chunk's COPY and commit
    while Python computes the next (the server runs beside the GIL). Each chunk is still
    one transaction holding its products' row locks from read to commit, exactly as in
    `_project_batch`. A chunk that fails here (a deadlock with a concurrent writer, say)
    is projected again afterwards, on its own, in this thread."""
    pending: queue.SimpleQueue = queue.SimpleQueue()
    for batch in batches:
        pending.put(batch)
    done: queue.SimpleQueue = queue.SimpleQueue()
    stop = threading.Event()

    def work() -> None:
        try:
            while not stop.is_set():
                try:
                    batch = pending.get_nowait()
                except queue.Empty:
                    return
                try:
                    with transaction.atomic():
                        done.put((batch, _project_chunk(tenant_id, batch)))
                except DatabaseError as exc:
                    done.put((batch, exc))
                except BaseException as exc:  # a bug: stop taking chunks, raise it below
                    stop.set()
                    done.put((batch, exc))
                    return
        finally:
            connections.close_all()

    stats = ProjectionStats()
    failed: list[list[int]] = []
    error: BaseException | None = None
    threads = [threading.Thread(target=work, daemon=True) for _ in range(OVERLAP_THREADS)]
    with _gc_paused():
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads) or not done.empty():
            try:
                batch, result = done.get(timeout=0.05)
            except queue.Empty:
                continue
            if isinstance(result, DatabaseError):
                logger.warning("projection chunk to retry alone: %s", result)
                failed.append(batch)
            elif isinstance(result, BaseException):
                error = error or result
            else:
                stats.add(result)
                if progress is not None:
                    progress(len(batch))
        for thread in threads:
            thread.join()
    if error is not None:
        raise error
    for batch in failed:
        stats.add(_project_batch(tenant_id, batch))
        if progress is not None:
            progress(len(batch))
    return stats


@contextmanager
def _gc_paused():
    """A chunk allocates tens of thousands of small objects and frees them all at its end;
    the cyclic collector's passes over them cost a fifth of a rebuild. Paused, never lost:
    whatever is garbage is collected once it runs again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _project_chunk(tenant_id: int, product_ids: list[int]) -> ProjectionStats:
    # Row locks serialise two projections of one product (PostgreSQL); order by pk.
    products = list(
        Product.objects.select_for_update()
        .filter(tenant_id=tenant_id, pk__in=product_ids)
        .order_by("pk")
        .values_list("pk", "number")
    )
    tenant = Tenant(pk=tenant_id)
    documents_by_product = assignment_selectors.document_contents_load(
        tenant=tenant, product_ids=[pk for pk, _ in products], drafts=False
    )
    variants: dict[int, list[tuple[int, str, dict]]] = {}
    parsed: dict[str, dict] = {}  # a catalog repeats few combinations: decode each once
    for pk, product_id, number, text in (
        Variant.objects.filter(product_id__in=[pk for pk, _ in products])
        .annotate(values_text=Cast("values", TextField()))
        .values_list("pk", "product_id", "number", "values_text")
    ):
        values = parsed.get(text)
        if values is None:
            values = parsed[text] = json.loads(text)
        variants.setdefault(product_id, []).append((pk, number, values))

    resolved_rows = []
    media_ids: set[int] = set()
    for product_id, product_number in products:
        documents = documents_by_product.get(product_id, {})
        entities = [(product_number, None, None)] + [
            (number, variant_id, VariantRef(number, values))
            for variant_id, number, values in variants.get(product_id, [])
        ]
        for context in _governing_contexts(documents):
            document = documents.get(context)
            single = {context: document} if document is not None else {}
            published_at = document.published_at if document is not None else None
            content = document.published if document is not None else None
            alike: dict = {}
            for number, variant_id, ref in entities:
                key = _resolution_key(content, number, ref)
                resolved = alike.get(key)
                if resolved is None:
                    resolved = alike[key] = media_resolve(
                        documents=single, chain=(context,), source=PUBLISHED, variant=ref
                    )
                    media_ids |= _resolved_media_ids(resolved)
                resolved_rows.append(
                    (product_id, variant_id, number, context, resolved, published_at)
                )
    media = media_payloads(tenant=tenant_id, media_ids=media_ids)

    desired: dict[tuple[str, str, str], tuple[int, int | None, str]] = {}
    bodies: dict[tuple[int, str], str] = {}
    rendered: dict[tuple, str] = {}  # entities sharing a resolution share its body
    for product_id, variant_id, number, context, resolved, published_at in resolved_rows:
        key = (product_id, id(resolved), published_at)
        digest = rendered.get(key)
        if digest is None:
            text = body_dumps(answer_body(resolved, media, published_at))
            digest = rendered[key] = hashlib.sha1(text.encode()).hexdigest()
            bodies.setdefault((product_id, digest), text)
        desired[(number, context[0], context[1])] = (product_id, variant_id, digest)
    return answers_write(
        tenant_id=tenant_id, product_ids=product_ids, desired=desired, bodies=bodies
    )


def answers_write(
    *,
    tenant_id: int,
    product_ids: list[int],
    desired: dict[tuple[str, str, str], tuple[int, int | None, str]],
    bodies: dict[tuple[int, str], str],
) -> ProjectionStats:
    """Make the stored answers of these products equal `desired`, writing only differences,
    and report every changed or removed key in the change feed."""
    stats = ProjectionStats(products=len(product_ids))
    now = timezone.now()
    existing_bodies = _body_ids(tenant_id, product_ids)
    fresh = [
        (product_id, digest, text)
        for (product_id, digest), text in bodies.items()
        if (product_id, digest) not in existing_bodies
    ]
    if fresh:
        existing_bodies.update(_bodies_insert(tenant_id, fresh))
        stats.bodies_written = len(fresh)

    current = {
        (number, channel, locale): (pk, etag)
        for pk, number, channel, locale, etag in _answers_of_products(tenant_id, product_ids)
    }
    create, update, feed = [], [], []
    for key, (product_id, variant_id, digest) in desired.items():
        etag = answer_etag(key[0], digest)
        known = current.get(key)
        if known is not None and known[1] == etag:
            continue
        body_id = existing_bodies[(product_id, digest)]
        if known is None:
            create.append((*key, product_id, variant_id, body_id, etag))
        else:
            update.append(
                _answer_row(tenant_id, known[0], key, product_id, variant_id, body_id, etag, now)
            )
        feed.append((_ANSWER, *key, None, etag))
    gone = [key for key in current if key not in desired]
    if gone:
        ShopAnswer.objects.filter(pk__in=[current[key][0] for key in gone]).delete()
        feed.extend((_ANSWER, *key, None, None) for key in gone)
    if create:
        update.extend(_answers_create(tenant_id, product_ids, create, now))
    if update:
        ShopAnswer.objects.bulk_update(
            update, ["product_id", "variant_id", "body", "etag", "updated_at"], batch_size=1000
        )
    used = {(product_id, digest) for product_id, _, digest in desired.values()}
    unused = [pk for key, pk in existing_bodies.items() if key not in used]
    if unused:
        AnswerBody.objects.filter(pk__in=unused).delete()
    stats.answers_written = len(create) + len(update)
    stats.answers_removed = len(gone)
    _feed_write(tenant_id, feed)
    return stats


def _answer_row(tenant_id, pk, key, product_id, variant_id, body_id, etag, now) -> ShopAnswer:
    return ShopAnswer(
        pk=pk,
        tenant_id=tenant_id,
        number=key[0],
        channel_code=key[1],
        locale_code=key[2],
        product_id=product_id,
        variant_id=variant_id,
        body_id=body_id,
        etag=etag,
        updated_at=now,
    )


def _answers_create(tenant_id: int, product_ids: list[int], rows: list[tuple], now) -> list:
    """Insert new answers. A number whose rows still belong to another product (deleted, and
    not projected yet) makes the insert conflict: only then are those rows looked up and
    taken over (returned as updates), so the common case costs no lookup by number."""
    try:
        with transaction.atomic():
            _answers_insert(tenant_id, rows, now)
        return []
    except IntegrityError:
        pass
    taken = {
        (number, channel, locale): pk
        for pk, number, channel, locale, _ in _answers_under_numbers(
            tenant_id, {row[0] for row in rows}, product_ids
        )
    }
    updates = [
        _answer_row(tenant_id, taken[row[:3]], row[:3], *row[3:], now)
        for row in rows
        if row[:3] in taken
    ]
    _answers_insert(tenant_id, [row for row in rows if row[:3] not in taken], now)
    return updates


def _answers_of_products(tenant_id: int, product_ids: list[int]) -> list[tuple]:
    """(id, number, channel, locale, etag) of the stored answers of these products."""
    if connection.vendor == "postgresql":  # one array parameter: an IN list costs more to build
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {_CURRENT_COLUMNS} FROM {_answer_table()} "
                "WHERE tenant_id = %s AND product_id = ANY(%s)",
                [tenant_id, list(product_ids)],
            )
            return cursor.fetchall()
    return list(
        ShopAnswer.objects.filter(tenant_id=tenant_id, product_id__in=product_ids).values_list(
            "pk", "number", "channel_code", "locale_code", "etag"
        )
    )


def _answers_under_numbers(tenant_id: int, numbers: set[str], product_ids: list[int]) -> list:
    """The same, for rows under these numbers that belong to other products."""
    return list(
        ShopAnswer.objects.filter(tenant_id=tenant_id, number__in=numbers)
        .exclude(product_id__in=product_ids)
        .values_list("pk", "number", "channel_code", "locale_code", "etag")
    )


_CURRENT_COLUMNS = "id, number, channel_code, locale_code, etag"


def _answer_table() -> str:
    return connection.ops.quote_name(ShopAnswer._meta.db_table)


def _body_ids(tenant_id: int, product_ids: list[int]) -> dict[tuple[int, str], int]:
    return {
        (product_id, digest): pk
        for pk, product_id, digest in AnswerBody.objects.filter(
            tenant_id=tenant_id, product_id__in=product_ids
        ).values_list("pk", "product_id", "digest")
    }


# New rows go in with COPY on PostgreSQL: a rebuild writes hundreds of thousands, and an
# INSERT with every value quoted into its text costs several times the rows themselves.
# Other databases take the ordinary bulk insert.


_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_NULL = "\\N"


def _copy_text(value: str) -> str:
    """A string in COPY's text format (a search is cheaper than four replaces)."""
    if _COPY_SPECIAL.search(value) is None:
        return value
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _copy_or_null(value) -> str:
    if value is None:
        return _NULL
    return _copy_text(value) if isinstance(value, str) else str(value)


def _copy(table: str, columns: Sequence[str], lines: Iterable[str]) -> None:
    """COPY lines already in COPY's text format (built by the caller, who knows which of
    its columns can hold special characters: a few times cheaper per row than having the
    driver adapt every value)."""
    sql = f'COPY "{table}" ({", ".join(columns)}) FROM STDIN'
    # The driver's own COPY: its errors become Django's (an IntegrityError to catch) here.
    with connection.wrap_database_errors, connection.cursor() as cursor, cursor.copy(sql) as copy:
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) >= 5000:
                copy.write("\n".join(batch) + "\n")
                batch = []
        if batch:
            copy.write("\n".join(batch) + "\n")


def _bodies_insert(tenant_id: int, fresh: list[tuple[int, str, str]]) -> dict:
    """Insert (product id, digest, text) bodies; returns {(product id, digest): id}."""
    if connection.vendor == "postgresql":
        table = AnswerBody._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(fresh)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        _copy(
            table,
            ("id", "tenant_id", "product_id", "digest", "body"),
            (
                f"{pk}\t{tenant_id}\t{product_id}\t{digest}\t{_copy_text(text)}"
                for pk, (product_id, digest, text) in zip(ids, fresh, strict=True)
            ),
        )
        return {(p, digest): pk for pk, (p, digest, _) in zip(ids, fresh, strict=True)}
    made = AnswerBody.objects.bulk_create(
        [
            AnswerBody(tenant_id=tenant_id, product_id=product_id, digest=digest, body=text)
            for product_id, digest, text in fresh
        ],
        batch_size=1000,
    )
    if any(body.pk is None for body in made):  # backends that return no ids
        return _body_ids(tenant_id, sorted({product_id for product_id, _, _ in fresh}))
    return {(b.product_id, b.digest): b.pk for b in made}


def _answers_insert(tenant_id: int, rows: list[tuple], now) -> None:
    """Insert (number, channel, locale, product id, variant id, body id, etag) answers."""
    if connection.vendor == "postgresql":
        stamp = now.isoformat()
        _copy(
            ShopAnswer._meta.db_table,
            (
                "tenant_id",
                "number",
                "channel_code",
                "locale_code",
                "product_id",
                "variant_id",
                "body_id",
                "etag",
                "updated_at",
            ),
            (
                f"{tenant_id}\t{_copy_text(number)}\t{_copy_text(channel)}\t"
                f"{_copy_text(locale)}\t{product_id}\t{_copy_or_null(variant_id)}\t{body_id}\t"
                f"{etag}\t{stamp}"
                for number, channel, locale, product_id, variant_id, body_id, etag in rows
            ),
        )
        return
    ShopAnswer.objects.bulk_create(
        [
            ShopAnswer(
                tenant_id=tenant_id,
                number=number,
                channel_code=channel,
                locale_code=locale,
                product_id=product_id,
                variant_id=variant_id,
                body_id=body_id,
                etag=etag,
                updated_at=now,
            )
            for number, channel, locale, product_id, variant_id, body_id, etag in rows
        ],
        batch_size=1000,
    )


def changes_record(changes: list[AnswerChange]) -> None:
    """Append to the change feed as the last write of the transaction. On PostgreSQL an
    advisory lock held to commit makes ids visible in commit order (SQLite serialises
    writers anyway), so a follower's `id > cursor` never skips a late commit. The writing
    process drops its own local copies at commit; the others on their next poll."""
    if not changes:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_FEED_LOCK_KEY])
    AnswerChange.objects.bulk_create(changes, batch_size=2000)
    evictions = [(c.tenant_id, c.event, c.number, c.category_id) for c in changes]
    transaction.on_commit(lambda: _evict_locally(evictions))


def _feed_write(tenant_id: int, feed: list[tuple]) -> None:
    """`changes_record` for one tenant's (event, number, channel, locale, category id, etag)
    entries, with COPY on PostgreSQL (a rebuild reports every answer it writes)."""
    if not feed:
        return
    if connection.vendor != "postgresql":
        changes_record(
            [
                AnswerChange(
                    tenant_id=tenant_id,
                    event=event,
                    number=number,
                    channel_code=channel,
                    locale_code=locale,
                    category_id=category_id,
                    etag=etag,
                )
                for event, number, channel, locale, category_id, etag in feed
            ]
        )
        return
    stamp = timezone.now().isoformat()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_FEED_LOCK_KEY])
    _copy(
        AnswerChange._meta.db_table,
        (
            "tenant_id",
            "event",
            "number",
            "channel_code",
            "locale_code",
            "category_id",
            "etag",
            "created_at",
        ),
        (
            f"{tenant_id}\t{event}\t{_copy_or_null(number)}\t{_copy_text(channel)}\t"
            f"{_copy_text(locale)}\t{_copy_or_null(category_id)}\t{_copy_or_null(etag)}\t{stamp}"
            for event, number, channel, locale, category_id, etag in feed
        ),
    )
    evictions = [(tenant_id, entry[0], entry[1], entry[4]) for entry in feed]
    transaction.on_commit(lambda: _evict_locally(evictions))


def _evict_locally(evictions: list) -> None:
    """The writing process need not wait for its next poll of the feed."""
    read_cache.changes_apply(evictions)

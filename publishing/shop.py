"""Reads for shops and POS (R15): from the read model through the cache, never a fallback walk."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import psycopg
from django.db import InterfaceError, OperationalError, connection
from django.db.backends.utils import CursorWrapper

from assignments.resolution import context_chain
from catalog.models import Category
from tenants.exceptions import NotFound
from tenants.models import NEUTRAL

from . import read_cache
from .models import AnswerBody, CategoryAnswer, ShopAnswer


@dataclass(frozen=True)
class RenderedMedia:
    body: bytes
    etag: str


def _render(payload: dict, etag: str | None = None) -> RenderedMedia:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return RenderedMedia(body=body, etag=etag or hashlib.sha1(body).hexdigest())


def _contexts(tenant_slug: str, channel: str, locale: str | None) -> read_cache.TenantContexts:
    """The tenant's channels and locales from the process cache; unknown parts answer 404."""
    read_cache.refresh()
    contexts = read_cache.contexts_get(tenant_slug)
    if contexts is None:
        raise NotFound(f"Tenant '{tenant_slug}' not found.", field="tenant")
    if channel not in contexts.channels:
        raise NotFound(f"Unknown channel '{channel}'.", field="channel")
    if locale is not None and locale not in contexts.locale_languages:
        raise NotFound(f"Unknown locale '{locale}'.", field="locale")
    return contexts


def _chain(contexts: read_cache.TenantContexts, channel: str, locale: str) -> tuple:
    chain = contexts.chains.get((channel, locale))
    if chain is None:
        chain = contexts.chains[(channel, locale)] = context_chain(
            channel=channel, locale=locale, locale_languages=contexts.locale_languages
        )
    return chain


def _candidates(chain: tuple) -> tuple[set[str], set[str]]:
    return {c for c, _ in chain}, {loc for _, loc in chain}


def render_answer(number: str, channel: str, locale: str, body: str, etag: str) -> RenderedMedia:
    """The answer bytes: the request's own fields in front of the stored body."""
    head = json.dumps(
        {"product": number, "channel": channel, "locale": locale},
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return RenderedMedia(body=(head[:-1] + "," + body[1:]).encode(), etag=etag)


def _pick(rows, chain) -> tuple[str, str] | None:
    """The first key of the context chain among the stored candidates (R10)."""
    by_context = {(row[0], row[1]): row for row in rows}
    for context in chain:
        row = by_context.get(context)
        if row is not None:
            return row
    return None


_ANSWER_SQL: dict[tuple[int, int], str] = {}


def _answer_rows(tenant_id: int, number: str, channels: set[str], locales: set[str]) -> list:
    """(channel, locale, etag, body) of the stored candidates: the query the ORM would
    build, written once per shape, since building it cost as much as running it."""
    channels, locales = sorted(channels), sorted(locales)
    shape = (len(channels), len(locales))
    sql = _ANSWER_SQL.get(shape)
    if sql is None:
        q = connection.ops.quote_name
        answer, body = q(ShopAnswer._meta.db_table), q(AnswerBody._meta.db_table)
        sql = _ANSWER_SQL[shape] = (
            f"SELECT a.channel_code, a.locale_code, a.etag, b.body "
            f"FROM {answer} a INNER JOIN {body} b ON b.id = a.body_id "
            f"WHERE a.tenant_id = %s AND a.{q('number')} = %s "
            f"AND a.channel_code IN ({', '.join(['%s'] * shape[0])}) "
            f"AND a.locale_code IN ({', '.join(['%s'] * shape[1])})"
        )
    return _read(sql, [tenant_id, number, *channels, *locales])


class _PreparedCursor(psycopg.Cursor):
    """Binds on the server and prepares every statement: a shop read runs a handful of
    shapes all day on each persistent connection. Wrapped in Django's CursorWrapper, so
    errors and execute wrappers behave as for any other query."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


def _read(sql: str, params: list) -> list:
    """A shop read's one query. On PostgreSQL it runs as a prepared statement on a
    server-side-binding cursor (Django's cursors bind on the client and never prepare;
    planning this lookup costs more than executing it), and without Django's per-request
    health check (a `SELECT 1` before the first cursor, a second round trip for a
    one-query request): a connection found dead is reopened and the read, which writes
    nothing, tried once more."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    for attempt in (1, 2):
        try:
            connection.ensure_connection()
            with CursorWrapper(_PreparedCursor(connection.connection), connection) as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        except (InterfaceError, OperationalError):
            if attempt == 2 or connection.in_atomic_block:
                raise
            connection.close()
    raise AssertionError("unreachable")


def shop_product_media(
    *, tenant_slug: str, channel: str, locale: str | None, number: str
) -> RenderedMedia:
    """The flattened media of a product, master or variant number in a channel and locale:
    from the process cache, else one indexed query of the context chain's candidate keys."""
    channel, locale = channel.lower(), (locale or NEUTRAL).lower()  # codes are lower-case
    contexts = _contexts(tenant_slug, channel, locale)
    hit = read_cache.answer_get(contexts.tenant_id, number, (channel, locale))
    if hit is not None:
        return hit
    seen = read_cache.epoch()
    chain = _chain(contexts, channel, locale)
    channels, locales = _candidates(chain)
    row = _pick(_answer_rows(contexts.tenant_id, number, channels, locales), chain)
    if row is None:
        raise NotFound(f"No product or variant '{number}'.", field="product")
    rendered = render_answer(number, channel, locale, row[3], row[2])
    read_cache.answer_put(contexts.tenant_id, number, (channel, locale), rendered, seen)
    return rendered


def shop_product_default_images(
    *, tenant_slug: str, channel: str, locale: str | None, numbers: list[str]
) -> list[dict]:
    """Default images of many products at once, for lists and search results (R11)."""
    channel, locale = channel.lower(), (locale or NEUTRAL).lower()
    contexts = _contexts(tenant_slug, channel, locale)
    chain = _chain(contexts, channel, locale)
    channels, locales = _candidates(chain)
    rows: dict[str, list] = {}
    for found in ShopAnswer.objects.filter(
        tenant_id=contexts.tenant_id,
        number__in=numbers,
        channel_code__in=channels,
        locale_code__in=locales,
    ).values_list("channel_code", "locale_code", "etag", "body__body", "number"):
        rows.setdefault(found[4], []).append(found)
    results = []
    for number in numbers:
        row = _pick(rows.get(number, []), chain)
        if row is None:
            results.append({"product": number, "default_image": None, "error": "unknown product"})
        else:
            results.append(
                {"product": number, "default_image": json.loads(row[3])["default_image"]}
            )
    return results


def shop_category_media(*, tenant_slug: str, channel: str, category_id: int) -> RenderedMedia:
    channel = channel.lower()
    contexts = _contexts(tenant_slug, channel, None)
    hit = read_cache.category_get(contexts.tenant_id, channel, category_id)
    if hit is not None:
        return hit
    seen = read_cache.epoch()
    row = (
        CategoryAnswer.objects.filter(
            tenant_id=contexts.tenant_id, channel_code=channel, category_id=category_id
        )
        .values_list("payload", "etag")
        .first()
    )
    if row is not None:
        rendered = _render(row[0], row[1])
    else:
        category = Category.objects.filter(
            tenant_id=contexts.tenant_id, channel__code=channel, pk=category_id
        ).first()
        if category is None:
            raise NotFound(f"No category {category_id} in channel '{channel}'.", field="category")
        rendered = _render(
            {
                "category": category.pk,
                "path": category.path,
                "channel": channel,
                "default_image": None,
                "published_at": None,
            }
        )
    read_cache.category_put(contexts.tenant_id, channel, category_id, rendered, seen)
    return rendered

"""The shop read path's per-process cache (R15, R21): rendered answers, kept right by the feed.

Every server process keeps rendered answers in a bounded LRU keyed by (tenant, number), and
the tenant's channels and locales. It stays right without a shared cache: at most every
`SHOP_CHANGE_POLL_SECONDS` a request first reads the change feed (`AnswerChange`, one
indexed query on `id > cursor`) and drops exactly the numbers that changed, so a write made
by any process (a command, a worker, another web process) is served everywhere within that
delay, on SQLite as on PostgreSQL, with or without Redis. The process that wrote drops its
own copies at commit. A product's changes commit together and are applied together, so a
reader never sees one of its answers new and another old.

Publishing product A drops A's numbers only: B's cached answers stay warm (R23).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings

POLL_BATCH = 5000


@dataclass
class TenantContexts:
    """A tenant's channels and locales (with languages), for the 404s and context chains."""

    tenant_id: int
    channels: frozenset[str]
    locale_languages: dict[str, str]
    chains: dict[tuple[str, str], tuple[tuple[str, str], ...]] = field(default_factory=dict)


_lock = threading.RLock()
_answers: OrderedDict[tuple[int, str], dict] = OrderedDict()  # (tenant, number) -> {ctx: r}
_categories: OrderedDict[tuple[int, str, int], object] = OrderedDict()
_contexts: dict[str, TenantContexts] = {}
_state = {"cursor": None, "polled": 0.0, "epoch": 0}


def _max_entries() -> int:
    return settings.SHOP_LOCAL_CACHE_ENTRIES


def refresh(*, force: bool = False) -> None:
    """Follow the change feed if the last look is older than the poll interval."""
    now = time.monotonic()
    if not force and now - _state["polled"] < settings.SHOP_CHANGE_POLL_SECONDS:
        return
    from .models import AnswerChange

    with _lock:
        _state["polled"] = now
        if _state["cursor"] is None:
            last = AnswerChange.objects.order_by("-pk").values_list("pk", flat=True).first()
            _state["cursor"] = last or 0
            _clear_all()
            return
        while True:
            rows = list(
                AnswerChange.objects.filter(pk__gt=_state["cursor"])
                .order_by("pk")
                .values_list("pk", "tenant_id", "event", "number", "category_id")[:POLL_BATCH]
            )
            if not rows:
                return
            _state["cursor"] = rows[-1][0]
            changes_apply([row[1:] for row in rows])
            if len(rows) < POLL_BATCH:
                return


def changes_apply(changes: Iterable[tuple[int, str, str, int | None]]) -> None:
    """Drop what these feed entries changed: a number's answers, a category, or (channel
    or locale added/removed) everything of the tenant."""
    from .models import ChangeEvent

    with _lock:
        _state["epoch"] += 1
        for tenant_id, event, number, category_id in changes:
            if event == ChangeEvent.ANSWER:
                _answers.pop((tenant_id, number), None)
            elif event == ChangeEvent.CATEGORY:
                for key in [k for k in _categories if k[0] == tenant_id and k[2] == category_id]:
                    _categories.pop(key, None)
            else:
                _tenant_forget(tenant_id)


def _tenant_forget(tenant_id: int) -> None:
    for slug in [s for s, c in _contexts.items() if c.tenant_id == tenant_id]:
        _contexts.pop(slug, None)
    for key in [k for k in _answers if k[0] == tenant_id]:
        _answers.pop(key, None)
    for key in [k for k in _categories if k[0] == tenant_id]:
        _categories.pop(key, None)


def epoch() -> int:
    """Changes seen so far; a value read before a database read guards the put after it."""
    return _state["epoch"]


def contexts_get(tenant_slug: str) -> TenantContexts | None:
    known = _contexts.get(tenant_slug)
    if known is not None:
        return known
    from tenants.models import Channel, Locale, Tenant

    seen = epoch()
    tenant_id = Tenant.objects.filter(slug=tenant_slug).values_list("pk", flat=True).first()
    if tenant_id is None:
        return None
    loaded = TenantContexts(
        tenant_id=tenant_id,
        channels=frozenset(
            Channel.objects.filter(tenant_id=tenant_id).values_list("code", flat=True)
        ),
        locale_languages=dict(
            Locale.objects.filter(tenant_id=tenant_id).values_list("code", "language")
        ),
    )
    with _lock:
        if epoch() == seen:
            _contexts[tenant_slug] = loaded
    return loaded


def answer_get(tenant_id: int, number: str, context: tuple[str, str]):
    entry = _answers.get((tenant_id, number))
    if entry is None:
        return None
    return entry.get(context)


def answer_put(tenant_id: int, number: str, context: tuple[str, str], value, seen: int) -> None:
    """Keep a rendered answer unless a change arrived since `seen` (it may be older)."""
    with _lock:
        if _state["epoch"] != seen:
            return
        key = (tenant_id, number)
        entry = _answers.get(key)
        if entry is None:
            entry = _answers[key] = {}
        entry[context] = value
        _answers.move_to_end(key)
        while len(_answers) > _max_entries():
            _answers.popitem(last=False)


def category_get(tenant_id: int, channel: str, category_id: int):
    return _categories.get((tenant_id, channel, category_id))


def category_put(tenant_id: int, channel: str, category_id: int, value, seen: int) -> None:
    with _lock:
        if _state["epoch"] != seen:
            return
        _categories[(tenant_id, channel, category_id)] = value
        while len(_categories) > _max_entries():
            _categories.popitem(last=False)


def _clear_all() -> None:
    _answers.clear()
    _categories.clear()
    _contexts.clear()
    _state["epoch"] += 1


def local_clear() -> None:
    """Tests call this between cases (their databases roll back under the cursor)."""
    with _lock:
        _clear_all()
        _state["cursor"] = None
        _state["polled"] = 0.0

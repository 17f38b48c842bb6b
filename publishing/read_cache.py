"""The shop read path's cache (R15): rendered JSON bytes keyed by a per-tenant generation.

Publishing bumps the tenant's generation after commit, so every key written before is never
read again: a reader sees the old state or the new one, never a mix, and no key needs listing.
The generation is a timestamp, so a lost generation key can't resurrect older entries.

Rendered entries are also kept in a small per-process LRU keyed the same way: a warm read
then costs one GET of the (tiny) generation from the shared cache and no unpickling, and it
can never serve an old state, because a publish changes the generation every key contains.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache

ENTRY_TIMEOUT_SECONDS = 24 * 3600


def _generation_key(tenant_slug: str) -> str:
    return f"mh:gen:{tenant_slug}"


# tenant slug -> (generation, monotonic time read). Other processes learn of a publish within
# SHOP_GENERATION_LOCAL_SECONDS; the publishing process at once. 0 asks the shared cache always.
_generations: dict[str, tuple[int, float]] = {}


def generation(tenant_slug: str) -> int:
    now = time.monotonic()
    known = _generations.get(tenant_slug)
    if known is not None and now - known[1] < settings.SHOP_GENERATION_LOCAL_SECONDS:
        return known[0]
    key = _generation_key(tenant_slug)
    value = cache.get(key)
    if value is None:
        value = time.time_ns()
        if not cache.add(key, value, timeout=None):
            value = cache.get(key, value)
    _generations[tenant_slug] = (value, now)
    return value


def generation_bump(tenant_slug: str) -> None:
    value = time.time_ns()
    cache.set(_generation_key(tenant_slug), value, timeout=None)
    _generations[tenant_slug] = (value, time.monotonic())


def entry_key(tenant_slug: str, gen: int, *parts: str) -> str:
    return ":".join(["mh:shop", tenant_slug, str(gen), *parts])


LOCAL_MAX_ENTRIES = 20_000
_local: OrderedDict[str, object] = OrderedDict()
_local_lock = threading.Lock()


def _local_put(key: str, value) -> None:
    with _local_lock:
        _local[key] = value
        _local.move_to_end(key)
        while len(_local) > LOCAL_MAX_ENTRIES:
            _local.popitem(last=False)


def entry_get(key: str):
    value = _local.get(key)
    if value is not None:
        return value
    value = cache.get(key)
    if value is not None:
        _local_put(key, value)
    return value


def entry_set(key: str, value) -> None:
    cache.set(key, value, timeout=ENTRY_TIMEOUT_SECONDS)
    _local_put(key, value)


def local_clear() -> None:
    """Tests call this between cases; processes never need to (keys carry the generation)."""
    with _local_lock:
        _local.clear()
    _generations.clear()

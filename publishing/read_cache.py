"""The shop read path's cache (R15): rendered JSON bytes keyed by a per-tenant generation.

Publishing bumps the tenant's generation after commit, so every key written before is never
read again: a reader sees the old state or the new one, never a mix, and no key needs listing.
The generation is a timestamp, so a lost generation key can't resurrect older entries.
"""

from __future__ import annotations

import time

from django.core.cache import cache

ENTRY_TIMEOUT_SECONDS = 24 * 3600


def _generation_key(tenant_slug: str) -> str:
    return f"mh:gen:{tenant_slug}"


def generation(tenant_slug: str) -> int:
    key = _generation_key(tenant_slug)
    value = cache.get(key)
    if value is None:
        value = time.time_ns()
        if not cache.add(key, value, timeout=None):
            value = cache.get(key, value)
    return value


def generation_bump(tenant_slug: str) -> None:
    cache.set(_generation_key(tenant_slug), time.time_ns(), timeout=None)


def entry_key(tenant_slug: str, gen: int, *parts: str) -> str:
    return ":".join(["mh:shop", tenant_slug, str(gen), *parts])


def entry_get(key: str):
    return cache.get(key)


def entry_get_many(keys: list[str]) -> dict:
    return cache.get_many(keys)


def entry_set(key: str, value) -> None:
    cache.set(key, value, timeout=ENTRY_TIMEOUT_SECONDS)


def entry_set_many(values: dict) -> None:
    cache.set_many(values, timeout=ENTRY_TIMEOUT_SECONDS)

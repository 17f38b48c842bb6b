"""Bench: importing a 100,000-row assignment manifest with full validation (SPEC §5, R18).

Set-up (bulk, untimed): 1,250 masters × 24 variants (color 4 × size 3 × style 2) and 500
image items. The manifest gives each master 3 primary images + a manual, a color matrix
(4 colours × 1 image) and 3 primary images per variant: 80 rows per master, 100,000 rows.
Media rows reference existing items by InternalMediaId (with the mandatory MediaChannel,
MediaLocale, MediaType, MediaDisplayName and ImageAltText columns), so there is no file I/O.

Timed: `manifest_import` end to end — parse, validate every row against bulk-loaded
references, then write 1,250 documents with their content sets, 100,000 entries, versions
and events, and the result manifest — as EntityAssignmentAction Draft (PublishNow adds the
flattening that bench/publish.py measures). Then the same file again: a no-op that still
validates every row. Bar: ≥ 10,000 rows/s. Peak memory: the process's max RSS growth.

    .venv/bin/python bench/import.py          # PostgreSQL manifest_bench
    .venv/bin/python bench/import.py 250      # fewer masters (20,000 rows)
"""

from __future__ import annotations

import csv
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault(
    "BENCH_DATABASE_URL",
    os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/manifest_bench"),
)
from benchdb import COLORS, SIZES, STYLES, bench_catalog_create, bench_django, bench_tenant_delete  # noqa: E402

MASTERS = int(sys.argv[1]) if len(sys.argv) > 1 else 1250
MEDIA = 500
SLUG = "bench-import"
HEADER = [
    "EntityType",
    "EntityKey",
    "EntityKeyValue",
    "EntityChannel",
    "EntityLocale",
    "EntityAssignmentAction",
    "MediaGroup",
    "MediaPurpose",
    "MediaDisplayOrder",
    "InternalMediaId",
    "MediaChannel",
    "MediaLocale",
    "MediaType",
    "MediaDisplayName",
    "ImageAltText",
]


def build():
    """The catalog and the media library, in bulk."""
    from tenants.services import tenant_create

    bench_tenant_delete(SLUG)
    tenant = tenant_create(slug=SLUG, name="Bench import")
    media, products = bench_catalog_create(tenant=tenant, masters=MASTERS, media=MEDIA)
    return tenant, media, products


def manifest(media, products) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, dialect="excel-tab", lineterminator="\n")
    writer.writerow(HEADER)
    pick = iter(range(10**9))

    def cells(entity_type, key, key_value="", group="Primary", purpose="", order=""):
        item = media[next(pick) % len(media)]
        return [
            entity_type, key, key_value, "Omnichannel", "system_neutral", "Draft", group, purpose,
            order, item.pk, "", "system_neutral", "Image", item.display_name, item.alt_text,
        ]  # fmt: skip

    for product in products:
        for order in (1, 2, 3):
            writer.writerow(cells("Product|Master", product.number, order=order))
        writer.writerow(
            cells("Product|Master", product.number, group="Additional", purpose="manual")
        )
        for colour in COLORS:
            writer.writerow(
                cells("Product|DimensionMatrix", product.number, f"Color:{colour}", order=1)
            )
        for c in COLORS:
            for s in SIZES:
                for st in STYLES:
                    for order in (1, 2, 3):
                        writer.writerow(
                            cells("Product|Variant", f"{product.number}-{c}-{s}-{st}", order=order)
                        )
    return out.getvalue().encode()


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_import(tenant, data: bytes, label: str) -> None:
    from assignments.manifests.importer import manifest_import

    rows = data.count(b"\n") - 1
    rss_before = max_rss_mb()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as result:
        started = time.perf_counter()
        report = manifest_import(
            tenant=tenant, source=io.BytesIO(data), files=None, user=None, result_out=result
        )
        elapsed = time.perf_counter() - started
    if not report.ok:
        raise SystemExit(f"import failed: {report.errors[:5]}")
    print(
        f"{label}: {rows:,} rows in {elapsed:.2f} s = {rows / elapsed:,.0f} rows/s "
        f"(succeeded {report.succeeded:,}, skipped {report.skipped:,}, "
        f"versions {report.counts.get('versions', 0):,}, entries {report.counts.get('entries', 0):,}); "
        f"max RSS {max_rss_mb():.0f} MB (+{max_rss_mb() - rss_before:.0f} MB)"
    )
    return rows / elapsed


def main() -> None:
    url = bench_django()
    print(f"database: {url.rsplit('@', 1)[-1]}, masters: {MASTERS}")
    started = time.perf_counter()
    tenant, media, products = build()
    data = manifest(media, products)
    print(
        f"set-up: {len(products):,} masters, {len(products) * 24:,} variants, {len(media)} media, "
        f"manifest {len(data) / 1e6:.1f} MB, {time.perf_counter() - started:.1f} s"
    )
    try:
        first = timed_import(tenant, data, "first import")
        timed_import(tenant, data, "re-import (no-op)")
    finally:
        bench_tenant_delete(SLUG)
    verdict = "PASS" if first >= 10_000 else "FAIL"
    print(f"bar: >= 10,000 rows/s with validation -> {verdict} ({first:,.0f} rows/s)")


if __name__ == "__main__":
    main()

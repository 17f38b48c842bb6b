"""Bench: flattening a catalog into the read model vs bulk-inserting the same rows (SPEC §5).

Catalog: 1,000 masters × 24 variants (color 4 × size 3 × style 2), 3 channels (Omnichannel,
web, pos) × 2 locales (Neutral, en-us), each master with a published Omnichannel+Neutral
document: 3 master images + a manual, a color matrix with 2 images per colour, 2 variants
with their own image. That is 1,000 × 25 entities × 6 contexts = 150,000 read-model rows.

Timed: `publishing.flatten.products_flatten` (load documents, resolve every entity × context,
render payloads, replace rows) in one transaction; then the baseline, bulk-inserting the very
same 150,000 rows (same payloads, same batch size) in one transaction. Bar: ratio ≤ 2.

    .venv/bin/python bench/publish.py            # PostgreSQL mediahub_bench (BENCH_DATABASE_URL)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchdb import COLORS, bench_catalog_create, bench_django, bench_tenant_delete  # noqa: E402

MASTERS = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
SLUG = "bench-publish"


def build():
    from django.db import transaction
    from django.utils import timezone

    from assignments.models import AssignmentDocument, AssignmentEntry, ContentSet, Purpose
    from catalog.models import Variant
    from tenants.models import Channel, Locale
    from tenants.services import channel_create, locale_create, tenant_create

    bench_tenant_delete(SLUG)
    tenant = tenant_create(slug=SLUG, name="Bench")
    channel_create(tenant=tenant, code="web")
    channel_create(tenant=tenant, code="pos")
    locale_create(tenant=tenant, code="en-us")
    omni = Channel.objects.get(tenant=tenant, code="omnichannel")
    neutral = Locale.objects.get(tenant=tenant, code="neutral")
    manual, _ = Purpose.objects.get_or_create(
        tenant=tenant, code="manual", defaults={"name": "Manual"}
    )
    media, products = bench_catalog_create(tenant=tenant, masters=MASTERS, media=40, published=True)
    now = timezone.now()
    with transaction.atomic():
        docs = AssignmentDocument.objects.bulk_create(
            AssignmentDocument(
                tenant=tenant,
                product=p,
                channel=omni,
                locale=neutral,
                version=1,
                published_version=1,
                published_at=now,
            )  # fmt: skip
            for p in products
        )
        sets = ContentSet.objects.bulk_create(
            ContentSet(tenant=tenant, document=d, matrix=["color"]) for d in docs
        )
        for d, s in zip(docs, sets, strict=True):
            d.draft_id = d.published_id = s.pk
        AssignmentDocument.objects.bulk_update(docs, ["draft", "published"], batch_size=2000)
        by_number = {v.number: v for v in Variant.objects.filter(tenant=tenant)}
        entries = []
        for i, (p, s) in enumerate(zip(products, sets, strict=True)):
            m = lambda k, i=i: media[(i + k) % len(media)]  # noqa: E731
            for pos in range(3):
                entries.append(
                    AssignmentEntry(
                        tenant=tenant,
                        content_set=s,
                        scope="master",
                        slot="primary",
                        position=pos,
                        media=m(pos),
                    )
                )
            entries.append(
                AssignmentEntry(
                    tenant=tenant,
                    content_set=s,
                    scope="master",
                    slot="additional",
                    position=0,
                    media=m(5),
                    purpose=manual,
                )
            )
            for ci, c in enumerate(COLORS):
                for pos in range(2):
                    entries.append(AssignmentEntry(tenant=tenant, content_set=s, scope="dimension", dimension_values={"color": c},
                                                   combination=f"color={c}", slot="primary", position=pos, media=m(10 + ci + pos)))  # fmt: skip
            for vn in (f"{p.number}-Blue-M-Slim", f"{p.number}-Red-L-Regular"):
                entries.append(
                    AssignmentEntry(
                        tenant=tenant,
                        content_set=s,
                        scope="variant",
                        variant=by_number[vn],
                        slot="primary",
                        position=0,
                        media=m(20),
                    )
                )
        AssignmentEntry.objects.bulk_create(entries, batch_size=5000)
    return tenant, [p.pk for p in products]


def main() -> None:
    url = bench_django()
    from django.db import transaction
    from django.utils import timezone

    from publishing.flatten import INSERT_BATCH, products_flatten
    from publishing.models import PublishedMedia

    print(f"database: {url.split('@')[-1]}; building {MASTERS} masters ...", flush=True)
    tenant, product_ids = build()

    timings = []
    for attempt in range(
        2
    ):  # first: empty read model; second: replacing existing rows (a republish)
        start = time.perf_counter()
        with transaction.atomic():
            rows = products_flatten(
                tenant=tenant, product_ids=product_ids, published_at=timezone.now()
            )
        timings.append(time.perf_counter() - start)
        print(f"flatten run {attempt + 1}: {rows} rows in {timings[-1]:.2f} s", flush=True)

    saved = list(
        PublishedMedia.objects.filter(tenant=tenant).values(
            "channel_code",
            "locale_code",
            "number",
            "product_id",
            "variant_id",
            "payload",
            "etag",
            "published_at",
        )
    )
    baselines = []
    for attempt in range(2):
        PublishedMedia.objects.filter(tenant=tenant).delete()
        objects = [PublishedMedia(tenant=tenant, **row) for row in saved]
        start = time.perf_counter()
        with transaction.atomic():
            PublishedMedia.objects.bulk_create(objects, batch_size=INSERT_BATCH)
        baselines.append(time.perf_counter() - start)
        print(
            f"bulk insert run {attempt + 1}: {len(objects)} rows in {baselines[-1]:.2f} s",
            flush=True,
        )

    ratio = min(timings) / min(baselines)
    print(
        f"\nflatten {min(timings):.2f} s vs bulk insert {min(baselines):.2f} s -> ratio {ratio:.2f} (bar <= 2.0)"
    )
    bench_tenant_delete(SLUG)


if __name__ == "__main__":
    main()

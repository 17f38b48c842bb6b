"""Bench: read-model storage per sellable entity (SPEC §5, R23).

One tenant with 10 channels × 5 locales (Omnichannel + 9, Neutral + 4: 50 contexts) and
masters of 24 variants (the bench catalog of `benchdb.py`: 3 master images, a manual,
colour swatches, a colour matrix with 2 images per colour, 2 variants with their own image;
7 distinct answers among a master's 25 sellable entities), projected with
`products_project`. Measured, per sellable entity (each master and each variant):

- rows: ShopAnswer rows (the keyed rows a read looks up); AnswerBody rows (the distinct
  bodies they point to) are counted beside them.
- bytes: the on-disk size of both tables with their indexes and TOAST
  (`pg_total_relation_size`, after `VACUUM FULL`), against "one payload": the bytes the
  shop API answers for that entity (`GET .../channels/web/products/{n}/media?locale=en-us`,
  summed over every entity). The rows' own bytes (`pg_column_size`) are shown too.

Bars, with only Omnichannel + Neutral authored: ≤ 1.1 rows and ≤ 1.5× one payload's bytes
per entity. Then reported (no bar): 10% of the masters also publish their own content
for the web channel, first in one locale (web / en-us), then in all 5 of web's locales.

It runs in a database of its own (default `mediahub_bench_storage`, or BENCH_DATABASE_URL),
so the table sizes are this tenant's alone.

    .venv/bin/python bench/read_model_storage.py [MASTERS]     # default 1,000 masters
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault(
    "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/mediahub_bench_storage"
)
from benchdb import (  # noqa: E402
    LOCALES,
    bench_django,
    bench_documents_publish,
    bench_tenant_build,
    bench_tenant_delete,
)

MASTERS = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
SLUG = "bench-storage"
TABLES = ("publishing_shopanswer", "publishing_answerbody")


def measure(tenant, numbers: list[str]) -> dict:
    from django.db import connection

    from publishing import read_cache, shop
    from publishing.models import AnswerBody, ShopAnswer

    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"VACUUM FULL {table}")
        cursor.execute(
            "SELECT count(*) FROM publishing_shopanswer WHERE tenant_id <> %s", [tenant.pk]
        )
        others = cursor.fetchone()[0]
        disk = {}
        for table in TABLES:
            cursor.execute("SELECT pg_total_relation_size(%s)", [table])
            disk[table] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT coalesce(sum(pg_column_size(a.*)), 0) FROM publishing_shopanswer a "
            "WHERE tenant_id = %s",
            [tenant.pk],
        )
        answer_bytes = cursor.fetchone()[0]
        cursor.execute(
            "SELECT coalesce(sum(pg_column_size(b.*)), 0) FROM publishing_answerbody b "
            "WHERE tenant_id = %s",
            [tenant.pk],
        )
        body_bytes = cursor.fetchone()[0]
    read_cache.local_clear()
    payload = 0
    for number in numbers:
        payload += len(
            shop.shop_product_media(
                tenant_slug=tenant.slug, channel="web", locale="en-us", number=number
            ).body
        )
    read_cache.local_clear()
    return {
        "entities": len(numbers),
        "answers": ShopAnswer.objects.filter(tenant=tenant).count(),
        "bodies": AnswerBody.objects.filter(tenant=tenant).count(),
        "disk": sum(disk.values()),
        "disk_tables": disk,
        "row_bytes": answer_bytes + body_bytes,
        "payload": payload,
        "alone": others == 0,
    }


def report(title: str, m: dict) -> tuple[float, float]:
    n = m["entities"]
    rows = m["answers"] / n
    one = m["payload"] / n
    disk = m["disk"] / n
    print(f"\n{title}")
    print(
        f"  {n} sellable entities; {m['answers']} answer rows = {rows:.3f} per entity "
        f"(+ {m['bodies']} bodies = {(m['answers'] + m['bodies']) / n:.3f} rows per entity "
        f"with them)"
    )
    print(
        f"  one payload {one:.0f} B; stored {disk:.0f} B per entity on disk "
        f"= {disk / one:.2f}x one payload (answers {m['disk_tables'][TABLES[0]] / n:.0f} B, "
        f"bodies {m['disk_tables'][TABLES[1]] / n:.0f} B, with indexes and TOAST); "
        f"rows' own bytes {m['row_bytes'] / n:.0f} B = {m['row_bytes'] / m['payload']:.2f}x"
    )
    if not m["alone"]:
        print("  (other tenants' rows share these tables: the on-disk figure overstates)")
    return rows, disk / one


def main() -> None:
    url = bench_django()
    from catalog.models import Variant
    from publishing.projection import products_project
    from tenants.models import Channel, Locale

    print(f"database: {url.split('@')[-1]}; load average {os.getloadavg()}", flush=True)
    try:
        tenant, media, products = bench_tenant_build(slug=SLUG, masters=MASTERS)
        numbers = [p.number for p in products] + list(
            Variant.objects.filter(tenant=tenant).values_list("number", flat=True)
        )
        base = measure(tenant, numbers)
        rows, bytes_ratio = report(
            f"{MASTERS} masters, only Omnichannel + Neutral authored (10 channels x 5 locales)",
            base,
        )

        overriding = products[:: max(1, round(1 / 0.1))]  # every 10th master: 10%
        web = Channel.objects.get(tenant=tenant, code="web")
        for locales, title in (
            (["en-us"], "10% of the masters override web / en-us"),
            (["neutral"] + [c for c in LOCALES if c != "en-us"], "... and web's other 4 locales"),
        ):
            for code in locales:
                locale = Locale.objects.get(tenant=tenant, code=code)
                bench_documents_publish(
                    tenant=tenant,
                    products=overriding,
                    media=media,
                    channel=web,
                    locale=locale,
                    shift=17,
                )
            products_project(tenant=tenant, product_ids=[p.pk for p in overriding])
            report(title, measure(tenant, numbers))
    finally:
        bench_tenant_delete(SLUG)

    print(f"\nload average {os.getloadavg()}")
    print(
        f"only Omnichannel + Neutral authored: {rows:.3f} answer rows per sellable entity "
        f"(bar <= 1.1) {'PASS' if rows <= 1.1 else 'FAIL'}; {bytes_ratio:.2f}x one payload's "
        f"bytes stored per entity (bar <= 1.5) {'PASS' if bytes_ratio <= 1.5 else 'FAIL'}"
    )


if __name__ == "__main__":
    main()

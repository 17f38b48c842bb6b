"""Bench: publishing one product costs the same whatever the catalog size; a full rebuild
costs little more than PostgreSQL COPY of the rows it writes (SPEC §5, R23).

Two tenants in one PostgreSQL database, each with 10 channels × 5 locales (Omnichannel +
9, Neutral + 4) and masters of 24 variants (color 4 × size 3 × style 2) whose published
Omnichannel + Neutral document has 3 master images, a manual, colour swatches, a colour
matrix with 2 images per colour and 2 variants with an image of their own (7 distinct
answers for a master's 25 entities). *small* has 100 masters, *big* 10,000 (the first
argument). Built in bulk and projected with `products_project`, untimed.

1. Publish of one product: each repetition checks in new content for one master (master
   gallery and the Blue combination change; untimed, through the assignment services), then
   times `publishing.services.products_publish` as a publisher, which returns after the
   commit's outbox drain has re-projected the product: what a user waits for until the shop
   shows it (checked after each run, untimed). Small and big alternate, in both orders.
   Bar: median(big) / median(small) ≤ 1.2.
2. Full rebuild of *big*: its answers and bodies deleted (untimed), then `manage.py
   read_model_rebuild` (products_project over every product, commits per chunk of 200).
   Baseline: PostgreSQL COPY of exactly the rows it wrote: ShopAnswer, AnswerBody and its
   change-feed rows (AnswerChange, one per answer written: the feed is part of what a
   rebuild must write, R24), read back untimed with COPY TO, so the baseline is the
   server's work and the transfer, no client-side formatting, into a scratch copy of the
   three tables: same columns, indexes, unique constraints and deferred foreign keys
   (checked at commit, as the real ones are), in one transaction. Interleaved, best against
   best. Bar: ratio <= 2. Also printed: the baseline into tables without foreign keys, and
   the baseline of the answers and bodies alone (without the feed rows).

    .venv/bin/python bench/publish_scale.py [BIG_MASTERS]   # PostgreSQL mediahub_bench
"""

from __future__ import annotations

import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchdb import (  # noqa: E402
    autovacuum_state,
    bench_checkin,
    bench_django,
    bench_tenant_build,
    bench_tenant_delete,
    bench_user,
)

BIG = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
SMALL = 100
REPS = int(os.environ.get("BENCH_REPS", "20"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
SLUGS = {"small": "bench-scale-small", "big": "bench-scale-big"}
BLOCK = 1 << 20
SCRATCH = {
    "answerbody": "bench_scratch_answerbody",
    "shopanswer": "bench_scratch_shopanswer",
    "answerchange": "bench_scratch_answerchange",
}
READ_MODEL = ("answerbody", "shopanswer")  # without the change feed


def shown(tenant, number: str) -> list[int]:
    """What the shop API would answer now (the process cache follows the feed)."""
    import json

    from publishing import read_cache, shop

    read_cache.refresh(force=True)
    rendered = shop.shop_product_media(
        tenant_slug=tenant.slug, channel="web", locale="en-us", number=number
    )
    return [m["id"] for m in json.loads(rendered.body)["primary"]]


def publish_runs(sides: dict, reps: int, *, quiet: bool = False) -> dict[str, list[float]]:
    """`sides[name]` = (tenant, media, products, user, picks): `picks` are product indexes
    in random order, each published once (its content as built = bench_content(k=index))."""
    from publishing.services import products_publish

    timings: dict[str, list[float]] = {name: [] for name in sides}
    for rep in range(reps):
        order = ["small", "big"] if rep % 2 == 0 else ["big", "small"]
        for name in order:
            tenant, media, products, user, picks = sides[name]
            index = picks.pop()
            product = products[index]
            gallery = bench_checkin(tenant=tenant, user=user, product=product, media=media, k=index)
            start = time.perf_counter()
            products_publish(tenant=tenant, product_ids=[product.pk], user=user)
            timings[name].append(time.perf_counter() - start)
            assert shown(tenant, product.number) == gallery, "the shop does not show the publish"
        if quiet:
            continue
        print(
            f"  publish {rep + 1:2d}: small {timings['small'][-1] * 1000:6.1f} ms   "
            f"big {timings['big'][-1] * 1000:6.1f} ms",
            flush=True,
        )
    return timings


def read_model_rows(tenant, feed_after: int) -> dict[str, tuple[str, bytes, int]]:
    """What the rebuild wrote, per table: (columns, COPY text, rows), read back untimed;
    its change-feed rows are those after `feed_after`."""
    from django.db import connection

    rows = {}
    with connection.cursor() as cursor:
        for table in SCRATCH:
            cursor.execute(f"SELECT * FROM publishing_{table} LIMIT 0")
            columns = ", ".join(d.name for d in cursor.description)
            data = bytearray()
            where = f"tenant_id = {tenant.pk}"
            if table == "answerchange":
                where += f" AND id > {feed_after}"
            sql = f"COPY (SELECT {columns} FROM publishing_{table} WHERE {where}) TO STDOUT"
            with cursor.copy(sql) as copy:
                for block in copy:
                    data += block
            rows[table] = (columns, bytes(data), data.count(b"\n"))
    return rows


def scratch_reset(*, foreign_keys: bool) -> None:
    """Empty copies of both tables: columns, defaults, indexes and unique constraints, and
    (`foreign_keys`) the same deferred foreign keys, checked at commit as the real ones are."""
    from django.db import connection

    scratch_drop()
    with connection.cursor() as cursor:
        for table, scratch in SCRATCH.items():
            cursor.execute(f"CREATE TABLE {scratch} (LIKE publishing_{table} INCLUDING ALL)")
        if not foreign_keys:
            return
        for table, scratch in SCRATCH.items():
            cursor.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [f"publishing_{table}"],
            )
            for (definition,) in cursor.fetchall():
                definition = definition.replace(
                    "REFERENCES publishing_answerbody(", f"REFERENCES {SCRATCH['answerbody']}("
                )
                cursor.execute(f"ALTER TABLE {scratch} ADD {definition}")


def scratch_drop() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for scratch in reversed(SCRATCH.values()):
            cursor.execute(f"DROP TABLE IF EXISTS {scratch} CASCADE")


def copy_rows(
    rows: dict[str, tuple[str, bytes, int]], *, foreign_keys: bool, tables=tuple(SCRATCH)
) -> float:
    """PostgreSQL COPY of exactly those rows (already in COPY's text format: the server's
    work and the transfer, no client-side formatting) into the scratch tables, committed."""
    from django.db import connection, transaction

    scratch_reset(foreign_keys=foreign_keys)
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:  # bodies first: answers refer to them
            columns, data, _ = rows[table]
            with cursor.copy(f"COPY {SCRATCH[table]} ({columns}) FROM STDIN") as copy:
                for offset in range(0, len(data), BLOCK):
                    copy.write(data[offset : offset + BLOCK])
    return time.perf_counter() - start


def rebuild(tenant) -> tuple[float, str, int]:
    from django.core.management import call_command

    from publishing.models import AnswerBody, AnswerChange, ShopAnswer

    feed_after = AnswerChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for model in (ShopAnswer, AnswerBody):
        model.objects.filter(tenant=tenant)._raw_delete(model.objects.db)
    out = io.StringIO()
    start = time.perf_counter()
    call_command("read_model_rebuild", tenant=tenant.slug, stdout=out)
    elapsed = time.perf_counter() - start
    return elapsed, out.getvalue().strip().splitlines()[-1], feed_after


def main() -> None:
    url = bench_django()
    from django.core.management import call_command

    from publishing.models import AnswerBody, ShopAnswer

    print(
        f"database: {url.split('@')[-1]} (autovacuum {autovacuum_state()}: the bench runs "
        f"ANALYZE after building); load average {os.getloadavg()}",
        flush=True,
    )
    try:
        sides = {}
        for name, masters in (("small", SMALL), ("big", BIG)):
            start = time.perf_counter()
            tenant, media, products = bench_tenant_build(slug=SLUGS[name], masters=masters)
            user, _ = bench_user(tenant=tenant, username="bench-publisher", role="publisher")
            picks = list(range(len(products)))
            random.Random(len(products)).shuffle(picks)
            sides[name] = (tenant, media, products, user, picks)
            print(
                f"{name}: {masters} masters, {ShopAnswer.objects.filter(tenant=tenant).count()} "
                f"answers, {AnswerBody.objects.filter(tenant=tenant).count()} bodies "
                f"(built and projected in {time.perf_counter() - start:.0f} s)",
                flush=True,
            )

        print(f"\n1. publish of one product, {REPS} runs each, interleaved", flush=True)
        publish_runs(sides, 2, quiet=True)  # warm-up: connections, code paths, caches
        timings = publish_runs(sides, REPS)
        small, big = statistics.median(timings["small"]), statistics.median(timings["big"])
        publish_ratio = big / small

        print(f"\n2. full rebuild of big vs COPY of its rows, {ROUNDS} rounds", flush=True)
        big_tenant = sides["big"][0]
        rebuilds, copies, bare, no_feed = [], [], [], []
        for round_ in range(ROUNDS):
            elapsed, summary, feed_after = rebuild(big_tenant)
            rebuilds.append(elapsed)
            rows = read_model_rows(big_tenant, feed_after)
            copies.append(copy_rows(rows, foreign_keys=True))
            bare.append(copy_rows(rows, foreign_keys=False))
            no_feed.append(copy_rows(rows, foreign_keys=True, tables=READ_MODEL))
            print(
                f"  round {round_ + 1}: rebuild {rebuilds[-1]:6.2f} s ({summary})\n"
                f"           COPY of its {rows['answerbody'][2]} bodies + "
                f"{rows['shopanswer'][2]} answers + {rows['answerchange'][2]} feed rows "
                f"{copies[-1]:5.2f} s (without the foreign keys {bare[-1]:5.2f} s; "
                f"bodies and answers only {no_feed[-1]:5.2f} s)",
                flush=True,
            )
        out = io.StringIO()
        start = time.perf_counter()
        call_command("read_model_rebuild", tenant=big_tenant.slug, stdout=out)
        noop = time.perf_counter() - start
        rebuild_ratio = min(rebuilds) / min(copies)
        bare_ratio = min(rebuilds) / min(bare)
        no_feed_ratio = min(rebuilds) / min(no_feed)
    finally:
        scratch_drop()
        for slug in SLUGS.values():
            bench_tenant_delete(slug)

    print(f"\nload average {os.getloadavg()}")
    print(
        f"publish one product: median {small * 1000:.1f} ms with {SMALL} masters published, "
        f"{big * 1000:.1f} ms with {BIG} -> ratio {publish_ratio:.2f} (bar <= 1.2) "
        f"{'PASS' if publish_ratio <= 1.2 else 'FAIL'}"
    )
    print(
        f"full rebuild of {BIG} masters: {min(rebuilds):.2f} s vs COPY {min(copies):.2f} s -> "
        f"ratio {rebuild_ratio:.2f} (bar <= 2.0) {'PASS' if rebuild_ratio <= 2.0 else 'FAIL'}; "
        f"rebuild over an up-to-date read model (writes nothing): {noop:.2f} s"
    )
    print(
        f"  (against COPY into tables without their foreign keys: ratio {bare_ratio:.2f}; "
        f"against COPY of the bodies and answers alone, without the feed rows: "
        f"{no_feed_ratio:.2f})"
    )


if __name__ == "__main__":
    main()

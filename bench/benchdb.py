"""Shared set-up for benches that need a database: a dedicated one, migrated, then Django.

`BENCH_DATABASE_URL` picks it (default: PostgreSQL's `mediahub_bench` on this machine, created
if missing); the bench's own data is created in it and removed afterwards.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/mediahub_bench"


def bench_django(*, cache_url: str | None = None) -> str:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if url.startswith("postgres"):
        _pg_create(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DJANGO_DEBUG"] = "false"  # DEBUG keeps every query in memory
    if cache_url:
        os.environ["REDIS_URL"] = cache_url
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def _pg_create(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
            conn.execute(f'create database "{name}"')


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_start(*, workers: int = 2, port: int | None = None):
    """gunicorn serving the app on loopback with this process's environment."""
    import subprocess
    import time
    import urllib.request

    port = port or free_port()
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/v1/health", timeout=1).read()
            return process, base
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def demo_published(*, numbers: list[str]) -> None:
    """Load the demo tenant and publish these products (idempotent)."""
    from django.core.management import call_command

    from publishing.services import product_ids_for, products_publish
    from tenants.models import Tenant

    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    tenant = Tenant.objects.get(slug="demo")
    products_publish(
        tenant=tenant,
        product_ids=product_ids_for(tenant=tenant, numbers=numbers),
        user=None,
        publish_dependencies=True,
    )


COLORS, SIZES, STYLES = ["Blue", "Red", "Green", "Black"], ["S", "M", "L"], ["Slim", "Regular"]


def bench_tenant_delete(slug: str) -> None:
    """Media, purposes and dimension values are PROTECTed: remove what uses them first."""
    from assignments.models import AssignmentDocument, Purpose
    from catalog.models import DimensionValue, Product
    from media_library.models import MediaItem
    from tenants.models import Tenant

    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        return
    AssignmentDocument.objects.filter(tenant=tenant).delete()
    Product.objects.filter(tenant=tenant).delete()
    for model in (MediaItem, Purpose, DimensionValue):
        model.objects.filter(tenant=tenant).delete()
    tenant.delete()


def bench_catalog_create(*, tenant, masters: int, media: int, published: bool = False):
    """In bulk: `media` image items (rows only, no files) and `masters` masters with every
    color × size × style variant (24 each). Returns (media items, products)."""
    from django.db import transaction
    from django.utils import timezone

    from catalog.models import (
        DimensionValue,
        Product,
        ProductDimensionValue,
        Variant,
        combination_key,
    )
    from media_library.models import MediaItem

    now = timezone.now()
    with transaction.atomic():
        items = MediaItem.objects.bulk_create(
            MediaItem(
                tenant=tenant, kind="image", status="published" if published else "draft",
                published_at=now if published else None, file=f"bench/{i}.jpg", original_filename=f"{i}.jpg",
                display_name=f"bench-{i}", title=f"Bench {i}", alt_text=f"Bench image {i}",
                mime_type="image/jpeg", size=1000, checksum=f"{i:064x}", width=4000, height=3000,
            )
            for i in range(media)
        )  # fmt: skip
        values = [
            DimensionValue.objects.create(tenant=tenant, dimension=d, value=v)
            for d, vs in (("color", COLORS), ("size", SIZES), ("style", STYLES))
            for v in vs
        ]
        products = Product.objects.bulk_create(
            Product(tenant=tenant, number=f"M{n:05d}", name=f"Master {n}", kind="master")
            for n in range(masters)
        )
        offers, variants = [], []
        for product in products:
            offers += [
                ProductDimensionValue(
                    tenant=tenant, product=product, dimension_value=value, position=i
                )
                for i, value in enumerate(values)
            ]
            for c in COLORS:
                for s in SIZES:
                    for st in STYLES:
                        combo = {"color": c, "size": s, "style": st}
                        variants.append(
                            Variant(
                                tenant=tenant,
                                product=product,
                                number=f"{product.number}-{c}-{s}-{st}",
                                values=combo,
                                combination_key=combination_key(combo),
                            )  # fmt: skip
                        )
        ProductDimensionValue.objects.bulk_create(offers, batch_size=5000)
        Variant.objects.bulk_create(variants, batch_size=5000)
    return items, products

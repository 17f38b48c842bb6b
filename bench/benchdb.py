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


def server_start(*, workers: int = 2, port: int | None = None, env: dict | None = None, log=None):
    """gunicorn (sync workers) serving the app on loopback with this process's environment
    plus `env`; the bench folder is on its path (for `bench_settings`). Returns (process,
    base URL). Stop it with `server_stop`."""
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
            "--pythonpath",
            str(ROOT / "bench"),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"{base}/api/v1/health", timeout=1).read()
            return process, base
        except OSError:
            time.sleep(0.2)
    server_stop(process)
    raise RuntimeError("gunicorn did not start")


def server_stop(process) -> None:
    """Stop a process this bench started (gunicorn stops its workers on TERM)."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except Exception:
        process.kill()
        process.wait()


def production_env(**extra) -> dict:
    """Environment for servers run with production settings (`bench_settings` wraps
    config.settings.production): every variable it requires, on this machine's services.
    Clients reach gunicorn directly over loopback HTTP, so no HTTPS redirect."""
    import secrets

    return {
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_TRUST_X_FORWARDED_PROTO": "false",
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5"),
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/6"),
        **extra,
    }


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
    from publishing.models import AnswerBody, AnswerChange, ShopAnswer
    from tenants.models import Tenant

    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        return
    for model in (ShopAnswer, AnswerBody, AnswerChange):  # answers PROTECT their bodies
        model.objects.filter(tenant=tenant)._raw_delete(model.objects.db)
    AssignmentDocument.objects.filter(tenant=tenant).delete()
    Product.objects.filter(tenant=tenant).delete()
    for model in (MediaItem, Purpose, DimensionValue):
        model.objects.filter(tenant=tenant).delete()
    tenant.delete()


def bench_catalog_create(
    *, tenant, masters: int, media: int, published: bool = False, prefix: str = "M"
):
    """In bulk: `media` image items (rows only, no files; published ones with a row for each
    configured rendition, so publishing finds nothing to render) and `masters` masters with
    every color × size × style variant (24 each). Returns (media items, products)."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from catalog.models import (
        DimensionValue,
        Product,
        ProductDimensionValue,
        Variant,
        combination_key,
    )
    from media_library.models import MediaItem, Rendition

    now = timezone.now()
    with transaction.atomic():
        items = MediaItem.objects.bulk_create(
            MediaItem(
                tenant=tenant, kind="image", status="published" if published else "draft",
                published_at=now if published else None, file=f"bench/{i}.jpg", original_filename=f"{i}.jpg",
                display_name=f"bench-{i}", title=f"Bench {i}", alt_text=f"Bench image {i}",
                mime_type="image/jpeg", size=1000, checksum=f"{i:064x}", width=4000, height=3000,
                placeholder={"blurhash": "LKO2?U%2Tw=w]~RBVZRi};RPxuwH", "color": "#8a6d5c"},
            )
            for i in range(media)
        )  # fmt: skip
        if published:
            # Every rendition an upload makes (named sizes and the width ladder in each
            # format), so publishing finds nothing to make (the files are not real).
            from media_library.renditions import ladder_name, ladder_widths

            sizes = {
                n: (s["width"], s["height"], "jpg") for n, s in settings.MEDIA_RENDITIONS.items()
            }
            sizes.update(
                (ladder_name(w, f), (w, w * 3 // 4, {"jpeg": "jpg"}.get(f, f)))
                for w in ladder_widths(4000)
                for f in settings.MEDIA_RENDITION_FORMATS
            )
            Rendition.objects.bulk_create(
                (
                    Rendition(
                        tenant=tenant, media=item, name=name, file=f"bench/r/{item.pk}-{name}.{ext}",
                        width=width, height=height, focal_x=0.5, focal_y=0.5,
                    )
                    for item in items
                    for name, (width, height, ext) in sizes.items()
                ),
                batch_size=5000,
            )  # fmt: skip
        values = [
            DimensionValue.objects.create(tenant=tenant, dimension=d, value=v)
            for d, vs in (("color", COLORS), ("size", SIZES), ("style", STYLES))
            for v in vs
        ]
        products = Product.objects.bulk_create(
            Product(tenant=tenant, number=f"{prefix}{n:05d}", name=f"Master {n}", kind="master")
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


# Omnichannel and Neutral count among them, as in every bench: "10 channels × 5 locales" is
# Omnichannel + 9 channels and Neutral + 4 locales, 50 contexts.
CHANNELS = ["web", "pos", "app", "marketplace", "kiosk", "b2b", "outlet", "social", "catalog"]
LOCALES = ["en-us", "de-de", "fr-fr", "it-it"]


def bench_contexts_create(*, tenant, channels: int = 10, locales: int = 5):
    """Omnichannel + (channels - 1) channels, Neutral + (locales - 1) locales, through the
    services (each notes a context change; the drain has nothing to project yet)."""
    from tenants.services import channel_create, locale_create

    for code in CHANNELS[: channels - 1]:
        channel_create(tenant=tenant, code=code)
    for code in LOCALES[: locales - 1]:
        locale_create(tenant=tenant, code=code)


def bench_user(*, tenant, username: str, role: str = "admin"):
    """A user with this role in the tenant (and an API token), for services and the API."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from tenants.models import Membership

    user, _ = get_user_model().objects.get_or_create(username=username)
    Membership.objects.update_or_create(tenant=tenant, user=user, defaults={"role": role})
    token, _ = Token.objects.get_or_create(user=user)
    return user, token.key


def bench_content(*, product_number: str, media: list, k: int) -> dict:
    """The CONTENT a bench master gets (SPEC §3 shape), varied by `k`: 3 master images, a
    manual, colour swatches, a colour matrix with 2 images per colour, and 2 variants with an
    image of their own. That is 7 distinct answers for the 25 entities of a master."""
    m = lambda i: media[(k + i) % len(media)].pk  # noqa: E731
    return {
        "matrix": ["color"],
        "master": {
            "primary": [m(0), m(1), m(2)],
            "additional": [{"media": m(5), "purpose": "manual"}],
            "swatches": [
                {"dimension": "color", "value": c, "hex": f"#{(ci * 0x3F3F3F) & 0xFFFFFF:06x}"}
                for ci, c in enumerate(COLORS)
            ],
        },
        "dimensions": [
            {"values": {"color": c}, "primary": [m(10 + ci), m(11 + ci)]}
            for ci, c in enumerate(COLORS)
        ],
        "variants": [
            {"variant": f"{product_number}-Blue-M-Slim", "primary": [m(20)]},
            {"variant": f"{product_number}-Red-L-Regular", "primary": [m(21)]},
        ],
    }


def bench_documents_publish(*, tenant, products, media, channel=None, locale=None, shift: int = 0):
    """In bulk: a published document with `bench_content` for each product in the context
    (default Omnichannel + Neutral), as if checked in and published once. The read model is
    not touched: project it afterwards (`publishing.projection.products_project`)."""
    from django.db import transaction
    from django.utils import timezone

    from assignments.models import AssignmentDocument, AssignmentEntry, ContentSet, Purpose
    from catalog.models import Variant
    from tenants.models import Channel, Locale

    channel = channel or Channel.objects.get(tenant=tenant, code="omnichannel")
    locale = locale or Locale.objects.get(tenant=tenant, code="neutral")
    manual = Purpose.objects.get(tenant=tenant, code="manual")
    now = timezone.now()
    with transaction.atomic():
        docs = AssignmentDocument.objects.bulk_create(
            AssignmentDocument(
                tenant=tenant, product=p, channel=channel, locale=locale, version=1,
                published_version=1, published_at=now,
            )
            for p in products
        )  # fmt: skip
        sets = ContentSet.objects.bulk_create(
            ContentSet(tenant=tenant, document=d, matrix=["color"]) for d in docs
        )
        for d, s in zip(docs, sets, strict=True):
            d.draft_id = d.published_id = s.pk
        AssignmentDocument.objects.bulk_update(docs, ["draft", "published"], batch_size=2000)
        variant_ids = dict(Variant.objects.filter(product__in=products).values_list("number", "pk"))
        entries = []
        for i, (p, s) in enumerate(zip(products, sets, strict=True)):
            content = bench_content(product_number=p.number, media=media, k=i + shift)
            row = dict(tenant=tenant, content_set=s)
            master = content["master"]
            for pos, mid in enumerate(master["primary"]):
                entries.append(
                    AssignmentEntry(
                        **row, scope="master", slot="primary", position=pos, media_id=mid
                    )
                )
            for pos, a in enumerate(master["additional"]):
                entries.append(
                    AssignmentEntry(
                        **row,
                        scope="master",
                        slot="additional",
                        position=pos,
                        media_id=a["media"],
                        purpose=manual,
                    )
                )
            for pos, sw in enumerate(master["swatches"]):
                entries.append(
                    AssignmentEntry(
                        **row,
                        scope="master",
                        slot="swatch",
                        position=pos,
                        swatch_dimension="color",
                        swatch_value=sw["value"],
                        swatch_hex=sw["hex"],
                    )
                )
            for dim in content["dimensions"]:
                c = dim["values"]["color"]
                for pos, mid in enumerate(dim["primary"]):
                    entries.append(
                        AssignmentEntry(
                            **row,
                            scope="dimension",
                            dimension_values={"color": c},
                            combination=f"color={c}",
                            slot="primary",
                            position=pos,
                            media_id=mid,
                        )
                    )
            for v in content["variants"]:
                for pos, mid in enumerate(v["primary"]):
                    entries.append(
                        AssignmentEntry(
                            **row,
                            scope="variant",
                            variant_id=variant_ids[v["variant"]],
                            variant_number=v["variant"],
                            slot="primary",
                            position=pos,
                            media_id=mid,
                        )
                    )
        AssignmentEntry.objects.bulk_create(entries, batch_size=5000)
    return docs


def bench_checkin(*, tenant, user, product, media, k: int) -> list[int]:
    """New content for one master through the services: its bench content (`k` as built)
    with the master gallery rotated and the Blue combination's images swapped, so the master
    and Blue's inheriting variants change (6 answers, 2 new bodies). Returns the new gallery."""
    from assignments.services import document_checkin, document_checkout, document_working_replace
    from tenants.models import Channel, Locale

    omni = Channel.objects.get(tenant=tenant, code="omnichannel")
    neutral = Locale.objects.get(tenant=tenant, code="neutral")
    content = bench_content(product_number=product.number, media=media, k=k)
    gallery = content["master"]["primary"]
    content["master"]["primary"] = gallery[1:] + gallery[:1]
    content["dimensions"][0]["primary"].reverse()
    document = document_checkout(
        tenant=tenant, product=product, channel=omni, locale=neutral, user=user
    )
    document_working_replace(document=document, user=user, content=content)
    document_checkin(document=document, user=user)
    return content["master"]["primary"]


def bench_tenant_build(
    *,
    slug: str,
    masters: int,
    media: int = 60,
    channels: int = 10,
    locales: int = 5,
    prefix: str = "M",
    project: bool = True,
):
    """A whole bench tenant: contexts, catalog, published Omnichannel + Neutral content, and
    (untimed) its read model projected. Returns (tenant, media items, products)."""
    from publishing.projection import products_project
    from tenants.services import tenant_create

    bench_tenant_delete(slug)
    tenant = tenant_create(slug=slug, name=slug)
    bench_contexts_create(tenant=tenant, channels=channels, locales=locales)
    items, products = bench_catalog_create(
        tenant=tenant, masters=masters, media=media, published=True, prefix=prefix
    )
    bench_documents_publish(tenant=tenant, products=products, media=items)
    if project:
        products_project(tenant=tenant, product_ids=[p.pk for p in products])
    bench_analyze()
    return tenant, items, products


def bench_analyze() -> None:
    """VACUUM ANALYZE after bulk writes, as autovacuum would within a minute on a production
    server. This machine's PostgreSQL runs with autovacuum off: with statistics from before
    a bulk load the planner scans a tenant's rows instead of using an index, and with the
    dead rows of earlier runs left in the indexes planning a shop read takes ~8 ms (the
    planner's look at an index's end walks them) instead of ~0.3 ms."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def autovacuum_state() -> str:
    from django.db import connection

    if connection.vendor != "postgresql":
        return "n/a"
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        return cursor.fetchone()[0]

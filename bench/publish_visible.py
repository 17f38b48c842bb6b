"""Bench: publish-to-visible on the read API with a live Celery worker (SPEC §5: < 5 s).

gunicorn serves the app; a real Celery worker takes jobs over Redis. Each round checks in a
new primary image for SHIRT-001 in Omnichannel+Neutral, POSTs the publish over HTTP as the
demo publisher, and polls the shop read API every 20 ms until a variant shows the new image.

    .venv/bin/python bench/publish_visible.py     # PostgreSQL mediahub_bench, Redis dbs 9/10
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["CELERY_BROKER_URL"] = "redis://127.0.0.1:6379/10"
from benchdb import ROOT, bench_django, demo_published, server_start  # noqa: E402

ROUNDS = 5


def worker_start() -> subprocess.Popen:
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/celery"), "-A", "config", "worker", "-P", "solo", "-l", "warning"],
        cwd=ROOT,
        env={**os.environ},
    )
    from config.celery import app

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not app.control.ping(timeout=0.5):
        pass
    return process


def main() -> None:
    bench_django(cache_url="redis://127.0.0.1:6379/9")
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from assignments.services import document_checkin, document_checkout, document_working_replace
    from catalog.models import Product
    from media_library.models import MediaItem
    from tenants.models import Channel, Locale, Tenant

    demo_published(numbers=["SHIRT-001"])
    tenant = Tenant.objects.get(slug="demo")
    user = get_user_model().objects.get(username="demo")
    token, _ = Token.objects.get_or_create(user=user)
    shirt = Product.objects.get(tenant=tenant, number="SHIRT-001")
    omni, neutral = (
        Channel.objects.get(tenant=tenant, code="omnichannel"),
        Locale.objects.get(tenant=tenant, code="neutral"),
    )
    images = list(
        MediaItem.objects.filter(tenant=tenant, kind="image", status="published").order_by("pk")[
            :ROUNDS
        ]
    )

    server, base = server_start(workers=2)
    worker = worker_start()
    read = (
        f"{base}/api/v1/tenants/demo/channels/web/products/SHIRT-001-RED-L-SLIM/media?locale=en-us"
    )
    timings = []
    try:
        for image in images:
            document = document_checkout(
                tenant=tenant, product=shirt, channel=omni, locale=neutral, user=user
            )
            content = {
                "matrix": [],
                "master": {"primary": [image.pk]},
                "dimensions": [],
                "variants": [],
            }
            document_working_replace(
                document=document, user=user, content=content, confirm_matrix_change=True
            )
            document_checkin(document=document, user=user)
            request = urllib.request.Request(
                f"{base}/api/v1/tenants/demo/products/SHIRT-001/media/publish?channel=omnichannel&locale=neutral",
                data=b"{}",
                method="POST",
                headers={"Authorization": f"Token {token.key}", "Content-Type": "application/json"},
            )
            start = time.perf_counter()
            urllib.request.urlopen(request).read()
            while True:
                body = json.loads(urllib.request.urlopen(read).read())
                if body["primary"] and body["primary"][0]["id"] == image.pk:
                    break
                if time.perf_counter() - start > 30:
                    raise RuntimeError("not visible after 30 s")
                time.sleep(0.02)
            timings.append(time.perf_counter() - start)
            print(f"visible after {timings[-1] * 1000:.0f} ms", flush=True)
    finally:
        worker.terminate()
        server.terminate()
        worker.wait()
        server.wait()
    print(
        f"\npublish-to-visible: median {sorted(timings)[len(timings) // 2]:.2f} s, worst {max(timings):.2f} s (bar < 5 s)"
    )


if __name__ == "__main__":
    main()

"""Bench (issue 14): bulk upload of 200 images through the API, time until every rendition is made.

A gunicorn server (2 sync workers, production settings via `bench_settings`) and **2 Celery
workers** (solo pool, one process each, queues `renditions` and the default) on PostgreSQL
(`h_rend_bench`) and Redis (broker db 7, cache db 8), media in a temporary folder. 200
distinct textured JPEGs (default 2000x1500, BULK_SIZE=WxH) are POSTed to
`/api/v1/tenants/{t}/media/` (multipart, 4 client threads) as an editor; each upload queues
its renditions job after commit. Timed from the first request until every item has all of
its renditions (the named sizes + the ladder in JPEG/WebP/AVIF: polled in the database every
0.25 s). Printed: upload time, time to all renditions done, images/s, and the workers' CPU.

    .venv/bin/python bench/bulk_renditions.py     # BULK_COUNT=200 BULK_SIZE=2000x1500
"""

from __future__ import annotations

import http.client
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/h_rend_bench")
os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/8"
BROKER = "redis://127.0.0.1:6379/7"
MEDIA = Path(tempfile.mkdtemp(prefix="h-rend-bulk-"))
os.environ["MEDIA_ROOT"] = str(MEDIA / "private")
os.environ["MEDIA_PUBLIC_ROOT"] = str(MEDIA / "public")

from benchdb import (  # noqa: E402
    ROOT,
    bench_django,
    bench_tenant_delete,
    bench_user,
    production_env,
    server_start,
    server_stop,
)

COUNT = int(os.environ.get("BULK_COUNT", 200))
SIZE = tuple(int(v) for v in os.environ.get("BULK_SIZE", "2000x1500").split("x"))
CLIENTS = 4
WORKERS = 2
SLUG = "h-rend-bulk"
TIMEOUT = float(os.environ.get("BULK_TIMEOUT", 1800))


def make_jpegs() -> list[bytes]:
    """Distinct textured photos (noise over gradients, a different mix for each)."""
    from PIL import Image

    red = Image.linear_gradient("L").resize(SIZE)
    green = Image.radial_gradient("L").resize(SIZE)
    noise = Image.effect_noise(SIZE, 30)
    sources = []
    for i in range(COUNT):
        shift = Image.eval(noise, lambda v, i=i: (v + i * 7) % 256)
        img = Image.merge("RGB", (red, Image.blend(green, shift, 0.3), shift))
        out = io.BytesIO()
        img.save(out, "JPEG", quality=88)
        sources.append(out.getvalue())
    return sources


def upload(base: str, token: str, name: str, content: bytes) -> int:
    boundary = uuid.uuid4().hex
    parts = []
    for field, value in (("title", name), ("alt_text", f"Bench photo {name}")):
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n{value}\r\n'
            .encode()
        )  # fmt: skip
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        conn.request(
            "POST",
            f"/api/v1/tenants/{SLUG}/media/",
            body=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Authorization": f"Token {token}",
            },
        )
        response = conn.getresponse()
        data = response.read()
        if response.status != 201:
            raise RuntimeError(f"upload {name}: {response.status} {data[:300]!r}")
        return json.loads(data)["id"]
    finally:
        conn.close()


def worker_start(env: dict, name: str, log) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"), "-A", "config", "worker", "-P", "solo",
            "-Q", f"renditions,{env.get('CELERY_TASK_DEFAULT_QUEUE', 'celery')}",
            "-n", f"{name}@%h", "-l", "warning", "--without-gossip", "--without-mingle",
        ],
        cwd=ROOT,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT / "bench")},
        stdout=log,
        stderr=log,
    )  # fmt: skip


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a running process (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    url = bench_django(cache_url=os.environ["REDIS_URL"])
    from django.conf import settings
    from django.db.models import Count

    from media_library.models import MediaItem, Rendition
    from media_library.renditions import ladder_widths
    from tenants.services import tenant_create

    expected = len(settings.MEDIA_RENDITIONS) + len(ladder_widths(SIZE[0])) * len(
        settings.MEDIA_RENDITION_FORMATS
    )
    print(
        f"database {url.split('@')[-1]}; {COUNT} JPEGs {SIZE[0]}x{SIZE[1]}, {expected} "
        f"renditions each; {WORKERS} Celery workers; load average {os.getloadavg()}",
        flush=True,
    )
    sources = make_jpegs()
    bench_tenant_delete(SLUG)
    tenant = tenant_create(slug=SLUG, name="Bulk renditions bench")
    _, token = bench_user(tenant=tenant, username="h-rend-editor", role="editor")
    env = production_env(
        CELERY_BROKER_URL=BROKER,
        MEDIA_ROOT=os.environ["MEDIA_ROOT"],
        MEDIA_PUBLIC_ROOT=os.environ["MEDIA_PUBLIC_ROOT"],
        REDIS_URL=os.environ["REDIS_URL"],
    )
    log = open(MEDIA / "servers.log", "ab")  # noqa: SIM115 (closed in finally)
    server = None
    workers: list[subprocess.Popen] = []
    try:
        server, base = server_start(workers=2, env=env, log=log)
        workers = [worker_start(env, f"h-rend-{i}", log) for i in range(WORKERS)]
        time.sleep(5)  # the workers connect to the broker
        cpu_before = {w.pid: process_cpu(w.pid) for w in workers}
        ids: list[int] = []
        lock = threading.Lock()
        pending = list(enumerate(sources))

        def client() -> None:
            while True:
                with lock:
                    if not pending:
                        return
                    i, content = pending.pop(0)
                media_id = upload(base, token, f"bulk-{i:03d}", content)
                with lock:
                    ids.append(media_id)

        start = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        uploaded = time.perf_counter() - start
        print(f"uploaded {len(ids)} in {uploaded:.1f} s", flush=True)
        if len(ids) != COUNT:
            raise RuntimeError("some uploads failed")
        while True:
            done = (
                Rendition.objects.filter(media__tenant=tenant)
                .values("media_id")
                .annotate(n=Count("id"))
                .filter(n__gte=expected)
                .count()
            )
            elapsed = time.perf_counter() - start
            if done >= COUNT or elapsed > TIMEOUT:
                break
            time.sleep(0.25)
        cpu = sum(process_cpu(w.pid) - cpu_before[w.pid] for w in workers)
        total = Rendition.objects.filter(media__tenant=tenant).count()
        placeholders = MediaItem.objects.filter(tenant=tenant).exclude(placeholder={}).count()
        print(
            f"all renditions done: {done}/{COUNT} items, {total} files, {placeholders} "
            f"placeholders, in {elapsed:.1f} s from the first upload ({COUNT / elapsed:.2f} "
            f"images/s); workers' CPU {cpu:.1f} s ({cpu / COUNT:.2f} s an image); "
            f"load average {os.getloadavg()}"
        )
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        if server is not None:
            server_stop(server)
        log.close()
        bench_tenant_delete(SLUG)
        shutil.rmtree(MEDIA, ignore_errors=True)


if __name__ == "__main__":
    main()

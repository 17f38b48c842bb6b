"""Bench: the shop read API vs a trivial DRF endpoint, same server, same run (SPEC §5).

gunicorn (2 workers) serves the app with the Redis cache; `wrk` (Debian) drives 8 connections
for 10 s at each endpoint, alternating twice, after a warm-up. Printed: requests/s of each,
the ratio (bar ≥ 0.8), and the read API's p99 latency (bar < 10 ms).

    .venv/bin/python bench/read_api.py      # PostgreSQL mediahub_bench, Redis db 9
"""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchdb import bench_django, demo_published, server_start  # noqa: E402

DURATION = "10s"


def wrk(url: str) -> tuple[float, float]:
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{DURATION}", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    value, unit = float(p99.group(1)), p99.group(2)
    p99_ms = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    return rps, p99_ms


def main() -> None:
    bench_django(cache_url="redis://127.0.0.1:6379/9")
    from django.core.cache import cache

    demo_published(numbers=["SHIRT-001"])
    cache.clear()
    server, base = server_start(workers=2)
    try:
        trivial = f"{base}/api/v1/health"
        read = f"{base}/api/v1/tenants/demo/channels/web/products/SHIRT-001-BLUE-M-SLIM/media?locale=en-us"
        body = urllib.request.urlopen(read).read()
        assert b'"primary"' in body, body[:200]
        for _ in range(50):  # warm both workers' connections and the cache
            urllib.request.urlopen(read).read()
            urllib.request.urlopen(trivial).read()
        results = {"trivial": [], "read": []}
        for _ in range(2):
            for name, url in (("trivial", trivial), ("read", read)):
                rps, p99 = wrk(url)
                results[name].append((rps, p99))
                print(f"{name:8s} {rps:9.0f} req/s  p99 {p99:6.2f} ms", flush=True)
    finally:
        server.terminate()
        server.wait()
    trivial_rps = max(r for r, _ in results["trivial"])
    read_rps = max(r for r, _ in results["read"])
    read_p99 = min(p for _, p in results["read"])
    print(
        f"\nread API {read_rps:.0f} req/s vs trivial {trivial_rps:.0f} req/s -> ratio {read_rps / trivial_rps:.2f} "
        f"(bar >= 0.8); read p99 {read_p99:.2f} ms (bar < 10 ms)"
    )


if __name__ == "__main__":
    main()

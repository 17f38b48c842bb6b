"""Bench: `files_save_many` from 1 thread against MEDIA_STORE_THREADS (8), on the local
file system and on S3 (moto's server on loopback, a subprocess started here).

A bulk upload (an import) stores one file per new item. Creating a file is mostly
waiting: on the local disk for the inode, on S3 for the PUT's round trip. This measures
what the threads buy on each, interleaved (1 thread, then 8, ROUNDS times), in the
library's layout (`tenants/1/media/<ab>/<public id>/a.jpg`), and prints the ratio.

    .venv/bin/python bench/store_threads.py [FILES]     # default 1,000 files a run
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

ROUNDS = 3
DATA = b"\xff\xd8" + b"x" * 700


def _moto() -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("moto_server did not start")


def _timed(storage, count: int, threads: int) -> float:
    from django.core.files.base import ContentFile

    from tenants.storage import files_save_many

    files = []
    for _ in range(count):
        public_id = str(uuid.uuid4())
        files.append((f"tenants/1/media/{public_id[:2]}/{public_id}/a.jpg", ContentFile(DATA)))
    started = time.perf_counter()
    files_save_many(storage, files, threads=threads)
    return (time.perf_counter() - started) / count * 1e6


def main() -> None:
    import django

    django.setup()
    import boto3
    from django.core.files.storage import FileSystemStorage
    from storages.backends.s3 import S3Storage

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    server, endpoint = _moto()
    try:
        credentials = {"access_key": "testing", "secret_key": "testing"}
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        ).create_bucket(Bucket="bench")
        with tempfile.TemporaryDirectory() as folder:
            storages = {
                "local disk": FileSystemStorage(location=folder),
                "S3 (moto, loopback)": S3Storage(
                    endpoint_url=endpoint,
                    bucket_name="bench",
                    region_name="us-east-1",
                    **credentials,
                ),  # fmt: skip
            }
            print(f"{count:,} files of {len(DATA)} bytes a run, {ROUNDS} interleaved rounds")
            for name, storage in storages.items():
                runs: dict[int, list[float]] = {1: [], 8: []}
                for _ in range(ROUNDS):
                    for threads in runs:
                        runs[threads].append(_timed(storage, count, threads))
                one, eight = min(runs[1]), min(runs[8])
                print(
                    f"  {name:20s} 1 thread {one:7.1f} µs/file, 8 threads {eight:7.1f} µs/file "
                    f"(best of {ROUNDS}): 8 threads take {eight / one:.2f}× the time"
                )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()

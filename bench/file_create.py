"""Bench: what storing one small file costs on this disk, the floor under the import bar.

Issue 16's bar asks ≥ 20,000 rows/s for a manifest whose every row brings its own file:
50 µs a row for everything (parse, validation, the file's check, its storage, the rows).
This measures the storage step alone, in the layout the library uses (a folder per item
under a two-digit level, then the file) and without the item's folder, from 1 and from 8
threads, against a baseline in the same run that creates no inode (a hard link of an
existing file to a new name). Rounds are interleaved so that the machine's noise hits
every variant alike.

    .venv/bin/python bench/file_create.py [FILES] [DIR]   # default 3,000 files, a temp dir
                                                           # next to MEDIA_ROOT (/tmp)
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

DATA = b"\xff\xd8" + b"x" * 700
ROUNDS = 3


def _store(folder: str, names: list[str], *, item_folder: bool) -> None:
    for name in names:
        path = f"{folder}/{name[:2]}/{name}"
        if item_folder:
            os.makedirs(path, exist_ok=True)
            path += "/a.jpg"
        else:
            path += ".jpg"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(descriptor, DATA)
        os.close(descriptor)


def _link(folder: str, names: list[str], source: str) -> None:
    for name in names:
        os.link(source, f"{folder}/{name[:2]}/{name}.jpg")


def _run(base: str, count: int, variant: str, threads: int) -> float:
    folder = tempfile.mkdtemp(dir=base)
    for shard in range(256):
        os.mkdir(f"{folder}/{shard:02x}")
    source = f"{folder}/source.jpg"
    with open(source, "wb") as handle:
        handle.write(DATA)
    names = [str(uuid.uuid4()) for _ in range(count)]
    parts = [names[i::threads] for i in range(threads)]
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        if variant == "link":
            list(pool.map(lambda part: _link(folder, part, source), parts))
        else:
            item_folder = variant == "folder + file"
            list(pool.map(lambda part: _store(folder, part, item_folder=item_folder), parts))
    return (time.perf_counter() - started) / count * 1e6


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    base = sys.argv[2] if len(sys.argv) > 2 else tempfile.gettempdir()
    variants = [
        ("link", 1),
        ("folder + file", 1),
        ("folder + file", 8),
        ("file", 1),
        ("file", 8),
    ]
    times: dict[tuple[str, int], list[float]] = {v: [] for v in variants}
    # Nothing is deleted until every round has run: on this machine's journal-less ext4 a
    # new inode is slow for minutes after a large delete (bench/README.md), so deleting
    # a run's files would slow the runs after it.
    scratch = tempfile.mkdtemp(dir=base)
    try:
        for _ in range(ROUNDS):
            for variant in variants:
                times[variant].append(_run(scratch, count, *variant))
    finally:
        shutil.rmtree(scratch)
    baseline = min(times[("link", 1)])
    print(f"{count:,} files of {len(DATA)} bytes a run, {ROUNDS} interleaved rounds, in {base}")
    for (variant, threads), runs in times.items():
        best = min(runs)
        print(
            f"  {variant:14s} {threads} thread(s): {best:7.1f} µs/file (best; runs "
            f"{', '.join(f'{r:.0f}' for r in runs)}) = {best / baseline:5.1f}× a link; "
            f"alone caps an import at {1e6 / best:,.0f} rows/s"
        )
    print("  the bar's whole budget: 50 µs a row (20,000 rows/s)")


if __name__ == "__main__":
    main()

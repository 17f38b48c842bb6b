"""R5, R18 (issue 16): a manifest's new items are created a batch at a time through the
library's bulk upload. Batches split at their size without losing a row, and a file that
turns bad between validation and apply fails its own row only (--on-error skip) or
leaves nothing written, files included (abort)."""

from __future__ import annotations

import inspect
import io
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from assignments.manifests import media_apply
from assignments.manifests.store import PlanStore
from media_library.models import MediaItem
from tests.manifests.helpers import run_import, tsv
from tests.media_library.samples import stored_files

HEADER = ["MediaLocale", "MediaType", "MediaImportPath", "MediaDisplayName", "ImageAltText"]
BATCH = 500  # PlanStore.media_to_apply's batch
ROWS = BATCH + 11
BAD = 260


def _png(i: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (i % 256, i // 256, 90)).save(out, "PNG")
    return out.getvalue()


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in stored_files(root) if p.relative_to(root).parts[2:3] == ("media",)]


@pytest.fixture
def many(tmp_path):
    folder = tmp_path / "many"
    (folder / "img").mkdir(parents=True)
    for i in range(ROWS):
        (folder / "img" / f"{i}.png").write_bytes(_png(i))
    rows = [
        ["system_neutral", "Image", f"img/{i}.png", f"Item {i}", f"alt {i}"] for i in range(ROWS)
    ]
    return folder, tsv(HEADER, *rows)


@pytest.fixture
def batches(monkeypatch, many):
    """The sizes of the bulk uploads; before the first, the file of row BAD is truncated
    (changed on disk after validation read it)."""
    folder, _ = many
    sizes: list[int] = []
    upload = media_apply.media_items_upload

    def counting(*, tenant, uploads, user):
        if not sizes:
            path = folder / "img" / f"{BAD}.png"
            path.write_bytes(path.read_bytes()[:40])
        sizes.append(len(uploads))
        return upload(tenant=tenant, uploads=uploads, user=user)

    monkeypatch.setattr(media_apply, "media_items_upload", counting)
    return sizes


def test_new_items_are_created_in_batches(tenant, many, monkeypatch):  # R18
    folder, text = many
    sizes: list[int] = []
    upload = media_apply.media_items_upload

    def counting(**kwargs):
        sizes.append(len(kwargs["uploads"]))
        return upload(**kwargs)

    monkeypatch.setattr(media_apply, "media_items_upload", counting)

    report, rows = run_import(tenant, text, folder=folder)

    assert report.ok and report.counts["media_created"] == ROWS
    assert sizes == [BATCH, ROWS - BATCH]
    assert all(r["Result"] == "Succeeded" for r in rows)
    assert MediaItem.objects.filter(tenant=tenant).count() == ROWS == len(_media_files())
    item = MediaItem.objects.get(display_name=f"Item {ROWS - 1}")
    assert (item.width, item.height, item.alt_text) == (8, 6, f"alt {ROWS - 1}")
    assert item.file.read() == _png(ROWS - 1)
    assert rows[ROWS - 1]["ResultDescription"] == f"Media {item.pk} 'Item {ROWS - 1}' created."


def test_a_file_gone_bad_fails_its_row_only_with_skip(tenant, many, batches):  # R5, R18
    folder, text = many

    report, rows = run_import(tenant, text, folder=folder, on_error="skip")

    assert batches == [BATCH, ROWS - BATCH]
    bad = rows[BAD]
    assert (bad["Result"], bad["ErrorCode"]) == ("Failed", "ApplyFailed")
    assert "truncated or corrupt" in bad["ResultDescription"]
    assert [i for i, r in enumerate(rows) if r["Result"] != "Succeeded"] == [BAD]
    assert MediaItem.objects.filter(tenant=tenant).count() == ROWS - 1
    assert len(_media_files()) == ROWS - 1


def test_a_file_gone_bad_writes_nothing_with_abort(tenant, many, batches):  # R5, R18
    folder, text = many

    report, rows = run_import(tenant, text, folder=folder)

    assert report.aborted and report.failed == 1
    assert (rows[BAD]["Result"], rows[BAD]["ErrorCode"]) == ("Failed", "ApplyFailed")
    assert {r["Result"] for i, r in enumerate(rows) if i != BAD} == {"Skipped"}
    assert not MediaItem.objects.filter(tenant=tenant).exists()
    assert _media_files() == []


def test_the_store_batches_at_the_size_these_tests_assume():  # R18
    assert inspect.signature(PlanStore.media_to_apply).parameters["batch"].default == BATCH

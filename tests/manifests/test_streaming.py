"""R18 (issue 16): a manifest is read a chunk of rows at a time and what validation learns
is kept in a temporary store, so memory stays flat however long the file. Nothing about
the outcome may depend on where chunks and batches end: these tests shrink them to two
rows (and two entries per document batch) so every check crosses a boundary."""

from __future__ import annotations

import io

import pytest

from assignments.manifests import store, validate
from assignments.manifests.files import FileSource
from assignments.manifests.importer import manifest_import
from assignments.models import AssignmentDocument
from assignments.selectors import content_sets_load
from media_library.models import MediaItem
from tests.manifests.conftest import jpeg_bytes
from tests.manifests.helpers import records, run_import, snapshot, tsv
from tests.manifests.test_validation import HEADER, row


@pytest.fixture(autouse=True)
def tiny_chunks(monkeypatch):
    monkeypatch.setattr(validate, "CHUNK_ROWS", 2)
    monkeypatch.setattr(store, "ENTRIES_PER_BATCH", 2)
    monkeypatch.setattr(store, "IN_LIMIT", 2)


def _new(name: str, path: str, **cells) -> list[str]:
    values = {"MediaDisplayName": name, "ImageAltText": name, "MediaImportPath": path, **cells}
    return row(None, **values)


def _primary(tenant, number="SHIRT-001") -> list[int]:
    document = AssignmentDocument.objects.get(
        tenant=tenant, product__number=number, channel__code="omnichannel"
    )
    content = content_sets_load(tenant=tenant, set_ids=[document.draft_id])[document.draft_id]
    return list(content.master.primary)


def test_an_item_and_a_document_across_chunks(tenant, catalog, images, files_dir):  # R5, R18
    text = tsv(
        HEADER,
        _new("Red", "media/red.jpg", MediaDisplayOrder="3"),
        row(images[0], MediaDisplayOrder="1"),
        row(images[1], EntityKey="MUG-001"),
        row(images[2], MediaDisplayOrder="2"),
        _new("Red", "media/red.jpg", EntityKey="MUG-001"),
    )
    report, rows = run_import(tenant, text, folder=files_dir)
    assert report.ok, report.errors
    red = MediaItem.objects.get(tenant=tenant, display_name="Red")  # created once (R5)
    assert _primary(tenant) == [images[0].pk, images[2].pk, red.pk]
    assert _primary(tenant, "MUG-001") == [images[1].pk, red.pk]
    assert [r["Result"] for r in rows] == ["Succeeded"] * 5

    report, rows = run_import(tenant, text, folder=files_dir, dry_run=True)
    assert report.counts["would_change_documents"] == 0
    assert report.counts["would_create_media"] == 0


def test_rows_are_checked_against_rows_in_other_chunks(tenant, catalog, images, files_dir):
    # R18: every cross-row check sees the whole file
    text = tsv(
        HEADER,
        _new("Red", "media/red.jpg"),
        row(images[0], MediaDisplayOrder="1"),
        row(images[1], EntityKey="MUG-001"),
        _new("Red", "media/green.png", EntityKey="MUG-001"),
        row(images[1], MediaDisplayOrder="1"),
        _new("Red", "media/red.jpg", ImageAltText="other", EntityKey="MUG-001"),
        row(images[0], EntityKey="MUG-001"),
        row(images[0], EntityKey="MUG-001", MediaDisplayOrder="9"),
    )
    before = snapshot(tenant)
    report, rows = run_import(tenant, text, folder=files_dir)
    assert report.aborted and report.failed == 4
    by_line = {line: r for line, r in enumerate(rows, start=2)}
    assert "also a new item on line 2" in by_line[5]["ResultDescription"]
    assert "already used on line 3" in by_line[6]["ResultDescription"]
    assert "described differently on line 2" in by_line[7]["ResultDescription"]
    assert "Line 8 already assigns the same media" in by_line[9]["ResultDescription"]
    assert by_line[2]["Result"] == "Skipped" and by_line[2]["ErrorCode"] == "NotApplied"
    assert snapshot(tenant) == before


def test_a_bad_last_row_leaves_everything_unapplied(tenant, catalog, images):  # R18
    text = tsv(
        HEADER,
        *[row(image, MediaDisplayOrder=str(i)) for i, image in enumerate(images, start=1)],
        row(images[0], EntityKey="MUG-001"),
        row(images[1], EntityKey="NOPE"),
    )
    before = snapshot(tenant)
    report, rows = run_import(tenant, text)
    assert report.aborted and report.failed == 1
    assert [r["Result"] for r in rows] == ["Skipped"] * 4 + ["Failed"]
    assert "Line 6" in rows[-1]["ResultDescription"]
    assert snapshot(tenant) == before


def test_a_stream_that_cannot_seek_is_read_twice_from_a_copy(tenant, catalog, images):  # R18
    text = tsv(HEADER, *[row(image, MediaDisplayOrder=str(i)) for i, image in enumerate(images, 1)])

    class OneWay(io.RawIOBase):
        def __init__(self, data: bytes):
            self.data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readinto(self, buffer) -> int:
            chunk = self.data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    result = io.StringIO()
    with FileSource() as files:
        report = manifest_import(
            tenant=tenant,
            source=io.BufferedReader(OneWay(("\ufeff" + text).encode())),
            files=files,
            user=None,
            result_out=result,
        )
    assert report.ok, report.errors
    assert [r["Result"] for r in records(result.getvalue())] == ["Succeeded"] * 3
    assert _primary(tenant) == [i.pk for i in images]


def test_new_files_read_once_per_item_across_chunks(tenant, catalog, tmp_path):  # R5, R18
    folder = tmp_path / "files"
    (folder / "media").mkdir(parents=True)
    for index in range(5):
        (folder / "media" / f"{index}.jpg").write_bytes(jpeg_bytes(colour=(index * 40, 0, 0)))
    text = tsv(
        HEADER,
        *[_new(f"Item {i}", f"media/{i}.jpg", MediaDisplayOrder=str(i + 1)) for i in range(5)],
    )
    report, rows = run_import(tenant, text, folder=folder)
    assert report.ok and report.counts["media_created"] == 5, report.errors
    # Again, named by their files only: the bytes find the same items (R5).
    report, rows = run_import(tenant, text, folder=folder)
    assert report.ok and report.succeeded == 0
    assert all(
        "unchanged (the same file is already in the library)" in r["ResultDescription"]
        for r in rows
    )
    assert MediaItem.objects.filter(tenant=tenant).count() == 5

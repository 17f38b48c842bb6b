"""R5, R18 (issue 16): validation reads each new file once. The bytes its digest read
(to find the same bytes in the library) are the bytes the upload checks inspect, up to a
budget per chunk; past it, or for a file too large for one read, the file is opened again.
Either way a bad file is refused and a good one planned alike."""

from __future__ import annotations

import pytest

from assignments.manifests import validate_media
from assignments.manifests.files import FileSource
from tests.manifests.conftest import jpeg_bytes
from tests.manifests.helpers import run_import, tsv

HEADER = ["MediaLocale", "MediaType", "MediaImportPath", "MediaDisplayName", "ImageAltText"]
COUNT = 12
BROKEN = 5


@pytest.fixture
def folder(tmp_path):
    for i in range(COUNT):
        data = jpeg_bytes((i * 20, 40, 90))
        (tmp_path / f"{i}.jpg").write_bytes(data[:60] if i == BROKEN else data)
    return tmp_path


@pytest.fixture
def opens(monkeypatch):
    """Paths FileSource.open is asked for (the second, separate read of a file)."""
    opened: list[str] = []
    original = FileSource.open

    def counting(self, path):
        opened.append(path)
        return original(self, path)

    monkeypatch.setattr(FileSource, "open", counting)
    return opened


def _manifest() -> str:
    rows = [["system_neutral", "Image", f"{i}.jpg", f"Item {i}", f"alt {i}"] for i in range(COUNT)]
    return tsv(HEADER, *rows)


def _outcome(rows) -> list[tuple[str, str]]:
    return [(r["Result"], r["ErrorCode"]) for r in rows]


def test_validation_checks_the_bytes_it_hashed_without_opening_files_again(
    tenant, folder, opens
):  # R5, R18
    report, rows = run_import(tenant, _manifest(), folder=folder, dry_run=True, on_error="skip")

    assert opens == []
    assert report.failed == 1
    assert rows[BROKEN]["ErrorCode"] == "FileRejected"
    assert "truncated or corrupt" in rows[BROKEN]["ResultDescription"]
    assert report.counts["would_create_media"] == COUNT - 1


def test_past_the_budget_files_are_read_again_with_the_same_outcome(
    tenant, folder, opens, monkeypatch
):  # R5, R18
    expected = _outcome(
        run_import(tenant, _manifest(), folder=folder, dry_run=True, on_error="skip")[1]
    )
    kept = 3  # the first three fit the budget; the others are opened again
    budget = sum((folder / f"{i}.jpg").stat().st_size for i in range(kept))
    monkeypatch.setattr(validate_media, "KEPT_BYTES", budget)

    report, rows = run_import(tenant, _manifest(), folder=folder, dry_run=True, on_error="skip")

    assert _outcome(rows) == expected
    assert report.failed == 1
    assert sorted(opens) == sorted(f"{i}.jpg" for i in range(kept, COUNT))

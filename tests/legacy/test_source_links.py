"""R29 (issue 12): a legacy library folder never leads outside itself: a symbolic link that
resolves outside the folder is reported as not migrated, its bytes never read or stored
(the same rule as a manifest's --files folder, tenants.paths). Links inside the folder
still work; zip entries whose names climb out of the archive are not listed."""

from __future__ import annotations

import hashlib
import zipfile

import pytest

from assignments.legacy.sources import FolderSource, SourceFileRefused, legacy_source_open
from media_library.models import MediaItem
from tests.legacy.conftest import png, tree_write
from tests.legacy.test_migrate_command import migrate

pytestmark = pytest.mark.django_db

SECRET = png((42, 42, 42))


@pytest.fixture
def outside(tmp_path):
    """A valid image outside the library, as a secret file on the server would be."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.png").write_bytes(SECRET)
    (folder / "Products").mkdir()
    (folder / "Products" / "MUG-001_000_002.png").write_bytes(SECRET)
    return folder


@pytest.fixture
def library(tmp_path):
    return tree_write(tmp_path / "library", {"Products/MUG-001_000_001.png": png((1, 200, 1))})


def _secret_stored() -> bool:
    return MediaItem.objects.filter(checksum=hashlib.sha256(SECRET).hexdigest()).exists()


def test_a_link_out_of_the_folder_is_not_migrated(tenant, catalog, library, outside, editor):  # R29
    (library / "Products" / "MUG-001_000_002.png").symlink_to(outside / "secret.png")

    out = migrate(library, tenant="acme", user="eddie")

    assert "Not migrated, unreadable file: 1" in out
    assert "Products/MUG-001_000_002.png: a link that points outside the source folder" in out
    assert not _secret_stored()
    assert MediaItem.objects.filter(tenant=tenant).count() == 1  # the real file migrated


def test_a_linked_folder_outside_is_not_walked(tenant, catalog, library, outside, editor):
    # R29
    (library / "Elsewhere").symlink_to(outside / "Products", target_is_directory=True)

    migrate(library, tenant="acme", user="eddie")

    assert not _secret_stored()


def test_the_folder_source_refuses_to_open_a_link_out(library, outside):  # R29
    (library / "Products" / "MUG-001_000_002.png").symlink_to(outside / "secret.png")
    (library / "escape.png").symlink_to("/etc/hostname")
    source = FolderSource(library)

    for path in ("Products/MUG-001_000_002.png", "escape.png", "../outside/secret.png"):
        with pytest.raises(SourceFileRefused):
            source.open(path)
    with source.open("Products/MUG-001_000_001.png") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"


def test_links_inside_the_folder_still_work(tenant, catalog, library, editor):  # R29
    (library / "Products" / "MUG-001_000_002.png").symlink_to(
        library / "Products" / "MUG-001_000_001.png"
    )

    out = migrate(library, tenant="acme", user="eddie")

    assert "unreadable file" not in out
    assert "Files: 2 seen, 2 matched" in out


def test_zip_entries_that_climb_out_are_not_listed(tenant, catalog, tmp_path, editor):  # R29
    archive = tmp_path / "legacy.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("Products/MUG-001_000_001.png", png((1, 200, 1)))
        bundle.writestr("../Products/MUG-001_000_002.png", SECRET)
        bundle.writestr("/Products/MUG-001_000_003.png", SECRET)

    source = legacy_source_open(spec=str(archive))
    try:
        assert list(source.paths()) == ["Products/MUG-001_000_001.png"]
    finally:
        source.close()
    migrate(archive, tenant="acme", user="eddie")
    assert not _secret_stored()

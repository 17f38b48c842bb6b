"""Bulk uploads write their files from several threads (`files_save_many`, issue 16's
import at scale): every file lands under its own name in order, and a failure leaves no
file of the batch behind (GUIDE: bad input loses or half-writes nothing, files included)."""

from __future__ import annotations

import threading

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from tenants.storage import files_save_many


@pytest.fixture
def storage(tmp_path):
    return FileSystemStorage(location=str(tmp_path / "files"))


def _files(count: int) -> list[tuple[str, ContentFile]]:
    return [
        (f"t/{i % 7:02d}/item-{i}/a.jpg", ContentFile(f"bytes {i}".encode())) for i in range(count)
    ]


@pytest.mark.parametrize("threads", [1, 8])
def test_every_file_is_stored_in_order(storage, threads):
    names = files_save_many(storage, _files(60), threads=threads)
    assert names == [f"t/{i % 7:02d}/item-{i}/a.jpg" for i in range(60)]
    for i, name in enumerate(names):
        with storage.open(name) as handle:
            assert handle.read() == f"bytes {i}".encode()


def test_a_name_taken_meanwhile_gets_a_free_name(storage):
    storage.save("t/00/item-0/a.jpg", ContentFile(b"older"))
    names = files_save_many(storage, _files(3), threads=4)
    assert names[0] != "t/00/item-0/a.jpg" and names[0].startswith("t/00/item-0/a_")
    with storage.open("t/00/item-0/a.jpg") as handle:
        assert handle.read() == b"older"


class _Failing(FileSystemStorage):
    """Refuses one file, after the others of the batch may have been written."""

    def __init__(self, *args, refuse: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.refuse = refuse
        self.threads: set[int] = set()

    def _save(self, name, content):
        self.threads.add(threading.get_ident())
        if name.endswith(self.refuse):
            raise OSError("disk full")
        return super()._save(name, content)


@pytest.mark.parametrize("threads", [1, 8])
def test_a_failure_leaves_no_file_of_the_batch(tmp_path, threads):
    storage = _Failing(location=str(tmp_path / "files"), refuse="item-30/a.jpg")
    with pytest.raises(OSError, match="disk full"):
        files_save_many(storage, _files(60), threads=threads)
    left = [path for path in (tmp_path / "files").rglob("*") if path.is_file()]
    assert left == []
    if threads == 1:
        assert len(storage.threads) == 1
    else:
        assert len(storage.threads) > 1  # really written from several threads


# Django's own file system storage is written straight to the disk (`_disk_save`): the
# files must be exactly what `storage.save` would have written.


def test_plain_file_system_storage_is_written_without_save(tmp_path, monkeypatch):
    storage = FileSystemStorage(location=str(tmp_path / "files"))
    calls: list[str] = []
    monkeypatch.setattr(storage, "save", lambda name, *a, **k: calls.append(name) or name)
    names = files_save_many(storage, _files(5), threads=1)
    assert calls == []
    assert names == [f"t/{i % 7:02d}/item-{i}/a.jpg" for i in range(5)]
    assert (tmp_path / "files" / "t/04/item-4/a.jpg").read_bytes() == b"bytes 4"


def test_the_disk_path_keeps_the_storage_permissions(tmp_path):
    storage = FileSystemStorage(
        location=str(tmp_path / "files"),
        file_permissions_mode=0o640,
        directory_permissions_mode=0o750,
    )
    [name] = files_save_many(storage, _files(1), threads=1)
    path = tmp_path / "files" / name
    assert path.stat().st_mode & 0o777 == 0o640
    assert path.parent.stat().st_mode & 0o777 == 0o750
    assert path.parent.parent.stat().st_mode & 0o777 == 0o750


def test_a_name_over_max_length_is_shortened_as_save_does(storage):
    long = "t/00/item-0/" + "n" * 80 + ".jpg"
    [name] = files_save_many(storage, [(long, ContentFile(b"x"))], threads=1, max_length=60)
    assert len(name) <= 60 and name.endswith(".jpg") and storage.exists(name)


def test_a_path_outside_the_storage_is_refused(storage):
    from django.core.exceptions import SuspiciousFileOperation

    with pytest.raises(SuspiciousFileOperation):
        files_save_many(storage, [("../outside.jpg", ContentFile(b"x"))], threads=1)


class _BreaksWhileRead(ContentFile):
    def chunks(self, chunk_size=None):
        yield b"first part"
        raise OSError("read failed")


@pytest.mark.parametrize("threads", [1, 4])
def test_a_file_that_fails_while_written_leaves_nothing(tmp_path, threads):
    storage = FileSystemStorage(location=str(tmp_path / "files"))
    files = _files(6)
    files[3] = ("t/03/item-3/a.jpg", _BreaksWhileRead(b""))
    with pytest.raises(OSError, match="read failed"):
        files_save_many(storage, files, threads=threads)
    assert [p for p in (tmp_path / "files").rglob("*") if p.is_file()] == []


def test_the_default_storage_is_written_straight_to_the_disk(settings, tmp_path, monkeypatch):
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = str(tmp_path / "media")
    calls: list[str] = []
    monkeypatch.setattr(FileSystemStorage, "_save", lambda self, name, c: calls.append(name))
    names = files_save_many(default_storage, _files(2), threads=1)
    assert calls == []
    assert (tmp_path / "media" / names[1]).read_bytes() == b"bytes 1"

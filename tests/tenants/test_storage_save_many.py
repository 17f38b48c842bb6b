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

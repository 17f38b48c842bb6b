"""Files written in a transaction are removed if it rolls back (GUIDE: "files written in a
transaction are removed if it rolls back"; issue 13): the whole transaction or only the
savepoint they were written in, whichever block fails; a commit keeps them."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import connection, transaction

from tenants.storage import files_delete_on_rollback

pytestmark = pytest.mark.django_db(transaction=True)


class Abort(Exception):
    pass


@pytest.fixture
def storage(tmp_path):
    return FileSystemStorage(location=str(tmp_path / "files"))


def _write(storage, name: str) -> str:
    stored = storage.save(name, ContentFile(b"bytes"))
    files_delete_on_rollback(storage, [stored])
    return stored


def test_a_commit_keeps_the_files(storage):
    with transaction.atomic():
        name = _write(storage, "kept.txt")
    assert storage.exists(name)


def test_a_rollback_removes_them_whichever_block_fails(storage):
    with pytest.raises(Abort), transaction.atomic():
        with transaction.atomic():  # the writer's own block succeeds...
            name = _write(storage, "gone.txt")
        assert storage.exists(name)
        raise Abort  # ...an enclosing one fails
    assert not storage.exists(name)


def test_a_savepoint_rollback_removes_only_its_own(storage):
    with transaction.atomic():
        kept = _write(storage, "kept.txt")
        try:
            with transaction.atomic():
                gone = _write(storage, "gone.txt")
                raise Abort
        except Abort:
            pass
        assert not storage.exists(gone)
        later = _write(storage, "later.txt")
    assert storage.exists(kept) and storage.exists(later)


def test_outside_a_transaction_nothing_is_registered(storage):
    name = _write(storage, "autocommit.txt")
    assert storage.exists(name) and connection.run_on_commit == []


def test_files_of_one_savepoint_share_one_registration(storage):
    with pytest.raises(Abort), transaction.atomic():
        names = [_write(storage, f"f{n}.txt") for n in range(50)]
        assert len(connection.run_on_commit) == 1
        raise Abort
    assert not any(storage.exists(n) for n in names)

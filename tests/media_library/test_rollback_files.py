"""Files written in a transaction are removed if it rolls back (GUIDE, R5, R6, issue 13):
an upload, a publish or new renditions undone by an enclosing transaction leave no file in
private or public storage, on the local default (S3: tests/media_library/test_s3.py)."""

from pathlib import Path

import pytest
from django.db import transaction

from media_library.models import MediaItem
from media_library.services import media_item_publish, media_item_upload, renditions_ensure
from media_library.storage import private_storage, public_storage
from tests.media_library.samples import image_bytes, rendition_names, upload_file

pytestmark = pytest.mark.django_db


class Abort(Exception):
    pass


def _files(storage) -> list[Path]:
    root = Path(storage.location)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_an_upload_undone_by_an_enclosing_transaction_leaves_no_file(tenant, editor):
    with pytest.raises(Abort), transaction.atomic():
        item, _ = media_item_upload(
            tenant=tenant,
            file=upload_file("shirt.jpg", image_bytes(300, 200)),
            user=editor,
            title="Shirt",
            alt_text="A shirt",
        )
        assert private_storage().exists(item.file.name)
        raise Abort
    assert not MediaItem.objects.exists()
    assert _files(private_storage()) == []


def test_a_publish_undone_leaves_no_public_copy(image_item):
    before = _files(private_storage())
    with pytest.raises(Abort), transaction.atomic():
        media_item_publish(item=image_item, user=None)
        assert len(_files(public_storage())) == 1 + len(rendition_names(300))  # original too
        raise Abort
    assert _files(public_storage()) == []
    assert _files(private_storage()) == before  # the private files are untouched
    image_item.refresh_from_db()
    assert image_item.status == "draft" and image_item.public_name == ""


def test_renditions_undone_leave_no_file(image_item):
    image_item.renditions.all().delete()
    before = _files(private_storage())
    with pytest.raises(Abort), transaction.atomic():
        made = renditions_ensure(item=image_item)
        assert len(made) == len(rendition_names(300))
        raise Abort
    assert _files(private_storage()) == before

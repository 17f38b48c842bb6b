"""`manage.py media_public_sync` (issue 13, SPEC §4 "Files"): after the upgrade that split
media storage, published items' files are copied into public storage (the originals stay
private) and shop answers switch to the public URLs (R21); drafts lose stray copies;
--verify re-makes missing copies; --prune deletes public files nobody names."""

import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from media_library.models import MediaItem, Rendition
from media_library.selectors import media_public_urls
from media_library.services import media_item_publish
from media_library.storage import private_storage, public_storage
from publishing.services import products_publish
from tests.media_library.samples import rendition_names
from tests.publishing import builders as b

pytestmark = pytest.mark.django_db


def sync(*args: str) -> str:
    out = StringIO()
    call_command("media_public_sync", *args, "--no-progress", stdout=out)
    return out.getvalue()


def _public_files() -> list[Path]:
    root = Path(public_storage().location)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _as_before_the_upgrade() -> None:
    """Published items as the single-storage version left them: no public copy, renditions
    without checksums."""
    for path in _public_files():
        path.unlink()
    MediaItem.objects.update(public_name="", public_thumbnail_name="", public_captions_name="")
    Rendition.objects.update(public_name="", checksum="")


@pytest.fixture
def legacy_catalog(tenant, editor, publisher, django_capture_on_commit_callbacks):
    """MUG-001 published with one image; the shop answer built before the upgrade."""
    with django_capture_on_commit_callbacks(execute=True):
        item = b.image(tenant, editor, "mug")
        mug = b.mug(tenant)
        b.checkin(tenant, mug, editor, {"master": b.slots([item])})
        products_publish(
            tenant=tenant, product_ids=[mug.pk], user=publisher, publish_dependencies=True
        )
    _as_before_the_upgrade()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("read_model_rebuild", "--tenant", tenant.slug, stdout=StringIO())
    return MediaItem.objects.get(pk=item.pk)


def shop(client, number: str) -> dict:
    response = client.get(f"/api/v1/tenants/acme/channels/web/products/{number}/media?locale=en-us")
    assert response.status_code == 200, response.content
    return response.json()


def test_published_items_get_public_copies_and_answers_follow(
    legacy_catalog, client, django_capture_on_commit_callbacks
):
    item = legacy_catalog
    before = shop(client, "MUG-001")["primary"][0]["url"]
    assert before == media_public_urls(item).url == f"/p/{item.public_id}/mug.jpg"
    assert client.get(before).status_code == 200  # still answers, from private storage

    with django_capture_on_commit_callbacks(execute=True):
        out = sync()

    copied = 1 + len(rendition_names(item.width))
    assert f"1 item(s) out of line were synced: 1 published item(s) ({copied} public file(s)" in out
    item.refresh_from_db()
    assert item.public_name.endswith(f"/{item.checksum[:16]}/mug.jpg")
    assert public_storage().exists(item.public_name)
    assert private_storage().exists(item.file.name)  # the original stays private
    for rendition in item.renditions.all():
        assert rendition.checksum and public_storage().exists(rendition.public_name)
    answer = shop(client, "MUG-001")
    assert answer["primary"][0]["url"] == public_storage().url(item.public_name)
    assert client.get(answer["primary"][0]["url"]).status_code == 200
    assert "0 item(s) out of line" in sync()  # nothing left to do: safe to run again


def test_a_draft_loses_stray_public_copies(image_item, django_capture_on_commit_callbacks):
    media_item_publish(item=image_item, user=None)
    item = MediaItem.objects.get(pk=image_item.pk)
    MediaItem.objects.filter(pk=item.pk).update(status="draft")  # as a crash could leave it
    with django_capture_on_commit_callbacks(execute=True):
        out = sync()
    assert f"1 draft(s) ({1 + len(rendition_names(300))} public file(s) removed)" in out
    assert _public_files() == []
    item.refresh_from_db()
    assert item.public_name == "" and not item.renditions.exclude(public_name="").exists()


def test_a_dry_run_changes_nothing(legacy_catalog):
    out = sync("--dry-run")
    assert "1 item(s) out of line would be synced: 1 published item(s)" in out
    assert _public_files() == [] and MediaItem.objects.get().public_name == ""


def test_verify_makes_missing_copies_again(image_item):
    media_item_publish(item=image_item, user=None)
    item = MediaItem.objects.get(pk=image_item.pk)
    public_storage().delete(item.public_name)
    assert "0 item(s) out of line" in sync()  # the row looks fine
    out = sync("--verify")
    assert "(1 public file(s) copied)" in out
    assert public_storage().exists(item.public_name)


def test_prune_deletes_only_old_files_nobody_names(image_item):
    media_item_publish(item=image_item, user=None)
    item = MediaItem.objects.get(pk=image_item.pk)
    stray_old = public_storage().save(
        f"media/{item.public_id.hex}/0123456789abcdef/old.jpg", ContentFile(b"x")
    )
    stray_new = public_storage().save(
        "media/" + "a" * 32 + "/0123456789abcdef/new.jpg", ContentFile(b"x")
    )
    gone_item = public_storage().save(
        "media/" + "b" * 32 + "/0123456789abcdef/gone.jpg", ContentFile(b"x")
    )
    two_hours_ago = time.time() - 7200
    for name in (stray_old, gone_item, item.public_name):
        os.utime(public_storage().path(name), (two_hours_ago, two_hours_ago))

    assert "2 stray public file(s) would be deleted" in sync("--prune", "--dry-run")
    assert "2 stray public file(s) were deleted" in sync("--prune")
    assert not public_storage().exists(stray_old) and not public_storage().exists(gone_item)
    assert public_storage().exists(stray_new)  # may be a publish not committed yet
    assert public_storage().exists(item.public_name)  # named: kept however old


def test_an_item_that_cannot_be_synced_is_named_and_the_rest_goes_on(tenant, editor):
    broken = b.image(tenant, editor, "broken")
    fine = b.image(tenant, editor, "fine")
    media_item_publish(item=broken, user=None)
    media_item_publish(item=fine, user=None)
    _as_before_the_upgrade()
    private_storage().delete(broken.file.name)

    with pytest.raises(
        CommandError,
        match=rf"1 item\(s\) could not be synced:\n  media item {broken.pk} \(broken.jpg\)",
    ):
        sync()
    assert MediaItem.objects.get(pk=fine.pk).public_name
    assert MediaItem.objects.get(pk=broken.pk).public_name == ""


def test_bad_input_is_refused(tenant):
    with pytest.raises(CommandError, match="Unknown tenant 'nope'"):
        sync("--tenant", "nope")
    with pytest.raises(CommandError, match="--prune looks at all of public storage"):
        sync("--tenant", tenant.slug, "--prune")

"""R5/R30 on PostgreSQL: an edit or a publish racing a delete of the same media item answers
2xx, 404 or 409, never 500, and leaves no rendition file of a deleted item behind (issue 12),
nor a public copy (issue 13).

SQLite serialises writers, so only PostgreSQL shows the interleavings."""

import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from media_library.models import MediaItem, Rendition
from media_library.services import media_item_upload
from media_library.storage import public_storage
from tests.media_library.samples import image_bytes, upload_file

ROUNDS = 12


def _race(user, calls: dict[str, tuple]) -> dict[str, object]:
    """Run the named API calls (method, path, body) at once; their status codes by name."""
    barrier = threading.Barrier(len(calls))
    results: dict[str, object] = {}

    def call(name, method, path, body):
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait(timeout=10)
            results[name] = getattr(client, method)(path, body, format="json").status_code
        except Exception as exc:  # reported by the caller rather than lost in the thread
            results[name] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(name, *args)) for name, args in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _files_of(item_public_id) -> list[Path]:
    """Its files in private storage, and its copies in public storage (a publish that won)."""
    private = [
        p
        for p in Path(settings.MEDIA_ROOT).rglob("*")
        if p.is_file() and str(item_public_id) in str(p)
    ]
    public_root = Path(public_storage().location)
    public = [p for p in public_root.rglob("*") if p.is_file() and item_public_id.hex in str(p)]
    return private + public


@pytest.mark.postgres
@pytest.mark.parametrize("edit", ["patch", "publish"])
def test_edit_racing_delete_never_answers_500_nor_leaves_files(
    transactional_db, tenant, member, edit
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL (set DATABASE_URL)")
    from tenants.models import Role

    user = member(Role.PUBLISHER, username="pia")
    outcomes: list[dict] = []
    for round_ in range(ROUNDS):
        item, _ = media_item_upload(
            tenant=tenant,
            file=upload_file(f"race-{round_}.jpg", image_bytes(400, 300, color=(round_, 9, 99))),
            user=user,
            title=f"Race {round_}",
            alt_text="A racing shirt",
        )
        if edit == "publish":
            # No renditions yet: publishing makes them while the delete runs.
            for rendition in Rendition.objects.filter(media=item):
                rendition.file.delete(save=False)
            Rendition.objects.filter(media=item).delete()
            request = ("post", f"/api/v1/tenants/acme/media/{item.pk}/publish", None)
        else:
            # A new focal point re-makes the crops (on commit) while the delete runs.
            request = (
                "patch",
                f"/api/v1/tenants/acme/media/{item.pk}/",
                {"title": "Renamed", "focal_x": 0.1 + round_ / 100},
            )
        results = _race(
            user,
            {"edit": request, "delete": ("delete", f"/api/v1/tenants/acme/media/{item.pk}/", None)},
        )
        outcomes.append(dict(results))
        if not MediaItem.objects.filter(pk=item.pk).exists():
            assert _files_of(item.public_id) == [], (round_, results)
            assert not Rendition.objects.filter(media_id=item.pk).exists()
    bad = [
        o
        for o in outcomes
        if o.get("edit") not in (200, 404, 409) or o.get("delete") not in (204, 404, 409)
    ]
    assert bad == [], bad

"""R25, R26 on PostgreSQL: a file replacement racing a delete of the same item, and a
check-in naming an item racing its delete, end in one consistent state: never a 500, never
a current entry naming a deleted item, never files of a deleted item left behind.

SQLite serialises writers, so only PostgreSQL shows the interleavings."""

import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from assignments import services as assignment_services
from assignments.models import AssignmentDocument, AssignmentEntry
from media_library.models import MediaFileVersion, MediaItem
from media_library.services import media_item_upload
from tenants.exceptions import DomainError
from tenants.models import Channel, Locale, Role
from tests.media_library.samples import image_bytes, upload_file
from tests.publishing import builders as b

pytestmark = pytest.mark.postgres

ROUNDS = 8


def _require_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL (set DATABASE_URL)")


def _run_at_once(calls: dict) -> dict:
    barrier = threading.Barrier(len(calls))
    results: dict = {}

    def run(name, fn):
        try:
            barrier.wait(timeout=10)
            results[name] = fn()
        except Exception as exc:  # reported by the caller rather than lost in the thread
            results[name] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _upload(tenant, user, n: int) -> MediaItem:
    item, _ = media_item_upload(
        tenant=tenant,
        file=upload_file(f"race-{n}.jpg", image_bytes(120, 90, color=(n, 40, 200))),
        user=user,
        title=f"Race {n}",
        alt_text="A racing mug",
    )
    return item


def test_replace_racing_delete(transactional_db, tenant, member):  # R25, R26
    _require_postgres()
    user = member(Role.PUBLISHER, username="pia")
    outcomes = []
    for n in range(ROUNDS):
        item = _upload(tenant, user, n)

        def replace(item=item, n=n):
            client = APIClient()
            client.force_authenticate(user)
            body = {
                "file": upload_file(f"new-{n}.png", image_bytes(60, 40, "PNG", color=(n, 9, 9)))
            }
            return client.put(
                f"/api/v1/tenants/acme/media/{item.pk}/file", body, format="multipart"
            ).status_code

        def delete(item=item):
            client = APIClient()
            client.force_authenticate(user)
            return client.delete(f"/api/v1/tenants/acme/media/{item.pk}/").status_code

        results = _run_at_once({"replace": replace, "delete": delete})
        outcomes.append(results)
        if not MediaItem.objects.filter(pk=item.pk).exists():
            assert not MediaFileVersion.objects.filter(media_id=item.pk).exists()
            leftovers = [
                p
                for p in Path(settings.MEDIA_ROOT).rglob("*")
                if p.is_file() and str(item.public_id) in str(p)
            ]
            assert leftovers == [], (n, results)
    bad = [
        o for o in outcomes if o["replace"] not in (200, 404) or o["delete"] not in (204, 404, 409)
    ]
    assert bad == [], bad


def test_checkin_naming_an_item_racing_its_delete(transactional_db, tenant, member):  # R26
    _require_postgres()
    user = member(Role.PUBLISHER, username="pia")
    channel = Channel.objects.get(tenant=tenant, code="omnichannel")
    locale = Locale.objects.get(tenant=tenant, code="neutral")
    product = b.mug(tenant)
    outcomes = []
    for n in range(ROUNDS):
        item = _upload(tenant, user, 100 + n)
        document = assignment_services.document_checkout(
            tenant=tenant, product=product, channel=channel, locale=locale, user=user
        )

        def edit(document=document, item=item):
            try:
                assignment_services.document_working_replace(
                    document=document,
                    user=user,
                    content={
                        "matrix": [],
                        "master": {"primary": [item.pk], "additional": [], "swatches": []},
                        "dimensions": [],
                        "variants": [],
                    },
                )
            except DomainError as exc:
                return type(exc).__name__
            return "saved"

        def delete(item=item):
            client = APIClient()
            client.force_authenticate(user)
            return client.delete(f"/api/v1/tenants/acme/media/{item.pk}/").status_code

        results = _run_at_once({"edit": edit, "delete": delete})
        outcomes.append(results)
        # Whoever won, no current content names an item that is gone.
        current = AssignmentDocument.objects.filter(product=product).values_list(
            "working_id", "draft_id", "published_id"
        )
        set_ids = {pk for row in current for pk in row if pk is not None}
        dangling = AssignmentEntry.objects.filter(content_set_id__in=set_ids).exclude(
            media_id__in=MediaItem.objects.values("pk")
        )
        assert not dangling.exists(), (n, results)
        document.refresh_from_db()
        assignment_services.document_discard(document=document, user=user)
    assert all(o["edit"] in ("saved", "ValidationFailed") for o in outcomes), outcomes
    assert all(o["delete"] in (204, 409) for o in outcomes), outcomes
    assert all((o["edit"] == "saved") == (o["delete"] == 409) for o in outcomes), outcomes

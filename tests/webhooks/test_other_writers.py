"""R28: events come from every door that changes what they describe, not only the API:
here a tenant copy (R19) that publishes media in the destination."""

from __future__ import annotations

import pytest

from media_library.models import MediaItem
from webhooks.services import webhook_create

pytestmark = pytest.mark.django_db


def test_a_tenant_copy_announces_the_media_it_publishes_in_the_destination(
    other_tenant,
    source,
    root,
    copy_command,
    receiver,
):
    created = webhook_create(
        tenant=other_tenant, user=None, url=receiver.url(), events=["media.published"]
    )

    copy_command()

    published = set(
        MediaItem.objects.filter(tenant=other_tenant, status="published").values_list(
            "pk", flat=True
        )
    )
    announced = [r.json for r in receiver.requests]
    assert published and {m["data"]["media"]["id"] for m in announced} == published
    assert {m["tenant"] for m in announced} == {"globex"}
    assert created.endpoint.deliveries.filter(status="succeeded").count() == len(published)

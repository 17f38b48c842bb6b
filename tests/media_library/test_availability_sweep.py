"""R27 with R21: the availability sweep re-projects per tenant, not per item. Many items
whose windows close at once re-project each affected product once, in one projection call;
running the sweep again changes and projects nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.services import product_create
from media_library import tasks
from media_library.models import MediaItem
from media_library.services import media_item_update
from publishing import drain
from tests.publishing import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def projections(monkeypatch):
    """Every products_project call the drain makes, as the list of product ids it got."""
    calls: list[list[int]] = []
    real = drain.products_project

    def spy(*, tenant, product_ids):
        calls.append(list(product_ids))
        return real(tenant=tenant, product_ids=product_ids)

    monkeypatch.setattr(drain, "products_project", spy)
    return calls


def _publish(client, number: str) -> None:
    response = client.post(
        f"/api/v1/tenants/acme/products/{number}/media/publish?channel=omnichannel&locale=neutral",
        {"publish_dependencies": True},
        format="json",
    )
    assert response.status_code == 202, response.content


def test_many_items_expiring_at_once_reproject_each_product_once(
    tenant,
    editor,
    publisher,
    client_for,
    monkeypatch,
    projections,
    shop_read,
    django_capture_on_commit_callbacks,
):  # R27, R21
    client = client_for(publisher)
    products, expiring = [], []
    with django_capture_on_commit_callbacks(execute=True):
        keeper = b.image(tenant, editor, "keeper")
        for n in range(3):
            product = product_create(
                tenant=tenant, number=f"MUG-{n}", name=f"Mug {n}", kind="simple"
            )
            items = [b.image(tenant, editor, f"mug-{n}-{i}") for i in range(4)]
            products.append(product)
            expiring += items
            b.checkin(tenant, product, editor, {"master": b.slots([*items, keeper])})
            _publish(client, product.number)
        untouched = product_create(tenant=tenant, number="CUP-1", name="Cup", kind="simple")
        b.checkin(tenant, untouched, editor, {"master": b.slots([keeper])})
        _publish(client, untouched.number)
    soon = timezone.now() + timedelta(minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        for item in expiring:
            media_item_update(item=MediaItem.objects.get(pk=item.pk), user=None, expires_at=soon)
    projections.clear()

    later = timezone.now() + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.media_availability_sweep() == len(expiring)

    assert projections == [sorted(p.pk for p in products)]  # one call, each product once
    assert not MediaItem.objects.filter(pk__in=[i.pk for i in expiring], served=True).exists()
    for product in products:  # shops are shown the item still inside its window only
        assert [m["id"] for m in shop_read(product.number).json()["primary"]] == [keeper.pk]

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.media_availability_sweep() == 0  # idempotent: nothing crosses twice
    assert projections == [sorted(p.pk for p in products)]

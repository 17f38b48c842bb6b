"""R28 in the default set-up (no broker, jobs inline): deliveries are sent by background
threads of the process that made the change, so a receiver that hangs never holds up the
write's response; they are still sent, signed and logged, once the receiver answers."""

from __future__ import annotations

import pytest

from tests.publishing import builders as b
from webhooks.messages import inline_deliveries_wait
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_hanging_receiver_does_not_hold_up_the_write(
    settings, receiver, register, tenant, editor, publisher, client_for
):  # R28
    settings.WEBHOOK_INLINE_THREADS = 2  # the default (the test settings send in the caller)
    photo = b.image(tenant, editor, "photo")
    register(receiver.url(), ["media.published"])
    receiver.hold.clear()  # the receiver hangs until released

    try:
        response = client_for(publisher).post(f"/api/v1/tenants/acme/media/{photo.pk}/publish")

        # The publish has answered while the receiver still holds its delivery.
        assert response.status_code == 200, response.content
        assert receiver.arrived.wait(10), "the delivery was never sent"
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts) == ("pending", 0)
    finally:
        receiver.hold.set()
    inline_deliveries_wait(timeout=20)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    [got] = receiver.requests
    assert got.json["type"] == "media.published" and got.json["data"]["media"]["id"] == photo.pk


def test_a_delivery_whose_thread_fails_stays_due_for_beat(
    settings, receiver, register, tenant, editor, publisher, client_for, monkeypatch
):  # R28: nothing is lost when the thread cannot send
    settings.WEBHOOK_INLINE_THREADS = 2
    photo = b.image(tenant, editor, "photo")
    register(receiver.url(), ["media.published"])

    def broken(**kwargs):
        raise RuntimeError("network stack on fire")

    monkeypatch.setattr("webhooks.delivery.delivery_attempt", broken)
    response = client_for(publisher).post(f"/api/v1/tenants/acme/media/{photo.pk}/publish")
    inline_deliveries_wait(timeout=20)

    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.next_attempt_at is not None
    assert not receiver.requests

"""R21: the periodic drain is the safety net: what a crashed process left in the outbox is
projected later, per tenant, without rescanning anything else."""

import pytest

from publishing.drain import outbox_drain, outbox_drain_stale
from publishing.models import ShopAnswer
from publishing.tasks import read_model_drain_stale
from tenants.models import ChangeOutbox, OutboxKind
from tests.publishing import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(tenant, editor, publish):
    product = b.mug(tenant)
    photo = b.image(tenant, editor, "photo")
    b.checkin(tenant, product, editor, {"master": b.slots([photo])})
    publish("MUG-001", publish_dependencies=True)
    return product, photo


def test_after_commit_drain_leaves_the_outbox_empty(tenant, published):
    assert not ChangeOutbox.objects.filter(tenant=tenant).exists()
    assert ShopAnswer.objects.filter(tenant=tenant, number="MUG-001").count() == 1


def test_rows_left_by_a_dead_process_are_drained_by_beat(tenant, published, shop, editor):
    product, photo = published
    # A process noted a change and died before its drain: the answer is gone meanwhile.
    ShopAnswer.objects.filter(tenant=tenant).delete()
    ChangeOutbox.objects.create(tenant=tenant, kind=OutboxKind.PRODUCT, object_id=product.pk)
    ChangeOutbox.objects.filter(tenant=tenant).update(created_at="2000-01-01T00:00:00Z")
    assert outbox_drain_stale() == {tenant.pk: 1}
    assert read_model_drain_stale() == {tenant.pk: 1}  # eager: the per-tenant task ran
    assert not ChangeOutbox.objects.filter(tenant=tenant).exists()
    assert shop("MUG-001")["default_image"]["id"] == photo.pk


def test_fresh_rows_are_left_to_their_own_process(tenant, published):
    product, _ = published
    ChangeOutbox.objects.create(tenant=tenant, kind=OutboxKind.PRODUCT, object_id=product.pk)
    assert outbox_drain_stale() == {}


def test_drain_is_idempotent(tenant, published):
    product, _ = published
    before = list(ShopAnswer.objects.values_list("pk", "etag"))
    ChangeOutbox.objects.create(tenant=tenant, kind=OutboxKind.PRODUCT, object_id=product.pk)
    stats = outbox_drain(tenant_id=tenant.pk)
    assert stats.answers_written == 0 and stats.products == 1
    assert list(ShopAnswer.objects.values_list("pk", "etag")) == before


def test_rebuild_command_restores_a_lost_read_model_and_is_a_no_op_after(
    tenant, published, shop, capsys
):
    from django.core.management import call_command

    product, photo = published
    ShopAnswer.objects.filter(tenant=tenant).delete()
    call_command("read_model_rebuild", "--tenant", "acme", "--chunk", "1")
    assert "acme: 1 products, 1 answers written" in capsys.readouterr().out
    assert shop("MUG-001")["default_image"]["id"] == photo.pk
    call_command("read_model_rebuild", "--all")
    assert "acme: 1 products, 0 answers written" in capsys.readouterr().out


def test_rebuild_command_refuses_an_unknown_tenant():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="Unknown tenant"):
        call_command("read_model_rebuild", "--tenant", "nope")

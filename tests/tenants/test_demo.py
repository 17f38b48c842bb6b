"""The demo loader: two isolated tenants with catalog and drawn media; re-running changes nothing."""

import pytest
from django.core.management import call_command

from catalog.models import Category, Product, Variant
from media_library.models import MediaItem, MediaKind
from tenants.models import Channel, Locale, Membership, Tenant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("renditions_rendered_once")]


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Tenant, Channel, Locale, Membership, Product, Variant, Category, MediaItem)
    }


def test_load_demo_builds_both_tenants_and_prints_logins(capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "demo / mediahub-demo" in out and "admin of tenant 'demo'" in out

    demo = Tenant.objects.get(slug="demo")
    assert Tenant.objects.filter(slug="acme").exists()
    assert set(Channel.objects.filter(tenant=demo).values_list("code", flat=True)) == {
        "omnichannel",
        "web",
        "pos",
    }
    assert set(Locale.objects.filter(tenant=demo).values_list("code", flat=True)) == {
        "neutral", "en-us", "fr-fr", "de-de"
    }  # fmt: skip
    shirt = Product.objects.get(tenant=demo, number="SHIRT-001")
    assert shirt.kind == "master" and shirt.variants.count() == 18
    assert Variant.objects.filter(tenant=demo, number="SHIRT-001-BLUE-M-SLIM").exists()
    assert Product.objects.filter(tenant=demo, kind="simple").count() >= 3
    assert Category.objects.filter(tenant=demo, channel__code="web").exists()
    assert Category.objects.filter(tenant=demo, channel__code="pos").exists()
    kinds = set(MediaItem.objects.filter(tenant=demo).values_list("kind", flat=True))
    assert {MediaKind.IMAGE, MediaKind.DOCUMENT} <= kinds
    # The demo user is a tenant admin of demo only: acme stays invisible to it (R1).
    assert list(
        Membership.objects.filter(user__username="demo").values_list("tenant__slug", flat=True)
    ) == ["demo"]


def test_load_demo_twice_changes_nothing(capsys):
    call_command("load_demo")
    first = _counts()
    capsys.readouterr()
    call_command("load_demo")
    assert _counts() == first
    assert "nothing changed" in capsys.readouterr().out


def test_demo_user_can_log_in_to_admin(client):
    call_command("load_demo")
    assert client.login(username="demo", password="mediahub-demo")
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/catalog/product/").status_code == 200


def test_demo_shop_api_serves_published_assignments(client):
    # R9-R11, R15: the demo answers on the shop read API out of the box.
    call_command("load_demo")
    base = "/api/v1/tenants/demo/channels/web"
    red = client.get(f"{base}/products/POLO-001-RED-M/media?locale=en-us").json()
    assert red["provenance"]["primary"]["scope"] == "dimension" and red["provenance"]["primary"][
        "values"
    ] == {"color": "Red"}
    assert red["default_image"]["alt_text"] == "Red piqué polo, front view"
    master = client.get(f"{base}/products/POLO-001/media?locale=en-us").json()
    assert (
        master["primary"][0]["kind"] == "video" and master["default_image"]["kind"] == "image"
    )  # R11
    assert [m["title"] for m in master["additional"]["specification-sheet"]] == [
        "Oxford shirt specification sheet"
    ]
    french = client.get(f"{base}/products/POLO-001-BLUE-S/media?locale=fr-fr").json()
    assert (
        french["provenance"]["primary"]["channel"] == "web" and len(french["primary"]) == 1
    )  # R10
    assert client.get(f"{base}/products/MUG-001/media").json()["default_image"] is not None
    accessories = Category.objects.get(tenant__slug="demo", channel__code="web", path="Accessories")
    assert (
        client.get(f"{base}/categories/{accessories.pk}/media").json()["default_image"] is not None
    )

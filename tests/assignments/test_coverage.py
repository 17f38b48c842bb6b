"""R9, R10 coverage: every variant (or simple product) x channel x locale, per slot own /
inherited from where / none, so gaps are seen before publishing."""

import pytest

from .factories import check_in, content, make_master, make_media, make_simple, slots

pytestmark = pytest.mark.django_db


def rows_by_key(body):
    return {(r["variant"], r["channel"], r["locale"]): r["slots"] for r in body["rows"]}


def test_coverage_of_a_master(tenant, editor, viewer, client_for):
    shirt = make_master(tenant, "SHIRT-001", {"color": ["Blue", "Red"]})
    image, manual = make_media(tenant), make_media(tenant, "document")
    check_in(
        tenant,
        shirt,
        editor,
        content(
            matrix=["color"],
            master=slots(
                primary=[image.pk], additional=[{"media": manual.pk, "purpose": "manual"}]
            ),
            dimensions=[{"values": {"color": "Blue"}, **slots(primary=[image.pk])}],
        ),
    )
    check_in(
        tenant,
        shirt,
        editor,
        content(variants=[{"variant": "SHIRT-001-RED", **slots(primary=[image.pk])}]),
        channel="web",
        locale="en-us",
    )
    response = client_for(viewer).get("/api/v1/tenants/acme/products/SHIRT-001/media/coverage")
    assert response.status_code == 200
    body = response.json()
    assert body["source"] == "draft"
    rows = rows_by_key(body)
    # 2 variants x 3 channels x 4 locales
    assert len(rows) == 24
    assert rows[("SHIRT-001-RED", "web", "en-us")] == {
        "primary": "own",
        "additional": "none",
        "swatches": "none",
    }
    # web/en-us governs alone: Blue has nothing there (severed), a gap to see
    assert rows[("SHIRT-001-BLUE", "web", "en-us")] == dict.fromkeys(
        ("primary", "additional", "swatches"), "none"
    )
    assert rows[("SHIRT-001-BLUE", "pos", "fr-fr")]["primary"] == {
        "scope": "dimension",
        "values": {"color": "Blue"},
        "channel": "omnichannel",
        "locale": "neutral",
    }
    assert rows[("SHIRT-001-RED", "omnichannel", "neutral")]["additional"] == {
        "scope": "master",
        "channel": "omnichannel",
        "locale": "neutral",
    }
    published = client_for(viewer).get(
        "/api/v1/tenants/acme/products/SHIRT-001/media/coverage?source=published"
    )
    assert set(map(str, rows_by_key(published.json()).values())) == {
        str(dict.fromkeys(("primary", "additional", "swatches"), "none"))
    }


def test_coverage_of_a_simple_product(tenant, editor, viewer, client_for):
    mug = make_simple(tenant, "MUG-001")
    image = make_media(tenant)
    check_in(tenant, mug, editor, content(master=slots(primary=[image.pk])))
    body = client_for(viewer).get("/api/v1/tenants/acme/products/MUG-001/media/coverage").json()
    rows = rows_by_key(body)
    assert rows[(None, "omnichannel", "neutral")]["primary"] == "own"
    assert rows[(None, "web", "en-us")]["primary"]["scope"] == "master"


def test_coverage_rejects_unknown_source(tenant, viewer, client_for):
    make_simple(tenant, "MUG-001")
    response = client_for(viewer).get(
        "/api/v1/tenants/acme/products/MUG-001/media/coverage?source=live"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "source"

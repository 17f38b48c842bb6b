"""R2, R7: the tenant's central dimension values and their swatches."""

import pytest

from catalog.models import DimensionValue
from media_library.models import MediaItem
from tests.catalog.factories import make_shirt

pytestmark = pytest.mark.django_db

URL = "/api/v1/tenants/acme/dimension-values/"


def make_media(tenant, kind: str = "image") -> MediaItem:
    return MediaItem.objects.create(
        tenant=tenant,
        kind=kind,
        file=f"swatch.{kind}",
        original_filename="swatch.png",
        display_name="swatch",
        mime_type="image/png",
        size=1,
        checksum="0" * 64,
    )


def blue(tenant) -> DimensionValue:
    return DimensionValue.objects.get(tenant=tenant, dimension="color", value="Blue")


def test_values_are_listed_and_filtered_by_dimension(tenant, other_tenant, viewer, client_for):
    make_shirt(tenant)
    make_shirt(other_tenant)

    response = client_for(viewer).get(URL + "?dimension=color")

    assert [(v["dimension"], v["value"]) for v in response.json()["results"]] == [
        ("color", "Blue"),
        ("color", "Red"),
    ]
    assert client_for(viewer).get(URL + "?dimension=weight").status_code == 400


def test_hex_swatch_is_set_and_then_replaced_by_an_image(tenant, editor, client_for):
    # R7: a central swatch is a colour or an image.
    make_shirt(tenant)
    value = blue(tenant)
    image = make_media(tenant)
    client = client_for(editor)

    by_hex = client.patch(f"{URL}{value.pk}/", {"swatch_hex": "#0000FF"}, format="json")
    by_image = client.patch(f"{URL}{value.pk}/", {"swatch_media": image.pk}, format="json")

    assert by_hex.status_code == 200 and by_hex.json()["swatch_hex"] == "#0000ff"
    assert by_image.status_code == 200
    value.refresh_from_db()
    assert (value.swatch_hex, value.swatch_media_id) == ("", image.pk)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"swatch_hex": "blue"}, "swatch_hex"),
        ({"swatch_hex": "#12345"}, "swatch_hex"),
        ({"swatch_media": 999999}, "swatch_media"),
        ({"swatch_media": "abc"}, "swatch_media"),
    ],
)
def test_bad_swatch_is_refused(tenant, editor, client_for, body, field):
    make_shirt(tenant)
    value = blue(tenant)

    response = client_for(editor).patch(f"{URL}{value.pk}/", body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    value.refresh_from_db()
    assert (value.swatch_hex, value.swatch_media_id) == ("", None)


def test_swatch_must_be_an_image(tenant, editor, client_for):
    make_shirt(tenant)
    video = make_media(tenant, kind="video")

    response = client_for(editor).patch(
        f"{URL}{blue(tenant).pk}/", {"swatch_media": video.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "swatch_media"


def test_other_tenants_media_answers_not_found(tenant, other_tenant, editor, client_for):
    # R1: another tenant's media id reads exactly like a missing one.
    make_shirt(tenant)
    foreign = make_media(other_tenant)

    foreign_answer = client_for(editor).patch(
        f"{URL}{blue(tenant).pk}/", {"swatch_media": foreign.pk}, format="json"
    )

    assert foreign_answer.status_code == 400
    assert foreign_answer.json()["errors"] == [
        {"field": "swatch_media", "reason": f"Media item {foreign.pk} not found."}
    ]
    assert blue(tenant).swatch_media_id is None


def test_other_tenants_value_answers_404(tenant, other_tenant, editor, client_for):
    # R1
    make_shirt(other_tenant)
    theirs = blue(other_tenant)

    response = client_for(editor).patch(
        f"{URL}{theirs.pk}/", {"swatch_hex": "#000000"}, format="json"
    )

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.swatch_hex == ""


def test_viewer_cannot_set_swatch(tenant, viewer, client_for):
    make_shirt(tenant)

    response = client_for(viewer).patch(
        f"{URL}{blue(tenant).pk}/", {"swatch_hex": "#000000"}, format="json"
    )

    assert response.status_code == 403 and blue(tenant).swatch_hex == ""

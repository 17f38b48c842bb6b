"""R10: category media is channel-specific only, one default image per category per channel."""

import pytest

from assignments import services
from assignments.models import CategoryMedia

from .factories import make_category, make_media

pytestmark = pytest.mark.django_db


def url(category, channel="web"):
    return f"/api/v1/tenants/acme/categories/{category.pk}/media?channel={channel}"


def test_set_and_read_category_image(tenant, editor, publisher, viewer, client_for):
    category = make_category(tenant, "web", "Shirts")
    image = make_media(tenant)
    response = client_for(editor).put(url(category), {"media": image.pk}, format="json")
    assert response.status_code == 200, response.json()
    body = client_for(viewer).get(url(category)).json()
    assert (body["draft"], body["published"], body["channel"]) == (image.pk, None, "web")
    services.category_media_publish(tenant=tenant, category=category, user=publisher)
    assert client_for(viewer).get(url(category)).json()["published"] == image.pk
    response = client_for(editor).put(url(category), {"media": None}, format="json")
    assert response.json()["draft"] is None and response.json()["published"] == image.pk
    assert CategoryMedia.objects.count() == 1


@pytest.mark.parametrize(
    ("case", "status", "field"),
    [
        ("wrong-channel", 400, "channel"),
        ("no-channel", 400, "channel"),
        ("video", 400, "media"),
        ("unknown", 400, "media"),
        ("foreign-media", 400, "media"),
        ("foreign-category", 404, "category"),
        ("missing-media-key", 400, "media"),
    ],
)
def test_bad_category_media_is_refused(
    tenant, other_tenant, editor, client_for, case, status, field
):
    category = make_category(tenant, "web", "Shirts")
    media = make_media(tenant)
    body = {"media": media.pk}
    target = url(category)
    if case == "wrong-channel":
        target = url(category, "pos")
    elif case == "no-channel":
        target = f"/api/v1/tenants/acme/categories/{category.pk}/media"
    elif case == "video":
        body = {"media": make_media(tenant, "video").pk}
    elif case == "unknown":
        body = {"media": 987654}
    elif case == "foreign-media":
        body = {"media": make_media(other_tenant).pk}
    elif case == "foreign-category":
        target = url(make_category(other_tenant, "web", "Shirts"))
    elif case == "missing-media-key":
        body = {}
    response = client_for(editor).put(target, body, format="json")
    assert response.status_code == status, response.json()
    assert response.json()["errors"][0]["field"] == field
    assert not CategoryMedia.objects.exists()


def test_viewer_cannot_set_category_media(tenant, viewer, client_for):
    category = make_category(tenant)
    response = client_for(viewer).put(url(category), {"media": None}, format="json")
    assert response.status_code == 403

"""R1: every tenant API, tried with another tenant's slug and ids, answers 404 and changes nothing.

The route table below must name every route under /api/v1/tenants/{tenant}/: a new endpoint
without an entry here fails `test_every_tenant_route_is_covered`.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assignments.services import category_media_set
from catalog.models import DimensionValue
from catalog.services import category_create
from publishing.groups import group_create
from publishing.services import products_publish
from tenants.jobs.services import job_create
from tenants.models import Channel, Role
from tests.factories import make_member
from tests.publishing import builders as b
from tests.webhooks.helpers import webhook_with_delivery

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
PUBLIC = {
    "shop-default-images",
    "shop-product-media",
    "shop-category-media",
}  # published content, by design
# Named by the caller's own tenant (codes, usernames): they address the caller's objects, not ids.
NAMED_BY_CODE = {"channel-detail", "locale-detail", "member-detail"}


@pytest.fixture
def globex_objects(other_tenant):
    """A full set of globex objects: catalog, media, a published document, category image, job, group."""
    owner = make_member(other_tenant, Role.ADMIN, "gina")
    from catalog.services import product_create

    shirt = product_create(
        tenant=other_tenant,
        number="G-SHIRT",
        name="Globex shirt",
        kind="master",
        dimensions={"color": ["Blue"]},
        variants=[{"number": "G-SHIRT-BLUE", "values": {"color": "Blue"}}],
    )
    image = b.image(other_tenant, owner, "globex-photo")
    b.checkin(other_tenant, shirt, owner, {"master": b.slots([image])})
    products_publish(
        tenant=other_tenant, product_ids=[shirt.pk], user=owner, publish_dependencies=True
    )
    web = Channel.objects.get(tenant=other_tenant, code="web")
    category = category_create(tenant=other_tenant, channel=web, name="Globex shirts")
    category_media_set(tenant=other_tenant, category=category, media_id=image.pk, user=owner)
    return {
        "number": "G-SHIRT",
        "variant_number": "G-SHIRT-BLUE",
        "media": image.pk,
        "category": category.pk,
        "dimension-value": DimensionValue.objects.get(tenant=other_tenant, value="Blue").pk,
        "job": job_create(tenant=other_tenant, kind="publish", user=owner).pk,
        "publish-group": group_create(tenant=other_tenant, user=owner, name="Globex group").pk,
        **webhook_with_delivery(other_tenant),
    }


def _tenant_routes() -> dict[str, list[str]]:
    """Route name -> its URL keyword arguments, for every route under the tenant API prefix."""
    found: dict[str, list[str]] = {}

    def walk(patterns, prefix, params):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            names = params + list(pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route, names)
            elif isinstance(pattern, URLPattern) and route.startswith(
                "api/v1/tenants/<slug:tenant>"
            ):
                found[pattern.name] = names

    walk(get_resolver().url_patterns, "", [])
    return found


def _kwargs(name: str, params: list[str], ids: dict, tenant: str) -> dict:
    values = {"tenant": tenant, "channel": "web", "code": "web", "username": "gina", "version": 1}
    for param in params:
        if param in ("number", "variant_number"):
            values[param] = ids[param]
        elif param == "category_id":
            values[param] = ids["category"]
        elif param == "delivery":
            values[param] = ids["delivery"]
        elif param == "pk":
            values[param] = ids[
                name.rsplit("-", 1)[0] if name.rsplit("-", 1)[0] in ids else name.split("-")[0]
            ]
    return {p: values[p] for p in params}


def _snapshot() -> dict:
    """Every row of every project model: nothing may change by a refused request."""
    labels = ("tenants", "catalog", "media_library", "assignments", "publishing", "webhooks")
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_label in labels
    }


def test_every_tenant_route_is_covered():
    for name, params in _tenant_routes().items():
        for param in params:
            assert param in {
                "tenant",
                "number",
                "variant_number",
                "pk",
                "category_id",
                "channel",
                "code",
                "username",
                "version",
                "delivery",
            }, f"route {name} has a parameter '{param}' the isolation suite does not know"


def test_a_tenant_the_user_is_not_in_answers_404_everywhere(
    tenant, globex_objects, admin_user, client_for
):
    client = client_for(admin_user)  # admin of acme only
    before = _snapshot()
    for name, params in _tenant_routes().items():
        if name in PUBLIC:
            continue
        url = reverse(name, kwargs=_kwargs(name, params, globex_objects, "globex"))
        for method in METHODS:
            response = getattr(client, method)(url, {}, format="json")
            assert response.status_code in (404, 405), (
                f"{method.upper()} {url} -> {response.status_code}"
            )
    assert _snapshot() == before


def test_another_tenants_ids_answer_404_in_ones_own_tenant(
    tenant, globex_objects, admin_user, client_for
):
    client = client_for(admin_user)
    before = _snapshot()
    tried = 0
    for name, params in _tenant_routes().items():
        if name in NAMED_BY_CODE or not (set(params) - {"tenant", "channel"}):
            continue  # list routes carry no foreign id
        tried += 1
        url = (
            reverse(name, kwargs=_kwargs(name, params, globex_objects, "acme"))
            + "?channel=web&locale=en-us"
        )
        for method in METHODS:
            response = getattr(client, method)(url, {}, format="json")
            assert response.status_code in (404, 405), (
                f"{method.upper()} {url} -> {response.status_code}"
            )
    assert _snapshot() == before


def test_another_tenants_ids_in_bodies_are_refused(tenant, globex_objects, admin_user, client_for):
    client = client_for(admin_user)
    web = Channel.objects.get(tenant=tenant, code="web")
    mine = category_create(tenant=tenant, channel=web, name="Mine")
    before = _snapshot()
    response = client.put(
        f"/api/v1/tenants/acme/categories/{mine.pk}/media?channel=web",
        {"media": globex_objects["media"]},
        format="json",
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "media"
    response = client.post(
        "/api/v1/tenants/acme/publish-groups/",
        {"name": "x", "products": [globex_objects["number"]]},
        format="json",
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "products"
    assert _snapshot() == before


def test_another_tenants_delivery_under_ones_own_webhook_answers_404(
    tenant, globex_objects, admin_user, client_for
):  # R1, R28: the delivery id is looked up within the webhook, within the tenant
    from webhooks.models import WebhookEndpoint

    mine = WebhookEndpoint.objects.create(
        tenant=tenant, url="https://hooks.acme.example/in", events=["job.finished"], secret="x"
    )
    client = client_for(admin_user)
    before = _snapshot()
    base = f"/api/v1/tenants/acme/webhooks/{mine.pk}/deliveries/{globex_objects['delivery']}"
    assert client.get(base).status_code == 404
    assert client.post(f"{base}/redeliver").status_code == 404
    assert _snapshot() == before

"""R30 and SPEC §3: tracebacks never reach callers; every /api/ error is JSON in the shared
format, with DEBUG on or off; slashless writes work like their slashed form."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.views import LoginView
from django.test import Client

from catalog.models import Product
from media_library.models import MediaItem
from tenants.api.views import HealthApi
from tests.catalog.factories import shirt_body
from tests.media_library.samples import image_bytes, upload_file

pytestmark = pytest.mark.django_db

SECRET = "db password is hunter2"


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def _shared_format(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and body["detail"]
    assert body["errors"] == [{"field": None, "reason": body["detail"]}]
    return body


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nope",
        "/api/v1/tenants/acme/nope/",
        "/api/v1/tenants/acme/media/not-a-number/",
        "/api/nothing",
    ],
)
def test_unmatched_api_paths_answer_json_404(debug, tenant, editor, path):  # §3
    client = Client()
    client.force_login(editor)
    for method in ("get", "post", "delete"):
        _shared_format(getattr(client, method)(path), 404, "not_found")


@pytest.fixture
def crashing_api(monkeypatch):
    def crash(self, request, *args, **kwargs):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(HealthApi, "get", crash)


def test_an_api_crash_is_json_without_traceback(debug, crashing_api, admin_user):  # R30
    admin_user.is_superuser = admin_user.is_staff = True
    admin_user.save()
    for user in (None, admin_user):  # not even a superuser gets a traceback from the API
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        response = client.get("/api/v1/health")
        _shared_format(response, 500, "server_error")
        assert SECRET not in response.content.decode()
        assert "Traceback" not in response.content.decode()


@pytest.fixture
def crashing_page(monkeypatch):
    def crash(self, request, *args, **kwargs):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(LoginView, "get", crash)


def test_a_page_crash_shows_no_traceback_to_callers(debug, crashing_page, editor):  # R30
    for user in (None, editor):
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        response = client.get("/accounts/login/")
        assert response.status_code == 500
        text = response.content.decode()
        assert SECRET not in text and "Traceback" not in text


def test_a_superuser_sees_the_debug_traceback(settings, crashing_page):  # R30
    settings.DEBUG = True
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client = Client(raise_request_exception=False)
    client.force_login(root)
    response = client.get("/accounts/login/")
    assert response.status_code == 500 and SECRET in response.content.decode()


def test_slashless_writes_work(
    debug, tenant, editor, client_for, django_capture_on_commit_callbacks
):
    # §3: POST .../products and POST .../media behave as with the trailing slash
    client = client_for(editor)
    created = client.post("/api/v1/tenants/acme/products", shirt_body(), format="json")
    assert created.status_code == 201, created.content[:500]
    assert Product.objects.filter(tenant=tenant, number="SHIRT-001").exists()
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = client.post(
            "/api/v1/tenants/acme/media",
            {
                "file": upload_file("shirt.jpg", image_bytes()),
                "title": "Shirt",
                "alt_text": "A shirt",
            },
            format="multipart",
        )
    assert uploaded.status_code == 201, uploaded.content[:500]
    assert MediaItem.objects.filter(tenant=tenant).count() == 1
    listed = client.get("/api/v1/tenants/acme/products")
    assert listed.status_code == 200 and listed.json()["count"] == 1
    item = MediaItem.objects.get(tenant=tenant)
    patched = client.patch(
        f"/api/v1/tenants/acme/media/{item.pk}", {"title": "Oxford"}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["title"] == "Oxford"
    assert client.get("/api/v1/health/").status_code == 200  # and the other way round


def test_slashless_writes_keep_the_csrf_check(tenant, editor):  # R30
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(
        "/api/v1/tenants/acme/products", shirt_body(), content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Product.objects.filter(tenant=tenant).exists()


@pytest.mark.parametrize(
    "method, path, params",
    [
        ("post", "products/MUG-001/media/publish/", {"locale": "en\x00"}),
        ("get", "media/", {"q": "a\x00b"}),
        ("get", "channels/web/products/MUG-001/media", {"loc\x00ale": "x"}),
    ],
)
def test_a_nul_in_a_query_parameter_is_a_400_naming_it(
    tenant, publisher, client_for, method, path, params
):  # §3: PostgreSQL refuses NUL in text; the fuzzer found a 500 on the publish locale
    client = client_for(publisher)
    query = "&".join(f"{k}={v}" for k, v in params.items()).replace("\x00", "%00")
    response = getattr(client, method)(f"/api/v1/tenants/acme/{path}?{query}")
    assert response.status_code == 400, response.content
    field = next(iter(params)).replace("\x00", "")
    assert response.json()["errors"] == [
        {"field": field, "reason": "Contains a NUL character, which no value may hold."}
    ]

"""R30 and issue 12: the OpenAPI schema documents every answer the API gives (scripts/fuzz
checks it against a running server), and what the fuzzer found answers 4xx, never 500."""

from __future__ import annotations

import pytest

from publishing.models import PublishGroup
from tenants.models import Channel

pytestmark = pytest.mark.django_db

API = "/api/v1/tenants/acme"


@pytest.fixture
def schema(client_for):
    response = client_for(None).get("/api/schema/?format=json")
    assert response.status_code == 200
    import json

    return json.loads(response.content)


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def test_every_operation_documents_the_shared_errors(schema):
    assert {"detail", "code", "errors"} <= set(schema["components"]["schemas"]["Error"]["required"])
    missing = []
    for path, method, operation in _operations(schema):
        expected = {"400", "404"}
        if any(operation.get("security", [])):
            expected |= {"401", "403"}
        if method != "get":
            expected.add("409")
        if "202" in operation["responses"]:
            expected.add("503")  # a job start refused while the queue is down
        if not expected <= set(operation["responses"]):
            missing.append((method, path, sorted(expected - set(operation["responses"]))))
    assert missing == []


def test_public_reads_do_not_claim_401_or_403(schema):
    shop = schema["paths"]["/api/v1/tenants/{tenant}/channels/{channel}/products/{number}/media"]
    assert not {"401", "403"} & set(shop["get"]["responses"])


def test_nullable_fields_are_declared_nullable(schema):
    group = schema["components"]["schemas"]["PublishGroupOutput"]["properties"]
    assert group["channel"].get("nullable") and group["locale"].get("nullable")
    assert group["last_job"].get("nullable")
    job = schema["components"]["schemas"]["JobOutput"]["properties"]
    assert job["created_by"].get("nullable")


def test_a_group_without_context_or_job_answers_nulls(tenant, publisher, client_for):
    group = PublishGroup.objects.create(tenant=tenant, name="Everywhere")
    body = client_for(publisher).get(f"{API}/publish-groups/{group.pk}/").json()
    assert body["channel"] is None and body["locale"] is None and body["last_job"] is None


def test_documented_success_codes_match(schema):
    purposes = schema["paths"]["/api/v1/tenants/{tenant}/purposes/"]["post"]["responses"]
    assert "201" in purposes and "200" not in purposes
    export = schema["paths"]["/api/v1/tenants/{tenant}/manifests/export/"]["get"]["responses"]
    assert {"text/tab-separated-values", "application/zip"} <= set(export["200"]["content"])


def test_a_job_start_with_a_json_list_is_a_400_not_a_500(admin_user, client_for):
    response = client_for(admin_user).post(f"{API}/jobs/", [None, None], format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "kind"


def test_deleting_a_channel_a_publish_group_uses_is_a_409_not_a_500(
    tenant, admin_user, client_for
):  # R22
    web, _ = Channel.objects.get_or_create(tenant=tenant, code="web", defaults={"name": "Web"})
    PublishGroup.objects.create(tenant=tenant, name="Web drop", channel=web)
    response = client_for(admin_user).delete(f"{API}/channels/web/?confirm=true")
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "conflict"
    assert body["used_by"][0]["model"] == "publishing.publishgroup"
    assert Channel.objects.filter(pk=web.pk).exists()


@pytest.mark.parametrize("method", ["post", "patch"])
def test_a_category_position_beyond_the_column_is_a_400_not_a_500(
    tenant, admin_user, client_for, method
):  # found by scripts/fuzz on PostgreSQL: "integer out of range"
    from catalog.models import Category

    Channel.objects.get_or_create(tenant=tenant, code="web", defaults={"name": "Web"})
    client = client_for(admin_user)
    too_far = 2**40
    if method == "post":
        response = client.post(
            f"{API}/categories/",
            {"channel": "web", "name": "Shirts", "position": too_far},
            format="json",
        )
    else:
        made = client.post(
            f"{API}/categories/", {"channel": "web", "name": "Shirts"}, format="json"
        )
        assert made.status_code == 201, made.content
        response = client.patch(
            f"{API}/categories/{made.json()['id']}/", {"position": too_far}, format="json"
        )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "position"
    assert not Category.objects.filter(position=too_far).exists()


def test_a_job_result_documents_the_types_it_is_served_as(schema):  # found by scripts/fuzz
    result = schema["paths"]["/api/v1/tenants/{tenant}/jobs/{id}/result/"]["get"]["responses"]
    assert {"text/tab-separated-values", "application/zip"} <= set(result["200"]["content"])

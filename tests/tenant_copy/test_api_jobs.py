"""R16, R19: a tenant copy started through the jobs API runs as a job that the jobs list
shows with its status, progress, counts and unmatched items."""

import pytest

from tests.tenant_copy.conftest import dest_item

pytestmark = pytest.mark.django_db


def test_api_starts_a_copy_job_listed_with_counts(  # R16, R19
    other_tenant, source, root, client_for, django_capture_on_commit_callbacks
):
    client = client_for(root)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/tenants/globex/jobs/",
            {
                "kind": "copy",
                "source": "acme",
                "conflict": "replace",
                "versions": "published-and-draft",
                "channel_map": {"web": "web"},
                "drop_locales": ["de-de"],
            },
            format="json",
        )
    assert response.status_code == 202, response.content
    started = response.json()
    assert started["kind"] == "copy" and started["status"] == "queued"

    listed = client.get("/api/v1/tenants/globex/jobs/?kind=copy").json()["results"]
    assert [job["id"] for job in listed] == [started["id"]]
    job = listed[0]
    assert job["status"] == "succeeded"
    assert job["progress_done"] == job["progress_total"] > 0
    assert job["counts"]["media_created"] == 6
    assert job["counts"]["documents_created"] == 2
    assert job["counts"]["unmatched_products"] == 1
    assert any("MUG-001" in error for error in job["errors"])
    # The source's jobs list does not show it (R1).
    assert client.get("/api/v1/tenants/acme/jobs/?kind=copy").json()["results"] == []
    # And the destination serves what was copied.
    shop = (
        client_for(None)
        .get("/api/v1/tenants/globex/channels/web/products/SHIRT-001/media?locale=en-us")
        .json()
    )
    assert [m["id"] for m in shop["primary"]] == [dest_item(other_tenant, source.back).pk]

"""Issue 15 item 7 (R16, R19): jobs and publish groups are read in plain words. The labels
live on the server (the models' choices) and the API serves them as `kind_label` and
`status_label`, so no page keeps a dictionary of its own."""

import pytest

from media_library.models import MediaItem
from publishing.models import PublishGroup
from publishing.services import media_dependency
from tenants.jobs.services import job_create, job_fail, job_start, job_succeed
from tenants.models import JobKind

pytestmark = pytest.mark.django_db

API = "/api/v1/tenants/acme"


def test_the_jobs_api_labels_kind_and_status(tenant, publisher, client_for):
    done = job_create(tenant=tenant, kind=JobKind.PUBLISH, user=publisher, description="a")
    job_start(job=done, total=1)
    job_succeed(job=done, counts={})
    broken = job_create(tenant=tenant, kind=JobKind.IMPORT, user=publisher, description="b")
    job_start(job=broken, total=1)
    job_fail(job=broken, error="boom")
    waiting = job_create(tenant=tenant, kind=JobKind.EXPORT, user=publisher, description="c")

    rows = client_for(publisher).get(f"{API}/jobs/").json()["results"]
    words = {r["id"]: (r["kind"], r["kind_label"], r["status"], r["status_label"]) for r in rows}
    assert words[done.pk] == ("publish", "Publishing", "succeeded", "Finished")
    assert words[broken.pk] == ("import", "Import manifest", "failed", "Failed — retry?")
    assert words[waiting.pk] == ("export", "Export manifest", "queued", "Waiting to start")

    one = client_for(publisher).get(f"{API}/jobs/{done.pk}/").json()
    assert one["status_label"] == "Finished" and one["kind_label"] == "Publishing"


def test_a_publish_group_has_a_status_label(tenant, publisher, client_for):
    group = PublishGroup.objects.create(tenant=tenant, name="Spring")
    body = client_for(publisher).get(f"{API}/publish-groups/{group.pk}/").json()
    assert body["status"] == "open" and body["status_label"] == "Open (collecting products)"


def test_media_dependencies_are_listed_in_words(tenant):
    item = MediaItem(tenant=tenant, kind="image", status="draft", title="Shirt front")
    described = media_dependency(item)
    assert (described["kind_label"], described["status_label"]) == ("Image", "Draft")


def test_the_schema_documents_the_labels():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    job = schema["components"]["schemas"]["JobOutput"]["properties"]
    group = schema["components"]["schemas"]["PublishGroupOutput"]["properties"]
    assert job["kind_label"]["readOnly"] and job["status_label"]["readOnly"]
    assert group["status_label"]["readOnly"]

"""R16, R19: long work is a job with status, progress, counts, errors and history, listed per
tenant (the ground floor's Job row, tenants.models)."""

import pytest
from django.core.files.base import ContentFile

from tenants.jobs.services import ProgressReporter, job_create, job_fail, job_start, job_succeed
from tenants.models import Job, JobKind, JobStatus

pytestmark = pytest.mark.django_db


def test_job_lifecycle_records_progress_counts_and_retry(tenant, editor):
    job = job_create(
        tenant=tenant, kind=JobKind.PUBLISH, user=editor, description="Publish SHIRT-001"
    )
    assert job.status == JobStatus.QUEUED and job.created_by == editor

    job_start(job=job, total=10)
    reporter = ProgressReporter(job)
    for _ in range(10):
        reporter.advance()
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total, job.percent) == (
        "running",
        10,
        10,
        100,
    )

    job_fail(job=job, error="boom")
    job.refresh_from_db()
    assert job.status == "failed" and job.errors == ["boom"] and job.finished_at is not None

    # A retry starts over, keeps the count of attempts, and clears the old errors.
    job_start(job=job, total=4)
    job_succeed(job=job, counts={"published": 4})
    job.refresh_from_db()
    assert (job.status, job.attempts, job.errors, job.counts, job.progress_done) == (
        "succeeded",
        2,
        [],
        {"published": 4},
        4,
    )


def test_jobs_list_is_tenant_scoped_and_filterable(tenant, other_tenant, viewer, client_for):
    # R1: another tenant's jobs are never listed, and their ids answer 404.
    mine = job_create(tenant=tenant, kind=JobKind.PUBLISH, user=None, description="mine")
    job_create(tenant=tenant, kind=JobKind.IMPORT, user=None, description="import")
    theirs = job_create(tenant=other_tenant, kind=JobKind.PUBLISH, user=None, description="theirs")
    client = client_for(viewer)

    response = client.get("/api/v1/tenants/acme/jobs/?kind=publish")
    assert response.status_code == 200
    assert [j["id"] for j in response.json()["results"]] == [mine.pk]
    assert client.get(f"/api/v1/tenants/acme/jobs/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/tenants/acme/jobs/{mine.pk}/").json()["description"] == "mine"


def test_job_result_file_downloads(tenant, viewer, client_for):
    job = job_create(tenant=tenant, kind=JobKind.IMPORT, user=None)
    job.result_file.save("result.tsv", ContentFile(b"Result\tErrorCode\nSucceeded\t\n"))
    client = client_for(viewer)
    detail = client.get(f"/api/v1/tenants/acme/jobs/{job.pk}/").json()
    assert detail["result_url"].endswith(f"/jobs/{job.pk}/result")
    response = client.get(f"/api/v1/tenants/acme/jobs/{job.pk}/result/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"Result\tErrorCode")


def test_job_without_result_answers_404_with_reason(tenant, viewer, client_for):
    job = job_create(tenant=tenant, kind=JobKind.IMPORT, user=None)
    response = client_for(viewer).get(f"/api/v1/tenants/acme/jobs/{job.pk}/result/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "result"


def test_only_startable_kinds_are_started_through_the_jobs_api(tenant, admin_user, client_for):
    response = client_for(admin_user).post(
        "/api/v1/tenants/acme/jobs/", {"kind": "publish"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "kind" and "copy" in response.json()["detail"]
    assert Job.objects.count() == 0

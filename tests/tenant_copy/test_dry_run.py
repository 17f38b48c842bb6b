"""R19 --dry-run: prints what would be created, replaced, skipped and unmatched; writes
nothing (no rows, no job, no files)."""

import os

import pytest
from django.conf import settings

from tenants.models import Job
from tests.tenant_copy.conftest import snapshot, upload

pytestmark = pytest.mark.django_db


def test_dry_run_writes_nothing_and_reports_what_it_would_do(  # R19
    tenant, other_tenant, source, root, copy_command
):
    upload(other_tenant, root, 1, "mine", title="Destination title")  # `front` exists already
    before = snapshot(other_tenant), snapshot(tenant)
    files_before = sorted(os.listdir(os.path.join(settings.MEDIA_ROOT, "tenants")))

    out = copy_command("--dry-run", "--conflict", "replace", "--versions", "published-and-draft")

    assert (snapshot(other_tenant), snapshot(tenant)) == before
    assert not Job.objects.exists()
    assert sorted(os.listdir(os.path.join(settings.MEDIA_ROOT, "tenants"))) == files_before
    assert not os.path.exists(
        os.path.join(settings.MEDIA_ROOT, "tenants", str(other_tenant.pk), "renditions")
    )
    assert "Dry run, nothing written" in out
    assert "media_created: 5" in out and "media_replaced: 1" in out
    assert "documents_created: 2" in out and "categories_created: 1" in out
    assert "purposes_created: 1" in out
    assert "product MUG-001: not in the destination catalog." in out


def test_dry_run_through_the_api_records_a_job_but_writes_no_content(  # R19
    other_tenant, source, root, client_for, django_capture_on_commit_callbacks
):
    before = snapshot(other_tenant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(root).post(
            "/api/v1/tenants/globex/jobs/",
            {"kind": "copy", "source": "acme", "dry_run": True},
            format="json",
        )
    assert response.status_code == 202
    assert snapshot(other_tenant) == before
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == "succeeded" and job.counts["media_created"] == 6

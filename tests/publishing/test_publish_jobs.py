"""R16: publish runs as a job; a failure midway leaves the old state readable, a retry completes."""

import pytest

from publishing import projection, services
from tenants.models import ChangeOutbox, Job
from tests.publishing import builders as b

pytestmark = pytest.mark.django_db


def test_failed_publish_keeps_old_state_and_retry_completes(
    tenant,
    editor,
    publisher,
    publish,
    shop,
    client_for,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    product = b.mug(tenant)
    old, new = b.image(tenant, editor, "old"), b.image(tenant, editor, "new")
    b.checkin(tenant, product, editor, {"master": b.slots([old])})
    assert publish("MUG-001", publish_dependencies=True).json()["status"] == "succeeded"
    assert shop("MUG-001")["primary"][0]["id"] == old.pk

    # Given a fault injected in the middle of publishing (after a document was written),
    b.checkin(tenant, product, editor, {"master": b.slots([new])})
    real = services.document_publish_content

    def broken(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "document_publish_content", broken)
    response = publish("MUG-001", publish_dependencies=True)

    # then the job failed with the reason, and shops still read the previous state, fully.
    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "failed" and "disk on fire" in job["errors"][0]
    assert shop("MUG-001")["primary"][0]["id"] == old.pk
    new.refresh_from_db()
    assert new.status == "draft"  # the dependency publish was rolled back too

    # When the fault is gone and the job is retried, it completes.
    monkeypatch.setattr(services, "document_publish_content", real)
    with django_capture_on_commit_callbacks(execute=True):
        retried = client_for(publisher).post(f"/api/v1/tenants/acme/jobs/{job['id']}/retry")
    assert retried.status_code == 202
    assert Job.objects.get(pk=job["id"]).status == "succeeded"
    assert Job.objects.get(pk=job["id"]).attempts == 2
    assert shop("MUG-001")["primary"][0]["id"] == new.pk


def test_only_failed_jobs_can_be_retried(tenant, editor, publisher, publish, client_for):
    product = b.mug(tenant)
    b.checkin(tenant, product, editor, {"master": b.slots([b.image(tenant, editor, "x")])})
    job = publish("MUG-001", publish_dependencies=True).json()
    response = client_for(publisher).post(f"/api/v1/tenants/acme/jobs/{job['id']}/retry")
    assert response.status_code == 409 and "succeeded" in response.json()["detail"]


def test_job_records_who_what_progress_and_counts(tenant, editor, publisher, publish, client_for):
    product = b.shirt(tenant)
    b.checkin(tenant, product, editor, {"master": b.slots([b.image(tenant, editor, "s")])})
    job = publish("SHIRT-001", publish_dependencies=True).json()
    listed = client_for(editor).get("/api/v1/tenants/acme/jobs/").json()["results"][0]
    assert (
        listed["id"] == job["id"] and listed["kind"] == "publish" and listed["created_by"] == "pia"
    )
    assert listed["percent"] == 100 and listed["counts"]["documents_published"] == 1
    assert listed["started_at"] and listed["finished_at"]


def test_task_delivered_twice_runs_the_job_once(tenant, editor, publisher, publish):
    from tenants.tasks import job_run

    product = b.mug(tenant)
    b.checkin(tenant, product, editor, {"master": b.slots([b.image(tenant, editor, "y")])})
    job = publish("MUG-001", publish_dependencies=True).json()
    assert job_run(job["id"]) == "skipped"
    assert Job.objects.get(pk=job["id"]).attempts == 1


def test_projection_fault_after_commit_keeps_old_answers_whole_and_is_drained_later(
    tenant, editor, publish, shop, monkeypatch
):
    # R21: the publish commits; if its projection fails, the outbox keeps the note, shops
    # keep the previous answer (never half of one), and the next drain catches up.
    product = b.mug(tenant)
    old, new = b.image(tenant, editor, "old"), b.image(tenant, editor, "new")
    b.checkin(tenant, product, editor, {"master": b.slots([old])})
    publish("MUG-001", publish_dependencies=True)
    b.checkin(tenant, product, editor, {"master": b.slots([new])})
    real = projection._project_chunk

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(projection, "_project_chunk", broken)
    assert publish("MUG-001", publish_dependencies=True).json()["status"] == "succeeded"
    assert shop("MUG-001")["primary"][0]["id"] == old.pk
    assert ChangeOutbox.objects.filter(tenant=tenant, object_id=product.pk).exists()

    monkeypatch.setattr(projection, "_project_chunk", real)
    from publishing.drain import outbox_drain

    outbox_drain(tenant_id=tenant.pk)
    assert shop("MUG-001")["primary"][0]["id"] == new.pk
    assert not ChangeOutbox.objects.filter(tenant=tenant).exists()

"""R16 with a real Celery worker over Redis on PostgreSQL: publish, then the shop API shows it.

Runs in the second pass of .ci/run (CELERY_BROKER_URL + DATABASE_URL); skipped elsewhere.
"""

import time

import pytest

from tenants.models import Job
from tests.publishing import builders as b

pytestmark = pytest.mark.worker


def test_worker_publishes_and_read_api_shows_it(live_worker, tenant, editor, publisher, client_for):
    product = b.mug(tenant)
    photo = b.image(tenant, editor, "photo")
    b.checkin(tenant, product, editor, {"master": b.slots([photo])})

    response = client_for(publisher).post(
        "/api/v1/tenants/acme/products/MUG-001/media/publish?channel=omnichannel&locale=neutral",
        {"publish_dependencies": True},
        format="json",
    )
    assert response.status_code == 202
    job_id = response.json()["id"]

    shop = client_for(None)
    deadline = time.monotonic() + 30
    body = None
    while time.monotonic() < deadline:
        body = shop.get(
            "/api/v1/tenants/acme/channels/web/products/MUG-001/media?locale=en-us"
        ).json()
        if body["default_image"]:
            break
        time.sleep(0.1)
    assert body["default_image"]["id"] == photo.pk, Job.objects.get(pk=job_id).errors
    job = Job.objects.get(pk=job_id)
    assert job.status == "succeeded" and job.counts["documents_published"] == 1

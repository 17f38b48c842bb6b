"""The production topology on this machine (issue 13 part 5, R21): two web processes (the
Procfile's `web`, on two ports) and a worker, on PostgreSQL, Redis and a local S3 endpoint
(moto's server) with a private and a public bucket. A publish sent to web A is served by
web B, whose two workers had the old answer cached (read repeatedly), with the published photo on the
public bucket and its original private.

The 1 s bar itself is measured by bench/change_visible.py (timings stay out of tests); here
the wait is bounded generously and B must show the new answer on repeated reads.

Needs PostgreSQL, Redis and CELERY_BROKER_URL (the second pass of .ci/run).
"""

from __future__ import annotations

import json

import pytest
import requests
from rest_framework.authtoken.models import Token

from assignments.models import AssignmentDocument
from media_library.models import MediaItem
from tenants.models import Job, JobStatus, Role
from tests.conftest import _free_port
from tests.factories import make_member, make_tenant
from tests.jobs.processes import wait_for
from tests.jobs.test_survive import START_SECONDS, topology  # noqa: F401 (the fixture)
from tests.publishing import builders as b
from tests.s3 import S3_CREDENTIALS, http_get

pytestmark = [pytest.mark.postgres, pytest.mark.worker]

SHOP = "/api/v1/tenants/{slug}/channels/web/products/MUG-001/media?locale=en-us"


def _get(base: str, path: str, **headers) -> requests.Response:
    return requests.get(f"{base}{path}", headers=headers, timeout=10)


def _webs_up(topology, *bases) -> None:  # noqa: F811 (the fixture's name)
    def up(base):
        try:
            return _get(base, "/api/v1/health").status_code == 200
        except requests.RequestException:
            return False

    for base in bases:
        wait_for(
            lambda base=base: up(base), seconds=START_SECONDS, what=f"{base}", topology=topology
        )


def _primary_alts(base: str, slug: str) -> tuple[list[str], dict]:
    response = _get(base, SHOP.format(slug=slug))
    assert response.status_code == 200, response.text
    body = response.json()
    return [m["alt_text"] for m in body["primary"]], body


def test_a_publish_through_web_a_is_served_by_web_b_with_public_media_on_s3(
    topology,  # noqa: F811 (the fixture)
    s3_media,
    moto_endpoint,
):
    private, public = s3_media()
    ports = [_free_port(), _free_port()]
    s3_env = dict(
        MEDIA_STORAGE="s3",
        S3_ENDPOINT_URL=moto_endpoint,
        S3_BUCKET=private,
        S3_PUBLIC_BUCKET=public,
        S3_ACCESS_KEY_ID=S3_CREDENTIALS["aws_access_key_id"],
        S3_SECRET_ACCESS_KEY=S3_CREDENTIALS["aws_secret_access_key"],
        S3_REGION=S3_CREDENTIALS["region_name"],
        DJANGO_SECURE_SSL_REDIRECT="false",
        SHOP_CHANGE_POLL_SECONDS="0.25",  # the production default
    )
    web_a, web_b = (
        topology.start(
            "web", f"web-{name}", GUNICORN_CMD_ARGS=f"--bind 127.0.0.1:{port} --workers 2", **s3_env
        )
        for name, port in zip("ab", ports, strict=True)
    )
    topology.start("worker", "worker", **s3_env)
    base_a, base_b = (f"http://127.0.0.1:{port}" for port in ports)

    tenant = make_tenant("topo")
    editor = make_member(tenant, Role.EDITOR, "topo-editor")
    publisher = make_member(tenant, Role.PUBLISHER, "topo-publisher")
    token = Token.objects.create(user=publisher).key
    mug = b.mug(tenant)
    v1, v2 = b.image(tenant, editor, "photo-v1"), b.image(tenant, editor, "photo-v2")
    _webs_up(topology, base_a, base_b)

    def publish_through_a() -> Job:
        # Web A queues the job under the topology's broker prefix: its worker runs it.
        response = requests.post(
            f"{base_a}/api/v1/tenants/topo/products/MUG-001/media/publish"
            "?channel=omnichannel&locale=neutral",
            data=json.dumps({"publish_dependencies": True}),
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
            timeout=30,
        )
        assert response.status_code == 202, response.text
        job = Job.objects.get(pk=response.json()["id"])
        wait_for(
            lambda: (
                Job.objects.filter(pk=job.pk, status=JobStatus.SUCCEEDED).exists()
                or Job.objects.filter(pk=job.pk, status=JobStatus.FAILED).exists()
            ),
            seconds=START_SECONDS,
            what="the publish job to end",
            topology=topology,
        )
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED, (job.errors, topology.logs())
        return job

    b.checkin(tenant, mug, editor, {"master": b.slots([v1])})
    publish_through_a()
    # Both of B's workers serve (and keep) the v1 answer.
    wait_for(
        lambda: all(_primary_alts(base_b, "topo")[0] == ["photo-v1"] for _ in range(6)),
        seconds=START_SECONDS,
        what="web B to serve v1",
        topology=topology,
    )

    b.checkin(tenant, mug, editor, {"master": b.slots([v2])})
    publish_through_a()
    wait_for(
        lambda: all(_primary_alts(base_b, "topo")[0] == ["photo-v2"] for _ in range(8)),
        seconds=10,
        what="web B to serve v2",
        topology=topology,
    )
    document = AssignmentDocument.objects.get(product=mug)
    assert document.published_id is not None

    # The photo is on the public bucket for anyone; its original stays private.
    _, body = _primary_alts(base_b, "topo")
    url = body["default_image"]["url"]
    assert url.startswith(f"{moto_endpoint}/{public}/"), url
    assert http_get(url)[0] == 200
    item = MediaItem.objects.get(pk=v2.pk)
    assert http_get(f"{moto_endpoint}/{private}/{item.file.name}")[0] == 403
    assert web_a.alive() and web_b.alive(), topology.logs()

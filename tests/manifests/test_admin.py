"""R18: import and export from the Django admin (the import view and changelist actions)."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tenants.models import Job
from tests.manifests.helpers import records, tsv
from tests.manifests.test_validation import HEADER, row


def _staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


def test_admin_import_view_starts_a_job(
    tenant, admin_user, catalog, images, django_capture_on_commit_callbacks
):  # R18
    client = _staff(admin_user)
    assert client.get("/admin/manifests/import/").status_code == 200
    # Every admin page links the form (it is no model's page, so the index lists it not).
    assert 'href="/admin/manifests/import/"' in client.get("/admin/").content.decode()
    text = tsv(HEADER, row(images[0]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/manifests/import/",
            {
                "tenant": tenant.pk,
                "manifest": SimpleUploadedFile("m.tsv", text.encode()),
                "on_error": "abort",
            },
        )
    assert response.status_code == 302
    job = Job.objects.get(tenant=tenant, kind="import")
    assert job.status == "succeeded" and job.counts["succeeded"] == 1


def test_admin_import_refuses_non_admins(tenant, editor):  # R1a
    client = _staff(editor)
    response = client.get("/admin/manifests/import/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'value="{tenant.pk}"' not in page
    assert "Imports need the admin role in a tenant" in page and "Start import" not in page


def test_admin_export_action_on_media(tenant, admin_user, images):  # R18
    admin_user.is_superuser = True  # Django model permissions gate the changelist
    admin_user.save(update_fields=["is_superuser"])
    client = _staff(admin_user)
    response = client.post(
        "/admin/media_library/mediaitem/",
        {
            "action": "export_media_manifest",
            "_selected_action": [images[0].pk, images[1].pk],
        },
    )
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert len(records(archive.read("manifest.tsv").decode())) == 2

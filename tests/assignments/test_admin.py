"""Admin pages of the assignments app render for a superuser (read-only documents)."""

import pytest
from django.contrib.auth import get_user_model

from assignments.models import AssignmentDocument, ContentSet

from .factories import check_in, content, make_master, make_media, slots

pytestmark = pytest.mark.django_db


def test_admin_pages_render(tenant, editor, client):
    shirt = make_master(tenant, "SHIRT-001")
    document = check_in(
        tenant, shirt, editor, content(master=slots(primary=[make_media(tenant).pk]))
    )
    superuser = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(superuser)
    for path in (
        "/admin/assignments/assignmentdocument/",
        f"/admin/assignments/assignmentdocument/{document.pk}/change/",
        f"/admin/assignments/contentset/{ContentSet.objects.first().pk}/change/",
        "/admin/assignments/documentevent/",
        "/admin/assignments/purpose/",
        "/admin/assignments/purpose/add/",
        "/admin/assignments/categorymedia/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
    page = client.get(f"/admin/assignments/assignmentdocument/{document.pk}/change/").content
    assert b"master" in page and b"checkin" in page
    assert AssignmentDocument.objects.count() == 1

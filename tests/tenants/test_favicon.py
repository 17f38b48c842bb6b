"""Issue 15 item 8: `/favicon.ico` answers (no 404 in every log), and the workspace and the
admin link the icon."""

import pytest
from django.contrib.auth import get_user_model


def test_favicon_ico_answers_an_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert "max-age=86400" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # the ICO header


@pytest.mark.django_db
def test_workspace_and_admin_link_the_icon(client):
    login = client.get("/accounts/login/").content.decode()
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.com", "pw"))
    admin = client.get("/admin/").content.decode()

    for html in (login, admin):
        assert 'rel="icon" href="/static/mediahub/favicon.ico"' in html
        assert 'href="/static/mediahub/favicon.svg" type="image/svg+xml"' in html

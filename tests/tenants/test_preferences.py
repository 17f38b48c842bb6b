"""Per-user UI preferences, remembered on the server (e.g. the publish explanation, issue 7)."""

import json
import re

import pytest

from tenants.models import UserPreference

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/preferences/publish-intro-skip"


def test_a_user_sets_and_reads_own_preference(editor, viewer, client_for):
    assert client_for(editor).get(URL).json() == {"key": "publish-intro-skip", "value": None}
    response = client_for(editor).put(URL, {"value": True}, format="json")
    assert response.status_code == 200 and response.json()["value"] is True
    assert client_for(editor).get(URL).json()["value"] is True
    assert client_for(viewer).get(URL).json()["value"] is None  # another user's choice is their own


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/me/preferences/Bad Key!", {"value": 1}, "key"),
        (URL, {"nothing": 1}, "value"),
        (URL, {"value": "x" * 20_000}, "value"),
    ],
)
def test_bad_preferences_are_refused(editor, client_for, url, body, field):
    response = client_for(editor).put(url, body, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == field
    assert not UserPreference.objects.exists()


def test_anonymous_has_no_preferences(db, client_for):
    assert client_for(None).get(URL).status_code in (401, 403)


def test_workspace_page_carries_the_users_preferences(tenant, editor, client):
    UserPreference.objects.create(user=editor, key="publish-intro-skip", value=True)
    client.force_login(editor)
    page = client.get("/workspace/acme/").content.decode()
    config = json.loads(re.search(r'id="ws-config"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert config["preferences"] == {"publish-intro-skip": True}

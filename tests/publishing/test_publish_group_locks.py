"""R16 on PostgreSQL: publish-group writes take their row lock inside a transaction, and a
group deleted while another request edits or publishes it answers 404 or 409, never 500."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from publishing.models import PublishGroup
from tests.publishing import builders as b

BASE = "/api/v1/tenants/acme/publish-groups"


def _race(user, calls: dict[str, tuple]) -> dict[str, object]:
    """Run the named API calls (method, path, body) at once; their status codes by name."""
    barrier = threading.Barrier(len(calls))
    results: dict[str, object] = {}

    def call(name, method, path, body):
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait(timeout=10)
            results[name] = getattr(client, method)(path, body, format="json").status_code
        except Exception as exc:  # reported by the caller rather than lost in the thread
            results[name] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(name, *args)) for name, args in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _require_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL (set DATABASE_URL)")


@pytest.mark.postgres
def test_deleting_a_group_outside_a_test_transaction_answers_204(
    transactional_db, tenant, publisher
):
    """Issue 12: `select_for_update` ran in autocommit, so every DELETE was a 500 on PostgreSQL
    (SQLite ignores FOR UPDATE). transactional_db: no test transaction hides it."""
    _require_postgres()
    group = PublishGroup.objects.create(tenant=tenant, name="Spring drop")
    client = APIClient()
    client.force_authenticate(publisher)

    response = client.delete(f"{BASE}/{group.pk}/")

    assert response.status_code == 204, response.content
    assert not PublishGroup.objects.filter(pk=group.pk).exists()
    assert client.delete(f"{BASE}/{group.pk}/").status_code == 404


@pytest.mark.postgres
@pytest.mark.parametrize("edit", ["patch", "publish", "schedule"])
def test_group_edit_racing_delete_never_answers_500(
    transactional_db, tenant, publisher, editor, edit
):
    """R16/R30: an edit and a delete of the same group race; each answers 2xx, 404 or 409."""
    _require_postgres()
    mug = b.mug(tenant)
    b.checkin(tenant, mug, editor, {"master": b.slots([b.image(tenant, editor, "mug")])})
    statuses: list[int] = []
    for round_ in range(8):
        group = PublishGroup.objects.create(
            tenant=tenant, name=f"Drop {round_}", publish_dependencies=True
        )
        group.products.set([mug.pk])
        path = f"{BASE}/{group.pk}/"
        if edit == "patch":
            editing = ("patch", path, {"name": f"Renamed {round_}"})
        elif edit == "publish":
            editing = ("post", f"{path}publish", None)
        else:
            editing = ("post", f"{path}schedule", {"scheduled_at": "2999-01-01T00:00:00Z"})
        results = _race(publisher, {"edit": editing, "delete": ("delete", path, None)})
        assert results["edit"] in (200, 202, 404, 409), results
        assert results["delete"] in (204, 404, 409), results
        statuses += [results["edit"], results["delete"]]
    assert 500 not in statuses

"""R7, R1a: purpose writes against concurrent deletes (code review).

purpose_update locks its row (a purpose deleted meanwhile is a 404, never a 500), and a
writer naming purposes takes FOR KEY SHARE on them, so purpose_delete (FOR UPDATE, then
its look for entries) serializes with it: whichever comes first wins cleanly."""

import threading
import time

import pytest
from django.db import connection, transaction

from assignments import services
from assignments.models import AssignmentEntry, Purpose
from tenants.exceptions import Conflict, NotFound, ValidationFailed
from tenants.models import Role

from .factories import content, context, make_master, make_media, slots


@pytest.mark.django_db
def test_update_of_a_purpose_deleted_meanwhile_is_404(tenant, admin_user):  # R7
    brochure = services.purpose_create(tenant=tenant, user=admin_user, code="brochure")
    Purpose.objects.filter(pk=brochure.pk).delete()  # another request, after we loaded it
    with pytest.raises(NotFound):
        services.purpose_update(purpose=brochure, user=admin_user, name="Leaflet", position=1)


@pytest.mark.django_db
def test_update_changes_the_locked_row(tenant, admin_user):  # R7
    brochure = services.purpose_create(tenant=tenant, user=admin_user, code="brochure")
    updated = services.purpose_update(purpose=brochure, user=admin_user, name="Leaflet", position=9)
    assert (updated.name, updated.position) == ("Leaflet", 9)
    assert Purpose.objects.values_list("name", "position").get(pk=brochure.pk) == ("Leaflet", 9)


def _setup(tenant, member):
    admin = member(Role.ADMIN, username="ada")
    editor = member(Role.EDITOR, username="eddie")
    brochure = services.purpose_create(tenant=tenant, user=admin, code="brochure")
    shirt = make_master(tenant, "SHIRT-001")
    image = make_media(tenant)
    channel, locale = context(tenant)
    document = services.document_checkout(
        tenant=tenant, product=shirt, channel=channel, locale=locale, user=editor
    )
    body = content(master=slots(additional=[{"media": image.pk, "purpose": "brochure"}]))
    return admin, editor, brochure, document, body


def _run(*targets):
    threads = [threading.Thread(target=t) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)


@pytest.mark.postgres
def test_writer_first_makes_the_delete_a_409(transactional_db, tenant, member):  # R7
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL (set DATABASE_URL)")
    admin, editor, brochure, document, body = _setup(tenant, member)
    written = threading.Event()
    outcomes: dict[str, str] = {}

    def writer():
        try:
            with transaction.atomic():
                services.document_working_replace(document=document, user=editor, content=body)
                written.set()
                time.sleep(1.0)  # the delete starts meanwhile and must wait for this commit
            outcomes["writer"] = "ok"
        except Exception as exc:  # reported below rather than lost in the thread
            outcomes["writer"] = f"error: {exc!r}"
        finally:
            written.set()
            connection.close()

    def deleter():
        try:
            written.wait(timeout=10)
            services.purpose_delete(purpose=brochure, user=admin)
            outcomes["deleter"] = "deleted"
        except Conflict as exc:
            outcomes["deleter"] = f"conflict: {exc.message}"
        except Exception as exc:
            outcomes["deleter"] = f"error: {exc!r}"
        finally:
            connection.close()

    _run(writer, deleter)
    assert outcomes["writer"] == "ok", outcomes
    assert outcomes["deleter"].startswith("conflict: "), outcomes
    assert Purpose.objects.filter(pk=brochure.pk).exists()
    assert AssignmentEntry.objects.filter(purpose=brochure).count() == 1


@pytest.mark.postgres
def test_delete_first_makes_the_writer_a_400(transactional_db, tenant, member):  # R7
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL (set DATABASE_URL)")
    admin, editor, brochure, document, body = _setup(tenant, member)
    deleted = threading.Event()
    outcomes: dict[str, str] = {}

    def deleter():
        try:
            with transaction.atomic():
                services.purpose_delete(purpose=brochure, user=admin)
                deleted.set()
                time.sleep(1.0)  # the writer starts meanwhile and must wait for this commit
            outcomes["deleter"] = "deleted"
        except Exception as exc:
            outcomes["deleter"] = f"error: {exc!r}"
        finally:
            deleted.set()
            connection.close()

    def writer():
        try:
            deleted.wait(timeout=10)
            services.document_working_replace(document=document, user=editor, content=body)
            outcomes["writer"] = "ok"
        except ValidationFailed as exc:
            outcomes["writer"] = f"refused: {exc.errors}"
        except Exception as exc:
            outcomes["writer"] = f"error: {exc!r}"
        finally:
            connection.close()

    _run(deleter, writer)
    assert outcomes["deleter"] == "deleted", outcomes
    assert outcomes["writer"].startswith("refused: ") and "purpose" in outcomes["writer"], outcomes
    assert not Purpose.objects.filter(pk=brochure.pk).exists()
    assert not AssignmentEntry.objects.exists()

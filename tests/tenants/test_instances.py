"""R5, R18 (issue 16): bulk writers build new rows with `instances_new`, which must give
exactly what `Model(**values)` gives: every field's value or default, a fresh value of
every callable default per instance, a new unsaved instance, related objects cached."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from media_library.models import MediaItem
from tenants.instances import instances_new

pytestmark = pytest.mark.django_db

VALUES = {
    "kind": "image",
    "original_filename": "a.jpg",
    "display_name": "A",
    "alt_text": "alt",
    "mime_type": "image/jpeg",
    "size": 12,
    "checksum": "c" * 64,
    "width": 4,
    "height": 3,
}


def _fields(item: MediaItem) -> dict:
    return {f.attname: getattr(item, f.attname) for f in MediaItem._meta.concrete_fields}


def test_instances_are_those_model_init_makes(tenant, admin_user):  # R18
    expected = MediaItem(tenant=tenant, created_by=admin_user, **VALUES)

    (item,) = instances_new(
        MediaItem,
        [{"tenant_id": tenant.pk, "created_by_id": admin_user.pk, **VALUES}],
        cached={"tenant": tenant, "created_by": admin_user},
    )

    made, wanted = _fields(item), _fields(expected)
    assert made.pop("public_id") != wanted.pop("public_id")  # a fresh UUID each
    assert made == wanted
    assert item._state.adding and item._state.db is None
    with CaptureQueriesContext(connection) as queries:
        assert (item.tenant, item.created_by) == (tenant, admin_user)
    assert len(queries) == 0


def test_callable_defaults_are_called_for_each_instance(tenant):  # R18
    first, second = instances_new(
        MediaItem, [{"tenant_id": tenant.pk, **VALUES}, {"tenant_id": tenant.pk, **VALUES}]
    )

    assert first.public_id != second.public_id
    assert first.placeholder == second.placeholder == {}
    assert first.placeholder is not second.placeholder
    first.placeholder["x"] = 1
    assert second.placeholder == {}


def test_a_name_that_is_not_a_field_attribute_is_refused(tenant):  # R18
    with pytest.raises(KeyError):
        instances_new(MediaItem, [{"tenant": tenant, **VALUES}])

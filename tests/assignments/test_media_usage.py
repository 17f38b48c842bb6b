"""R5: entries point at media with PROTECT; "where is this used" is one query."""

import pytest
from django.db.models import ProtectedError

from assignments.models import AssignmentEntry
from assignments.selectors import media_usage_list

from .factories import check_in, content, make_master, make_media, slots

pytestmark = pytest.mark.django_db


def test_used_media_cannot_be_deleted_and_says_where(tenant, editor, django_assert_num_queries):
    shirt = make_master(tenant, "SHIRT-001")
    image = make_media(tenant)
    check_in(
        tenant,
        shirt,
        editor,
        content(
            matrix=["color"],
            master=slots(primary=[make_media(tenant).pk, image.pk]),
            dimensions=[{"values": {"color": "Blue"}, **slots(primary=[image.pk])}],
        ),
    )
    with pytest.raises(ProtectedError) as caught:
        image.delete()
    descriptions = sorted(e.usage_description() for e in caught.value.protected_objects)
    assert descriptions == [
        "SHIRT-001 (omnichannel/neutral) color=Blue primary #1",
        "SHIRT-001 (omnichannel/neutral) master primary #2",
    ]
    with django_assert_num_queries(2):
        usage = media_usage_list(tenant=tenant, media=image)
    assert sorted(usage) == descriptions
    assert AssignmentEntry.objects.filter(media=image).count() == 2

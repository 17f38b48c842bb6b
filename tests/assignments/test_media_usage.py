"""R5, R26: "where is this used" is one query; current content blocks a delete of its media
(the media library's service refuses, listing the uses), history never does."""

import pytest

from assignments.models import AssignmentEntry
from assignments.selectors import media_usage_list
from media_library.models import MediaItem
from media_library.services import media_item_delete
from tenants.exceptions import Conflict

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
    with pytest.raises(Conflict) as caught:
        media_item_delete(item=image, user=editor)
    descriptions = sorted(u["description"] for u in caught.value.extra["used_by"])
    assert descriptions == [
        "SHIRT-001 (omnichannel/neutral) draft: color=Blue primary #1",
        "SHIRT-001 (omnichannel/neutral) draft: master primary #2",
    ]
    assert MediaItem.objects.filter(pk=image.pk).exists()
    with django_assert_num_queries(2):
        usage = media_usage_list(tenant=tenant, media=image)
    assert sorted(usage) == [
        "SHIRT-001 (omnichannel/neutral) color=Blue primary #1",
        "SHIRT-001 (omnichannel/neutral) master primary #2",
    ]
    assert AssignmentEntry.objects.filter(media=image).count() == 2

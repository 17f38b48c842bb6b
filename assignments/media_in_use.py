"""Which media items current assignment content uses, as a query condition (R26).

The media library's search filters "unused" items with it (registered in
`settings.MEDIA_CURRENT_USE_CONDITIONS`, so media_library never imports this app). Current
means a document's working copy, its checked-in draft or its published content, a
category's draft or published image, and a dimension value's central swatch: exactly what
where-used lists as current (`selectors.media_usages`) and what blocks a delete; older
versions (history) do not count.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q

from catalog.models import DimensionValue

from .models import AssignmentEntry, CategoryMedia


def media_current_use_condition() -> Q:
    """A condition on MediaItem: true for items some current content uses. EXISTS
    subqueries, so it stays one query whatever the library's size."""
    document = "content_set__document__"
    entries = AssignmentEntry.objects.filter(media_id=OuterRef("pk")).filter(
        Q(**{f"{document}working_id": F("content_set_id")})
        | Q(**{f"{document}draft_id": F("content_set_id")})
        | Q(**{f"{document}published_id": F("content_set_id")})
    )
    categories = CategoryMedia.objects.filter(
        Q(draft_media_id=OuterRef("pk")) | Q(published_media_id=OuterRef("pk"))
    )
    swatches = DimensionValue.objects.filter(swatch_media_id=OuterRef("pk"))
    return Q(Exists(entries)) | Q(Exists(categories)) | Q(Exists(swatches))

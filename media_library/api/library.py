"""The library's search, facets, bulk actions and document preview (issue 14, item 1).

`GET media/` takes the filters below (the library page and the picker use the same);
`GET media/facets` counts per facet value under the same filters; `POST media/bulk` applies
one action to a selection, all or nothing; `GET media/{id}/preview` is a PDF's first page.
Unknown query parameters and unknown facet names are refused with a 400 naming them, so a
typo never silently widens a search.
"""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.api.mixins import TenantScopedMixin
from tenants.api.query import query_filters_parse
from tenants.exceptions import DomainError
from tenants.models import Role

from ..bulk import ACTION_ROLES, bulk_ids_parse, media_items_bulk_apply
from ..documents import document_first_page_png
from ..models import MediaItem, MediaKind, MediaStatus
from ..search import AVAILABILITY, FACETS, SORTS, LibraryFilters
from ..selectors import media_item_get, media_item_prefetch
from .serializers import MediaItemOutput


class MediaLibraryFilterInput(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Words searched in name, title, alt text, caption, file name and tags.",
    )
    kind = serializers.ChoiceField(choices=MediaKind.choices, required=False)
    status = serializers.ChoiceField(choices=MediaStatus.choices, required=False)
    tag = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        help_text="Exact tag name, any case; repeat for items carrying all of them.",
    )
    unused = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: no current draft, working copy or published content uses the item.",
    )
    missing_alt = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: images without alt text.",
    )
    uploaded_by = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Username of the uploader; empty for items no user uploaded (imports).",
    )
    uploaded_after = serializers.DateField(required=False, help_text="On or after this day.")
    uploaded_before = serializers.DateField(
        required=False,
        help_text="On or before this day.",
        # The filter ends at the next midnight: the last representable day has none.
        validators=[MaxValueValidator(dt.date.max - dt.timedelta(days=1))],
    )
    availability = serializers.ChoiceField(
        choices=list(AVAILABILITY),
        required=False,
        help_text="R27: inside its window now, scheduled (not open yet) or expired.",
    )
    sort = serializers.ChoiceField(choices=list(SORTS), required=False, default="newest")

    def validate(self, attrs):
        after, before = attrs.get("uploaded_after"), attrs.get("uploaded_before")
        if after and before and after > before:
            raise serializers.ValidationError(
                {"uploaded_before": "The end day is before the start day."}
            )
        return attrs

    def filters(self) -> LibraryFilters:
        data = self.validated_data
        return LibraryFilters(
            q=data.get("q", ""),
            kind=data.get("kind"),
            status=data.get("status"),
            tags=tuple(t.strip() for t in data.get("tag", []) if t.strip()),
            unused=data.get("unused"),
            missing_alt=data.get("missing_alt"),
            uploaded_by=data.get("uploaded_by"),
            uploaded_after=data.get("uploaded_after"),
            uploaded_before=data.get("uploaded_before"),
            availability=data.get("availability"),
        )


def library_filters_parse(params, *, extra: set[str] = frozenset()) -> MediaLibraryFilterInput:
    """The query's filters, validated (400 naming the parameter for anything unknown)."""
    return query_filters_parse(params, MediaLibraryFilterInput, extra=extra)


FACET_PARAMETER = OpenApiParameter(
    "facet",
    str,
    description=f"Comma-separated facets to count (default all): {', '.join(FACETS)}.",
)


class MediaFacetsApi(TenantScopedMixin, APIView):
    """Counts per facet value for the library's filters (each facet ignores its own)."""

    resource_name = "media facets"

    @extend_schema(
        summary="Facet counts of the media library",
        parameters=[MediaLibraryFilterInput, FACET_PARAMETER],
        responses={200: OpenApiResponse(description="{total, kind, status, tag, ...}")},
    )
    def get(self, request, *args, **kwargs):
        from ..search import media_library_facets

        filters = library_filters_parse(request.query_params, extra={"facet"})
        wanted = tuple(
            name.strip()
            for value in request.query_params.getlist("facet")
            for name in value.split(",")
            if name.strip()
        )
        for name in wanted:
            if name not in FACETS:
                raise DomainError(
                    f"Unknown facet '{name}'; use {', '.join(FACETS)}.", field="facet"
                )
        counts = media_library_facets(
            tenant=self.tenant, filters=filters.filters(), facets=wanted or FACETS
        )
        return Response(counts)


class MediaBulkInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(ACTION_ROLES))
    ids = serializers.ListField(child=serializers.JSONField(), allow_empty=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    alt_text = serializers.CharField(required=False, allow_blank=True, max_length=500)
    title_pattern = serializers.CharField(required=False, allow_blank=True, max_length=300)
    force = serializers.BooleanField(required=False, default=False)


class MediaBulkOutput(serializers.Serializer):
    action = serializers.CharField()
    count = serializers.IntegerField()
    results = MediaItemOutput(many=True)


class MediaBulkApi(TenantScopedMixin, APIView):
    """One action on a selection of items, all or nothing (409/400 lists refused items)."""

    resource_name = "media"
    write_role = Role.EDITOR  # publish/unpublish need a publisher: the service checks

    @extend_schema(
        summary="Bulk action on selected media items",
        request=MediaBulkInput,
        responses={200: MediaBulkOutput},
    )
    def post(self, request, *args, **kwargs):
        data = MediaBulkInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        params = {
            k: values[k] for k in ("tags", "alt_text", "title_pattern", "force") if k in values
        }
        ids = bulk_ids_parse(values["ids"])
        changed = media_items_bulk_apply(
            tenant=self.tenant, user=request.user, action=values["action"], ids=ids, params=params
        )
        items = media_item_prefetch(MediaItem.objects.filter(pk__in=[i.pk for i in changed]))
        context = {"request": request, "tenant": self.tenant}
        return Response(
            {
                "action": values["action"],
                "count": len(set(ids)),  # an id named twice is changed once
                "results": MediaItemOutput(items, many=True, context=context).data,
            }
        )


class MediaPreviewApi(TenantScopedMixin, APIView):
    """A PDF's first page as PNG, for members (drafts' bytes never go to the public, R30)."""

    resource_name = "media preview"

    @extend_schema(
        summary="First page of a PDF document, as PNG",
        responses={(200, "image/png"): OpenApiResponse(description="PNG image")},
    )
    def get(self, request, *args, **kwargs):
        item = media_item_get(tenant=self.tenant, media_id=kwargs["pk"])
        png = document_first_page_png(item)
        response = HttpResponse(png, content_type="image/png")
        response["Cache-Control"] = "private, max-age=300"
        return response

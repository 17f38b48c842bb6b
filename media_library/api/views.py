"""The media API (SPEC §3): list/search, multipart upload, metadata, publish, delete, file
replacement and versions (R25), where-used (R26), availability dates (R27)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from tenants.api.mixins import TenantScopedMixin
from tenants.exceptions import NotFound

from .. import services
from ..models import MediaItem
from ..search import media_library_search
from ..selectors import media_file_versions, media_item_prefetch, media_item_usage
from .library import MediaLibraryFilterInput, library_filters_parse
from .serializers import (
    MediaFileReplaceInput,
    MediaFileVersionOutput,
    MediaInUseOutput,
    MediaItemOutput,
    MediaItemUpdateInput,
    MediaItemUploadInput,
    MediaItemUploadOutput,
    MediaPublishedUsageOutput,
    MediaSameBytesOutput,
    MediaUnpublishInput,
    MediaUsageListOutput,
)


def _reloaded(item: MediaItem) -> MediaItem:
    """The item as answered; 404 when a concurrent delete removed it since the write."""
    item = media_item_prefetch(MediaItem.objects.filter(pk=item.pk)).first()
    if item is None:
        raise NotFound("This media item no longer exists.", field="id")
    return item


@extend_schema_view(
    list=extend_schema(parameters=[MediaLibraryFilterInput], summary="List and search media items"),
    retrieve=extend_schema(summary="A media item"),
)
class MediaItemViewSet(
    TenantScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The tenant's media library (R5, R6): viewers read, editors upload, edit and publish."""

    queryset = MediaItem.objects.all()
    serializer_class = MediaItemOutput
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filter_backends: list = []
    lookup_value_regex = r"\d+"
    resource_name = "media"
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if self.action == "list" and not getattr(self, "swagger_fake_view", False):
            filters = library_filters_parse(self.request.query_params)
            return media_library_search(
                tenant=self.tenant,
                filters=filters.filters(),
                sort=filters.validated_data["sort"],
            )
        return media_item_prefetch(super().get_queryset())

    def _output(self, item: MediaItem, **status_kw) -> Response:
        item = _reloaded(item)
        return Response(self.get_serializer(item).data, **status_kw)

    @extend_schema(
        summary="Upload a file (multipart)",
        request={"multipart/form-data": MediaItemUploadInput},
        responses={
            201: MediaItemUploadOutput,
            200: OpenApiResponse(MediaItemUploadOutput, "The same bytes were already there."),
        },
    )
    def create(self, request, *args, **kwargs):
        data = MediaItemUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        item, created = services.media_item_upload(
            tenant=self.tenant, user=request.user, **data.validated_data
        )
        item = _reloaded(item)
        item.duplicate = not created
        body = MediaItemUploadOutput(item, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        summary="Change metadata, tags, focal point or availability dates",
        description=(
            "`available_from` / `expires_at` (R27): outside the window the item is in no "
            "shop answer, at once when a date set is already past. `expires_at` must be "
            "later than `available_from` (400)."
        ),
        request=MediaItemUpdateInput,
    )
    def partial_update(self, request, *args, **kwargs):
        data = MediaItemUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.media_item_update(
            item=self.get_object(), user=request.user, **data.validated_data
        )
        return self._output(item)

    @extend_schema(
        summary="Delete an unused media item",
        responses={204: None, 409: OpenApiResponse(MediaInUseOutput, "Still used; lists where.")},
    )
    def destroy(self, request, *args, **kwargs):
        services.media_item_delete(item=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Publish: the public URL starts answering", request=None)
    @action(detail=True, methods=["post"])
    def publish(self, request, *args, **kwargs):
        item = services.media_item_publish(item=self.get_object(), user=request.user)
        return self._output(item)

    @extend_schema(
        summary="Back to draft: the public URL answers 404",
        description=(
            "Refused with 409 (listing where) while published content shows the item, "
            'unless `{"force": true}`: then every shop answer drops it in the same step.'
        ),
        request=MediaUnpublishInput,
        responses={
            200: MediaItemOutput,
            409: OpenApiResponse(
                MediaPublishedUsageOutput, "Shown by published content; lists where."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def unpublish(self, request, *args, **kwargs):
        data = MediaUnpublishInput(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.media_item_unpublish(
            item=self.get_object(), user=request.user, force=data.validated_data["force"]
        )
        return self._output(item)

    @extend_schema(
        summary="Replace the file: new bytes, same item (R25)",
        description=(
            "Multipart `file`. Keeps the id, assignments and `/p/` link; records a file "
            "version; renditions are remade and published answers follow at once. A file of "
            "another kind is refused (400); bytes that are another item already answer 409 "
            "naming it (`media`). Replacing a published item's file needs a publisher."
        ),
        request={"multipart/form-data": MediaFileReplaceInput},
        responses={
            200: MediaItemOutput,
            409: OpenApiResponse(MediaSameBytesOutput, "These bytes are another item."),
        },
    )
    @action(
        detail=True,
        methods=["put"],
        url_path="file",
        parser_classes=[MultiPartParser, FormParser],
    )
    def replace_file(self, request, *args, **kwargs):
        item = self.get_object()  # another tenant's id: 404 before the body is even parsed
        data = MediaFileReplaceInput(data=request.data)
        data.is_valid(raise_exception=True)
        item, _ = services.media_item_file_replace(
            item=item,
            user=request.user,
            file=data.validated_data["file"],
            filename=data.validated_data.get("filename"),
        )
        return self._output(item)

    @extend_schema(
        summary="The item's file versions, newest first (R25)",
        responses=MediaFileVersionOutput(many=True),
    )
    @action(detail=True, methods=["get"], url_path="versions")
    def versions(self, request, *args, **kwargs):
        rows = media_file_versions(item=self.get_object())
        return Response(MediaFileVersionOutput(rows, many=True).data)

    @extend_schema(
        summary="Make an older file version current again (R25)",
        request=None,
        responses={200: MediaItemOutput},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"versions/(?P<version>\d{1,9})/restore",
        url_name="versions-restore",
    )
    def versions_restore(self, request, version: str, *args, **kwargs):
        item = services.media_item_file_version_restore(
            item=self.get_object(), user=request.user, number=int(version)
        )
        return self._output(item)

    @extend_schema(
        summary="Where-used (R26): current uses, and history apart",
        responses=MediaUsageListOutput,
    )
    @action(detail=True, methods=["get"])
    def usage(self, request, *args, **kwargs):
        return Response(media_item_usage(item=self.get_object()))

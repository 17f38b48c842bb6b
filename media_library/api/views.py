"""The media API (SPEC §3): list/search, multipart upload, metadata, publish, delete."""

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
from ..selectors import media_item_prefetch
from .library import MediaLibraryFilterInput, library_filters_parse
from .serializers import (
    MediaInUseOutput,
    MediaItemOutput,
    MediaItemUpdateInput,
    MediaItemUploadInput,
    MediaItemUploadOutput,
    MediaPublishedUsageOutput,
    MediaUnpublishInput,
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
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

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

    @extend_schema(summary="Change metadata, tags or focal point", request=MediaItemUpdateInput)
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

"""The change feed API (R24): what changed in the shop answers since a cursor."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from publishing.changes import changes_since, cursor_parse
from tenants.api.mixins import TenantScopedMixin
from tenants.exceptions import DomainError

ChangeEntryOutput = inline_serializer(
    "ChangeEntry",
    {
        "event": serializers.CharField(),
        "number": serializers.CharField(allow_null=True),
        "channel": serializers.CharField(allow_null=True),
        "locale": serializers.CharField(allow_null=True),
        "etag": serializers.CharField(allow_null=True),
        "cursor": serializers.CharField(),
        "at": serializers.DateTimeField(),
        "category": serializers.IntegerField(required=False),
    },
)


class ChangeFeedApi(TenantScopedMixin, APIView):
    """Every change of a shop answer since `since`, in commit order, paged (viewer and up).

    Each entry names the number and the stored context: an entry for Omnichannel + Neutral
    applies to every context of that number that has no answer of its own. `etag` is the
    new ETag the shop API serves, or null when the answer is gone. Pass `next` as `since`
    to continue; `more` says whether another page is waiting.
    """

    resource_name = "changes"

    @extend_schema(
        operation_id="changes_list",
        parameters=[
            OpenApiParameter(
                "since", str, description="Cursor from a previous page (default: start)"
            ),
            OpenApiParameter("limit", int, description="Entries per page (1-1000, default 500)"),
        ],
        responses={
            200: inline_serializer(
                "ChangeFeedPage",
                {
                    "results": serializers.ListField(child=ChangeEntryOutput),
                    "next": serializers.CharField(),
                    "more": serializers.BooleanField(),
                },
            ),
            400: OpenApiTypes.OBJECT,
            410: OpenApiResponse(OpenApiTypes.OBJECT, "The cursor is older than the feed keeps."),
        },
    )
    def get(self, request, tenant: str):
        cursor = cursor_parse(request.query_params.get("since"))
        raw_limit = request.query_params.get("limit", "500")
        if not str(raw_limit).isdigit() or not 1 <= int(raw_limit) <= 1000:
            raise DomainError("limit must be a whole number from 1 to 1000.", field="limit")
        return Response(changes_since(tenant=self.tenant, cursor=cursor, limit=int(raw_limit)))

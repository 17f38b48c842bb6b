"""The assignment document API (SPEC §3): each view parses its input, calls one service or
selector, and answers with the document view (or the preview, coverage, versions)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from assignments import selectors, services
from assignments.models import AssignmentDocument
from assignments.resolution import DRAFT, SOURCES
from catalog.models import DIMENSION_ORDER
from tenants.api.mixins import TenantScopedMixin
from tenants.exceptions import Conflict, ValidationFailed
from tenants.models import Role

from .serializers import (
    CategoryMediaInput,
    CategoryMediaOutput,
    CheckoutInput,
    CheckoutOutput,
    ContentInput,
    CoverageOutput,
    DocumentOutput,
    PreviewOutput,
    PrimaryChangeInput,
    ProductDocumentsStateOutput,
    PurposeSerializer,
    PurposeUpdateInput,
    VersionCompareOutput,
    VersionOutput,
)

PRODUCT_PARAM = OpenApiParameter("number", OpenApiTypes.STR, OpenApiParameter.PATH)
TENANT_PARAM = OpenApiParameter("tenant", OpenApiTypes.STR, OpenApiParameter.PATH)
CONTEXT_PARAMS = [
    TENANT_PARAM,
    PRODUCT_PARAM,
    OpenApiParameter(
        "channel", OpenApiTypes.STR, description="Channel code; omnichannel if absent."
    ),
    OpenApiParameter("locale", OpenApiTypes.STR, description="Locale code; neutral if absent."),
]


class ProductMediaBaseApi(TenantScopedMixin, APIView):
    """Finds the product and the requested context (channel/locale query parameters)."""

    resource_name = "product media"

    def context(self, request, number: str):
        product = selectors.product_get(tenant=self.tenant, number=number)
        channel, locale = selectors.context_get(
            tenant=self.tenant,
            channel=request.query_params.get("channel"),
            locale=request.query_params.get("locale"),
        )
        return product, channel, locale

    def document(self, request, number: str):
        product, channel, locale = self.context(request, number)
        document = selectors.document_get(
            tenant=self.tenant, product=product, channel=channel, locale=locale
        )
        return product, channel, locale, document

    def existing_document(self, request, number: str, action: str) -> AssignmentDocument:
        product, channel, locale, document = self.document(request, number)
        if document is None:
            raise Conflict(
                f"Cannot {action}: {product.number} has no document in "
                f"{channel.code}/{locale.code}; check it out first.",
                field="document",
            )
        return document

    def respond(self, request, document: AssignmentDocument):
        return Response(
            selectors.document_view(
                tenant=self.tenant,
                product=document.product,
                channel=document.channel,
                locale=document.locale,
                user=request.user,
                document=document,
            )
        )


class ProductMediaDocumentApi(ProductMediaBaseApi):
    @extend_schema(
        parameters=CONTEXT_PARAMS,
        responses=DocumentOutput,
        summary="The assignment document of a product in a channel + locale.",
    )
    def get(self, request, tenant: str, number: str):
        product, channel, locale = self.context(request, number)
        return Response(
            selectors.document_view(
                tenant=self.tenant,
                product=product,
                channel=channel,
                locale=locale,
                user=request.user,
            )
        )


class ProductMediaCheckoutApi(ProductMediaBaseApi):
    @extend_schema(
        parameters=CONTEXT_PARAMS,
        request=CheckoutInput,
        responses=DocumentOutput,
        summary="Check the document out (edit); the first edit copies the inherited content. "
        "take_over: true takes someone else's idle check-out (a publisher's: any).",
    )
    def post(self, request, tenant: str, number: str):
        data = CheckoutInput(data=request.data or {})
        data.is_valid(raise_exception=True)
        product, channel, locale = self.context(request, number)
        document = services.document_checkout(
            tenant=self.tenant,
            product=product,
            channel=channel,
            locale=locale,
            user=request.user,
            take_over=data.validated_data["take_over"],
        )
        return self.respond(request, document)


class ProductMediaStateApi(ProductMediaBaseApi):
    """What pages poll every few seconds (issue 15): the check-out state of all the product's
    documents. Send the last ETag in If-None-Match: an unchanged state answers 304 after one
    query, without building the body."""

    @extend_schema(
        parameters=[TENANT_PARAM, PRODUCT_PARAM],
        responses={200: ProductDocumentsStateOutput, 304: None},
        summary="Check-out state of every document of a product (ETag, 304 when unchanged).",
    )
    def get(self, request, tenant: str, number: str):
        product = selectors.product_get(tenant=self.tenant, number=number)
        rows = selectors.documents_state_rows(tenant=self.tenant, product=product)
        etag = selectors.documents_state_etag(rows=rows)
        quoted = f'"{etag}"'
        sent = [
            t.strip().removeprefix("W/")
            for t in request.headers.get("If-None-Match", "").split(",")
        ]
        if quoted in sent:
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        else:
            response = Response(
                selectors.documents_state(tenant=self.tenant, product=product, rows=rows, etag=etag)
            )
        response["ETag"] = quoted
        response["Cache-Control"] = "private, no-cache"
        return response


class ProductMediaWorkingApi(ProductMediaBaseApi):
    @extend_schema(
        parameters=CONTEXT_PARAMS,
        request=ContentInput,
        responses=DocumentOutput,
        summary="Replace the holder's working copy with a whole CONTENT.",
    )
    def put(self, request, tenant: str, number: str):
        document = self.existing_document(request, number, "edit")
        document = services.document_working_replace(
            document=document, user=request.user, content=request.data
        )
        return self.respond(request, document)


class ProductMediaPrimaryApi(ProductMediaBaseApi):
    @extend_schema(
        parameters=CONTEXT_PARAMS,
        request=PrimaryChangeInput,
        responses=DocumentOutput,
        summary="Insert, remove, move up/down or move to a position in a primary list of the working copy.",
    )
    def post(self, request, tenant: str, number: str):
        document = self.existing_document(request, number, "edit")
        data = PrimaryChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.document_primary_change(
            document=document, user=request.user, **data.validated_data
        )
        return self.respond(request, document)


class ProductMediaSaveApi(ProductMediaBaseApi):
    @extend_schema(
        parameters=CONTEXT_PARAMS,
        request=ContentInput,
        responses=DocumentOutput,
        summary="Save the working copy without checking in (an optional CONTENT body is "
        "written first).",
    )
    def post(self, request, tenant: str, number: str):
        document = self.existing_document(request, number, "save")
        content = request.data if request.data else None
        document = services.document_save(document=document, user=request.user, content=content)
        return self.respond(request, document)


class ProductMediaCheckinApi(ProductMediaBaseApi):
    @extend_schema(
        parameters=CONTEXT_PARAMS,
        request=None,
        responses=DocumentOutput,
        summary="Finish editing: the working copy becomes a new numbered draft version.",
    )
    def post(self, request, tenant: str, number: str):
        document = self.existing_document(request, number, "check in")
        document = services.document_checkin(document=document, user=request.user)
        return self.respond(request, document)


class ProductMediaDiscardApi(ProductMediaBaseApi):
    @extend_schema(
        parameters=CONTEXT_PARAMS,
        request=None,
        responses=DocumentOutput,
        summary="Discard edits (own; publishers may discard anyone's).",
    )
    def post(self, request, tenant: str, number: str):
        document = self.existing_document(request, number, "discard edits")
        document = services.document_discard(document=document, user=request.user)
        return self.respond(request, document)


class ProductMediaResetApi(ProductMediaBaseApi):
    @extend_schema(
        parameters=CONTEXT_PARAMS,
        request=None,
        responses=DocumentOutput,
        summary="Reset to default: stage an empty draft so the context falls back again.",
    )
    def post(self, request, tenant: str, number: str):
        product, channel, locale = self.context(request, number)
        services.document_reset(
            tenant=self.tenant, product=product, channel=channel, locale=locale, user=request.user
        )
        return Response(
            selectors.document_view(
                tenant=self.tenant,
                product=product,
                channel=channel,
                locale=locale,
                user=request.user,
            )
        )


class ProductMediaPreviewApi(ProductMediaBaseApi):
    @extend_schema(
        parameters=[
            *CONTEXT_PARAMS,
            *(
                OpenApiParameter(dimension, OpenApiTypes.STR, description=f"A {dimension} value.")
                for dimension in DIMENSION_ORDER
            ),
            OpenApiParameter("variant", OpenApiTypes.STR, description="A variant number."),
        ],
        responses=PreviewOutput,
        summary="The gallery a variant or dimension selection gets from the current draft.",
    )
    def get(self, request, tenant: str, number: str):
        product, channel, locale = self.context(request, number)
        selection = {
            dimension: request.query_params[dimension]
            for dimension in DIMENSION_ORDER
            if dimension in request.query_params
        }
        return Response(
            selectors.media_preview(
                tenant=self.tenant,
                product=product,
                channel=channel,
                locale=locale,
                selection=selection,
                variant_number=request.query_params.get("variant") or None,
            )
        )


class ProductMediaVersionsApi(ProductMediaBaseApi):
    @extend_schema(
        parameters=CONTEXT_PARAMS,
        responses=VersionOutput(many=True),
        summary="The checked-in versions of the document, newest first.",
    )
    def get(self, request, tenant: str, number: str):
        _, _, _, document = self.document(request, number)
        return Response(selectors.document_versions_list(tenant=self.tenant, document=document))


class ProductMediaVersionCompareApi(ProductMediaBaseApi):
    @extend_schema(
        parameters=[
            *CONTEXT_PARAMS,
            OpenApiParameter("a", int, required=True, description="The older version number."),
            OpenApiParameter("b", int, required=True, description="The newer version number."),
        ],
        responses=VersionCompareOutput,
        summary="Two versions side by side: each scope's slots and what changed from a to b.",
    )
    def get(self, request, tenant: str, number: str):
        # The product first: another tenant's answers 404 whatever the query (R1).
        _, _, _, document = self.document(request, number)
        numbers = {}
        errors = []
        for name in ("a", "b"):
            raw = request.query_params.get(name, "")
            # ASCII digits only ("²".isdigit() is true), and no larger than a version can be.
            if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) < 2**31:
                errors.append((name, "Give a version number."))
            else:
                numbers[name] = int(raw)
        if errors:
            raise ValidationFailed(errors)
        return Response(
            selectors.document_versions_compare(
                tenant=self.tenant, document=document, a=numbers["a"], b=numbers["b"]
            )
        )


class ProductMediaVersionRestoreApi(ProductMediaBaseApi):
    @extend_schema(
        parameters=[*CONTEXT_PARAMS, OpenApiParameter("version", int, OpenApiParameter.PATH)],
        request=None,
        responses=DocumentOutput,
        summary="Restore a version as the working copy (checks the document out if needed).",
    )
    def post(self, request, tenant: str, number: str, version: str):
        document = self.existing_document(request, number, "restore a version")
        document = services.document_version_restore(
            document=document, user=request.user, number=int(version)
        )
        response = self.respond(request, document)
        # R26: entries whose media item was deleted since are left out, and said so.
        response.data["missing"] = getattr(document, "restore_missing", [])
        return response


class ProductMediaCoverageApi(ProductMediaBaseApi):
    @extend_schema(
        parameters=[
            TENANT_PARAM,
            PRODUCT_PARAM,
            OpenApiParameter("source", OpenApiTypes.STR, enum=list(SOURCES), description="draft"),
        ],
        responses=CoverageOutput,
        summary="Per variant x channel x locale and slot: own, inherited from where, or none.",
    )
    def get(self, request, tenant: str, number: str):
        product = selectors.product_get(tenant=self.tenant, number=number)
        source = request.query_params.get("source") or DRAFT
        if source not in SOURCES:
            raise ValidationFailed([("source", f"Must be one of {', '.join(SOURCES)}.")])
        return Response(
            selectors.media_coverage(tenant=self.tenant, product=product, source=source)
        )


class PurposeListApi(TenantScopedMixin, APIView):
    """The tenant's purposes for additional media; admins add new ones (R7, R1a)."""

    resource_name = "purposes"
    action_roles = {"post": Role.ADMIN}

    @extend_schema(parameters=[TENANT_PARAM], responses=PurposeSerializer(many=True))
    def get(self, request, tenant: str):
        return Response(
            PurposeSerializer(selectors.purpose_list(tenant=self.tenant), many=True).data
        )

    @extend_schema(
        parameters=[TENANT_PARAM], request=PurposeSerializer, responses={201: PurposeSerializer}
    )
    def post(self, request, tenant: str):
        data = PurposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        purpose = services.purpose_create(
            tenant=self.tenant,
            user=request.user,
            code=data.validated_data["code"],
            name=data.validated_data.get("name", ""),
        )
        return Response(PurposeSerializer(purpose).data, status=status.HTTP_201_CREATED)


class PurposeDetailApi(TenantScopedMixin, APIView):
    """Admins rename, reorder or delete a purpose (R1a, R7); its code is fixed."""

    resource_name = "purposes"
    action_roles = {"patch": Role.ADMIN, "delete": Role.ADMIN}
    params = [TENANT_PARAM, OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH)]

    @extend_schema(parameters=params, request=PurposeUpdateInput, responses=PurposeSerializer)
    def patch(self, request, tenant: str, code: str):
        purpose = selectors.purpose_get(tenant=self.tenant, code=code)
        data = PurposeUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        purpose = services.purpose_update(
            purpose=purpose,
            user=request.user,
            name=data.validated_data.get("name", purpose.name),
            position=data.validated_data.get("position", purpose.position),
        )
        return Response(PurposeSerializer(purpose).data)

    @extend_schema(parameters=params, request=None, responses={204: None})
    def delete(self, request, tenant: str, code: str):
        purpose = selectors.purpose_get(tenant=self.tenant, code=code)
        services.purpose_delete(purpose=purpose, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyCheckoutsApi(TenantScopedMixin, APIView):
    """The requesting user's open check-outs in this tenant, across products (R12)."""

    resource_name = "check-outs"

    @extend_schema(
        parameters=[TENANT_PARAM],
        responses=CheckoutOutput(many=True),
        summary="My open check-outs: the documents I am editing, oldest first.",
    )
    def get(self, request, tenant: str):
        return Response(selectors.checkouts_of_user(tenant=self.tenant, user=request.user))


class CategoryMediaApi(TenantScopedMixin, APIView):
    """The default image of a category in its channel (R10: categories have no omnichannel
    level). PUT stages the draft; publishing moves it to `published`."""

    resource_name = "category media"
    category_params = [
        TENANT_PARAM,
        OpenApiParameter("category_id", int, OpenApiParameter.PATH),
        OpenApiParameter("channel", OpenApiTypes.STR, required=True, description="Channel code."),
    ]

    def category(self, request, category_id: str):
        channel_code = request.query_params.get("channel")
        if not channel_code:
            raise ValidationFailed([("channel", "Name the category's channel.")])
        channel, _ = selectors.context_get(tenant=self.tenant, channel=channel_code, locale=None)
        return selectors.category_get(
            tenant=self.tenant, category_id=int(category_id), channel=channel
        )

    @extend_schema(parameters=category_params, responses=CategoryMediaOutput)
    def get(self, request, tenant: str, category_id: str):
        category = self.category(request, category_id)
        return Response(selectors.category_media_view(tenant=self.tenant, category=category))

    @extend_schema(
        parameters=category_params, request=CategoryMediaInput, responses=CategoryMediaOutput
    )
    def put(self, request, tenant: str, category_id: str):
        category = self.category(request, category_id)
        if not isinstance(request.data, dict) or "media" not in request.data:
            raise ValidationFailed([("media", "This field is required (an image id or null).")])
        services.category_media_set(
            tenant=self.tenant, category=category, media_id=request.data["media"], user=request.user
        )
        return Response(selectors.category_media_view(tenant=self.tenant, category=category))

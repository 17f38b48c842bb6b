"""The shop read API (SPEC §3): published, flattened media; public, cached, ETag-aware.

Only published content is served here, and published media have public URLs anyway, so
shops and POS clients read without credentials and without a per-request auth query.
"""

from django.http import HttpResponse, HttpResponseNotModified
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from media_library.availability import availability_sweep_inline
from publishing import shop
from tenants.api.errors import domain_error_response
from tenants.exceptions import DomainError

LOCALE_PARAM = OpenApiParameter("locale", str, description="Locale code (default: neutral)")


def _respond(request, rendered: shop.RenderedMedia) -> HttpResponse:
    etag = f'"{rendered.etag}"'
    asked = request.headers.get("If-None-Match", "")
    if etag in asked or asked.strip() == "*":  # "*": any current representation (RFC 9110)
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(rendered.body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=60"
    return response


class PublicReadApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        availability_sweep_inline()  # R27 where no beat runs (every shop read); else a no-op


class FastReadApi(PublicReadApi):
    """A shop read answers GET without DRF's per-request machinery (request wrapping,
    content negotiation, authentication, permission and throttle checks: it has no
    credentials, no body and one JSON form), which cost as much as the read itself once
    the answer is cached. Other methods, and the OpenAPI schema, still go through DRF;
    errors keep the shared JSON shape."""

    def dispatch(self, request, *args, **kwargs):
        if request.method != "GET":
            return super().dispatch(request, *args, **kwargs)
        availability_sweep_inline()  # R27 where no beat runs; a no-op with a broker
        try:
            return self.read(request, **kwargs)
        except DomainError as exc:
            return domain_error_response(exc)

    def get(self, request, **kwargs):
        return self.read(request._request, **kwargs)

    def read(self, request, **kwargs) -> HttpResponse:
        raise NotImplementedError


class ShopProductMediaApi(FastReadApi):
    @extend_schema(
        operation_id="shop_product_media",
        parameters=[LOCALE_PARAM],
        responses={200: OpenApiTypes.OBJECT, 304: None, 404: OpenApiTypes.OBJECT},
    )
    def get(self, request, **kwargs):
        """Default image, primary list, additional by purpose and swatches of a product or variant."""
        return super().get(request, **kwargs)

    def read(self, request, tenant: str, channel: str, number: str) -> HttpResponse:
        rendered = shop.shop_product_media(
            tenant_slug=tenant, channel=channel, locale=request.GET.get("locale"), number=number
        )
        return _respond(request, rendered)


class ShopDefaultImagesApi(PublicReadApi):
    @extend_schema(
        operation_id="shop_default_images",
        parameters=[
            LOCALE_PARAM,
            OpenApiParameter(
                "numbers",
                str,
                description="Comma-separated product or variant numbers (at most 500)",
            ),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, tenant: str, channel: str):
        """Default images of many products in one call, for lists and search results (R11)."""
        numbers = [n for n in request.query_params.get("numbers", "").split(",") if n.strip()]
        if not numbers:
            raise DomainError("Give one or more product numbers, comma-separated.", field="numbers")
        if len(numbers) > 500:
            raise DomainError("At most 500 numbers per call.", field="numbers")
        results = shop.shop_product_default_images(
            tenant_slug=tenant,
            channel=channel,
            locale=request.query_params.get("locale"),
            numbers=[n.strip() for n in numbers],
        )
        return Response({"results": results})


class ShopCategoryMediaApi(FastReadApi):
    @extend_schema(
        operation_id="shop_category_media",
        responses={200: OpenApiTypes.OBJECT, 304: None, 404: OpenApiTypes.OBJECT},
    )
    def get(self, request, **kwargs):
        """A category's published default image in the channel."""
        return super().get(request, **kwargs)

    def read(self, request, tenant: str, channel: str, category_id: int) -> HttpResponse:
        return _respond(
            request,
            shop.shop_category_media(tenant_slug=tenant, channel=channel, category_id=category_id),
        )

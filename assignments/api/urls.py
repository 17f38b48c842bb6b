"""Assignment routes under /api/v1/tenants/{tenant}/ (SPEC §3); trailing slash optional,
product numbers may contain anything but a slash. `media/publish` belongs to publishing."""

from django.urls import re_path

from . import views

PRODUCT_MEDIA = r"^products/(?P<number>[^/]+)/media"

urlpatterns = [
    re_path(rf"{PRODUCT_MEDIA}/?$", views.ProductMediaDocumentApi.as_view(), name="product-media"),
    re_path(
        rf"{PRODUCT_MEDIA}/checkout/?$",
        views.ProductMediaCheckoutApi.as_view(),
        name="product-media-checkout",
    ),
    re_path(
        rf"{PRODUCT_MEDIA}/state/?$",
        views.ProductMediaStateApi.as_view(),
        name="product-media-state",
    ),
    re_path(
        rf"{PRODUCT_MEDIA}/working/primary/?$",
        views.ProductMediaPrimaryApi.as_view(),
        name="product-media-working-primary",
    ),
    re_path(
        rf"{PRODUCT_MEDIA}/working/?$",
        views.ProductMediaWorkingApi.as_view(),
        name="product-media-working",
    ),
    re_path(
        rf"{PRODUCT_MEDIA}/save/?$", views.ProductMediaSaveApi.as_view(), name="product-media-save"
    ),
    re_path(
        rf"{PRODUCT_MEDIA}/checkin/?$",
        views.ProductMediaCheckinApi.as_view(),
        name="product-media-checkin",
    ),
    re_path(
        rf"{PRODUCT_MEDIA}/discard/?$",
        views.ProductMediaDiscardApi.as_view(),
        name="product-media-discard",
    ),
    re_path(
        rf"{PRODUCT_MEDIA}/reset/?$",
        views.ProductMediaResetApi.as_view(),
        name="product-media-reset",
    ),
    re_path(
        rf"{PRODUCT_MEDIA}/preview/?$",
        views.ProductMediaPreviewApi.as_view(),
        name="product-media-preview",
    ),
    re_path(
        rf"{PRODUCT_MEDIA}/versions/?$",
        views.ProductMediaVersionsApi.as_view(),
        name="product-media-versions",
    ),
    re_path(
        rf"{PRODUCT_MEDIA}/versions/(?P<version>[0-9]+)/restore/?$",
        views.ProductMediaVersionRestoreApi.as_view(),
        name="product-media-version-restore",
    ),
    re_path(
        rf"{PRODUCT_MEDIA}/coverage/?$",
        views.ProductMediaCoverageApi.as_view(),
        name="product-media-coverage",
    ),
    re_path(r"^purposes/?$", views.PurposeListApi.as_view(), name="purpose-list"),
    re_path(
        r"^categories/(?P<category_id>[0-9]+)/media/?$",
        views.CategoryMediaApi.as_view(),
        name="category-media",
    ),
]

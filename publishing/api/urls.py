from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from .shop_views import ShopCategoryMediaApi, ShopDefaultImagesApi, ShopProductMediaApi
from .views import CategoryPublishApi, JobViewSet, ProductPublishApi, PublishGroupViewSet

router = SimpleRouter()
router.trailing_slash = "/?"  # accept both /jobs/1/retry and /jobs/1/retry/
router.register("jobs", JobViewSet, basename="job")
router.register("publish-groups", PublishGroupViewSet, basename="publish-group")

urlpatterns = [
    re_path(
        r"^products/(?P<number>[^/]+)/media/publish/?$",
        ProductPublishApi.as_view(),
        name="product-media-publish",
    ),
    re_path(
        r"^categories/(?P<category_id>[0-9]+)/media/publish/?$",
        CategoryPublishApi.as_view(),
        name="category-media-publish",
    ),
    path(
        "channels/<slug:channel>/products/media",
        ShopDefaultImagesApi.as_view(),
        name="shop-default-images",
    ),
    path(
        "channels/<slug:channel>/products/<str:number>/media",
        ShopProductMediaApi.as_view(),
        name="shop-product-media",
    ),
    path(
        "channels/<slug:channel>/categories/<int:category_id>/media",
        ShopCategoryMediaApi.as_view(),
        name="shop-category-media",
    ),
    *router.urls,
]

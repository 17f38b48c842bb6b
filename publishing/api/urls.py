from django.urls import re_path
from rest_framework.routers import SimpleRouter

from .changes_views import ChangeFeedApi
from .views import CategoryPublishApi, ProductPublishApi, PublishGroupViewSet

router = SimpleRouter()
router.trailing_slash = "/?"  # accept both /publish-groups/1/publish and .../publish/
router.register("publish-groups", PublishGroupViewSet, basename="publish-group")

urlpatterns = [
    re_path(r"^changes/?$", ChangeFeedApi.as_view(), name="change-feed"),
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
    *router.urls,
]

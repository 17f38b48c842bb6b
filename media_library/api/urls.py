from django.urls import path
from rest_framework.routers import SimpleRouter

from .library import MediaBulkApi, MediaFacetsApi, MediaPreviewApi
from .views import MediaItemViewSet

router = SimpleRouter()
router.register("media", MediaItemViewSet, basename="media")

urlpatterns = [
    path("media/facets", MediaFacetsApi.as_view(), name="media-facets"),
    path("media/bulk", MediaBulkApi.as_view(), name="media-bulk"),
    path("media/<int:pk>/preview", MediaPreviewApi.as_view(), name="media-preview"),
    *router.urls,
]

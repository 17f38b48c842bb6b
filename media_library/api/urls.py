from rest_framework.routers import SimpleRouter

from .views import MediaItemViewSet

router = SimpleRouter()
router.register("media", MediaItemViewSet, basename="media")

urlpatterns = router.urls

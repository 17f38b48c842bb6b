from rest_framework.routers import SimpleRouter

from .views import ChannelViewSet, LocaleViewSet, MembershipViewSet

router = SimpleRouter()
router.register("channels", ChannelViewSet, basename="channel")
router.register("locales", LocaleViewSet, basename="locale")
router.register("members", MembershipViewSet, basename="member")

urlpatterns = router.urls

from django.urls import path
from rest_framework.routers import SimpleRouter

from .audit import AuditEventListApi
from .jobs import JobViewSet
from .views import ChannelViewSet, LocaleViewSet, MembershipViewSet

router = SimpleRouter()
router.register("channels", ChannelViewSet, basename="channel")
router.register("locales", LocaleViewSet, basename="locale")
router.register("members", MembershipViewSet, basename="member")

jobs_router = SimpleRouter()
jobs_router.trailing_slash = "/?"  # accept both /jobs/1/retry and /jobs/1/retry/
jobs_router.register("jobs", JobViewSet, basename="job")

urlpatterns = [
    *router.urls,
    *jobs_router.urls,
    path("audit/", AuditEventListApi.as_view(), name="audit-list"),
]

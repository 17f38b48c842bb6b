from django.urls import re_path
from rest_framework.routers import SimpleRouter

from .views import (
    WebhookDeliveryDetailApi,
    WebhookDeliveryListApi,
    WebhookRedeliverApi,
    WebhookViewSet,
)

router = SimpleRouter()
router.trailing_slash = "/?"
router.register("webhooks", WebhookViewSet, basename="webhook")

urlpatterns = [
    re_path(
        r"^webhooks/(?P<pk>[0-9]+)/deliveries/?$",
        WebhookDeliveryListApi.as_view(),
        name="webhook-deliveries",
    ),
    re_path(
        r"^webhooks/(?P<pk>[0-9]+)/deliveries/(?P<delivery>[0-9]+)/?$",
        WebhookDeliveryDetailApi.as_view(),
        name="webhook-delivery-detail",
    ),
    re_path(
        r"^webhooks/(?P<pk>[0-9]+)/deliveries/(?P<delivery>[0-9]+)/redeliver/?$",
        WebhookRedeliverApi.as_view(),
        name="webhook-delivery-redeliver",
    ),
    *router.urls,
]

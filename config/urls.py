from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from assignments.manifests.admin import manifest_import_view
from tenants.api.views import HealthApi, TenantListApi, UserPreferenceApi

tenant_api = [
    path("", include("tenants.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("media_library.api.urls")),
    path("", include("assignments.api.urls")),
    path("", include("publishing.api.urls")),
    path("", include("assignments.manifests.urls")),
]

urlpatterns = [
    # The shop read API first: it is the hot path (SPEC §5), and patterns are tried in order.
    path(
        "api/v1/tenants/<slug:tenant>/channels/<slug:channel>/", include("publishing.api.shop_urls")
    ),
    path("", RedirectView.as_view(url="/workspace/", permanent=False)),
    path("accounts/", include("django.contrib.auth.urls")),
    path(
        "admin/manifests/import/",
        admin.site.admin_view(manifest_import_view),
        name="admin-manifest-import",
    ),
    path("admin/", admin.site.urls),
    path("p/", include("media_library.urls")),
    path("workspace/", include("assignments.workspace.urls")),
    path("api/v1/health", HealthApi.as_view(), name="health"),
    path("api/v1/me/preferences/<str:key>", UserPreferenceApi.as_view(), name="user-preference"),
    path("api/v1/tenants/", TenantListApi.as_view(), name="tenant-list"),
    path("api/v1/tenants/<slug:tenant>/", include(tenant_api)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)


def api_aware_404(request, exception=None):
    """Unmatched API paths (e.g. a non-numeric id) answer JSON like every other API error."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        reason = "No such resource."
        return JsonResponse(
            {"detail": reason, "code": "not_found", "errors": [{"field": None, "reason": reason}]},
            status=404,
        )
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


handler404 = api_aware_404

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from assignments.manifests.admin import manifest_import_view
from media_library.serving import media_public_storage_file, media_storage_file
from tenants.api.health import HealthReadyApi
from tenants.api.middleware import api_path_unmatched
from tenants.api.views import HealthApi, TenantListApi, UserPreferenceApi
from tenants.favicon import favicon

tenant_api = [
    path("", include("tenants.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("media_library.api.urls")),
    path("", include("assignments.api.urls")),
    path("", include("publishing.api.urls")),
    path("", include("assignments.manifests.urls")),
    path("", include("webhooks.api.urls")),
]

urlpatterns = [
    # The shop read API first: it is the hot path (SPEC §5), and patterns are tried in order.
    path(
        "api/v1/tenants/<slug:tenant>/channels/<slug:channel>/", include("publishing.api.shop_urls")
    ),
    path("", RedirectView.as_view(url="/workspace/", permanent=False)),
    path("favicon.ico", favicon, name="favicon"),
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
    path("api/v1/health/ready", HealthReadyApi.as_view(), name="health-ready"),
    path("api/v1/me/preferences/<str:key>", UserPreferenceApi.as_view(), name="user-preference"),
    path("api/v1/tenants/", TenantListApi.as_view(), name="tenant-list"),
    path("api/v1/tenants/<slug:tenant>/", include(tenant_api)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script from this URL (no inline script: the CSP allows none).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]


if settings.MEDIA_URL.startswith("/"):
    # Stored files by path, permission-checked in every set-up (never Django's unchecked
    # development `static()` route): drafts only for the tenant's members (R30).
    urlpatterns.append(
        path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", media_storage_file, name="media-file")
    )
if settings.MEDIA_PUBLIC_URL.startswith("/"):
    # Local public storage: published files under content-hashed names, to anyone, cached
    # for a year. (On S3 the public bucket, or a CDN in front of it, serves them.)
    urlpatterns.append(
        path(
            f"{settings.MEDIA_PUBLIC_URL.strip('/')}/<path:name>",
            media_public_storage_file,
            name="media-public-storage-file",
        )
    )

# Last: an /api/ path nothing matched is retried with its trailing slash added or removed,
# else answers the JSON 404 (tenants.api.middleware).
urlpatterns.append(re_path(r"^api/", api_path_unmatched))

handler404 = "tenants.api.errors.handler404"
handler500 = "tenants.api.errors.handler500"

"""Manifest routes under /api/v1/tenants/{tenant}/ (SPEC §3); trailing slash optional."""

from django.urls import re_path

from .admin import manifest_admin_install
from .api import ManifestExportApi, ManifestImportApi

urlpatterns = [
    re_path(r"^manifests/import/?$", ManifestImportApi.as_view(), name="manifest-import"),
    re_path(r"^manifests/export/?$", ManifestExportApi.as_view(), name="manifest-export"),
]

# The admin's import/export actions live in this package; config/urls.py imports this
# module before it builds the admin's URLs, which is when they must be in place.
manifest_admin_install()

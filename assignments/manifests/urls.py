"""Manifest routes under /api/v1/tenants/{tenant}/ (SPEC §3); trailing slash optional."""

from django.urls import re_path

from .api import ManifestExportApi, ManifestImportApi

urlpatterns = [
    re_path(r"^manifests/import/?$", ManifestImportApi.as_view(), name="manifest-import"),
    re_path(r"^manifests/export/?$", ManifestExportApi.as_view(), name="manifest-export"),
]

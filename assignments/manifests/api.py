"""REST endpoints for manifests (SPEC §3 `manifests`): import as a job, export as a stream."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.api.jobs import JobOutput
from tenants.api.mixins import TenantScopedMixin
from tenants.models import Role

from .export import ExportSelection, NoFiles, manifest_lines, selection_check, zip_stream
from .jobs import import_job_start


class ManifestImportInput(serializers.Serializer):
    manifest = serializers.FileField(
        help_text="The .tsv manifest (UTF-8, optional BOM), or an export's .zip (manifest.tsv "
        "and the files it names)."
    )
    files = serializers.FileField(
        required=False,
        help_text="A .zip with the files MediaImportPath names (not needed with an export's zip).",
    )
    dry_run = serializers.BooleanField(default=False)
    on_error = serializers.ChoiceField(choices=["abort", "skip"], default="abort")


class ManifestImportApi(TenantScopedMixin, APIView):
    """Upload a manifest (and its files as a zip); it runs as an `import` job (R18). The
    job's result file is the result manifest: GET /jobs/{id}/result. Admins only (R1a)."""

    write_role = Role.ADMIN
    resource_name = "manifests"
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": ManifestImportInput}, responses={202: JobOutput})
    def post(self, request, tenant: str):
        data = ManifestImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        job = import_job_start(
            tenant=self.tenant,
            user=request.user,
            manifest=values["manifest"],
            archive=values.get("files"),
            dry_run=values["dry_run"],
            on_error=values["on_error"],
        )
        job.refresh_from_db()
        return Response(
            JobOutput(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
        )


class ManifestExportApi(TenantScopedMixin, APIView):
    """Stream a manifest: `kind=media|assignments`, `products=A,B`, `media_ids=1,2`,
    `locale=` (one locale; all when absent), `include_files=true` for a zip with the files."""

    resource_name = "manifests"

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=["media", "assignments"]),
            OpenApiParameter("products", str, description="comma-separated product numbers"),
            OpenApiParameter("media_ids", str, description="comma-separated media ids"),
            OpenApiParameter("locale", str, description="one locale (default: all)"),
            OpenApiParameter("include_files", bool),
        ],
        responses={
            (200, "text/tab-separated-values"): OpenApiTypes.BINARY,
            (200, "application/zip"): OpenApiTypes.BINARY,  # include_files=true
        },
    )
    def get(self, request, tenant: str):
        params = request.query_params
        products = [p for p in params.get("products", "").split(",") if p.strip()]
        raw_ids = [i for i in params.get("media_ids", "").split(",") if i.strip()]
        media_ids = [int(i) for i in raw_ids if i.strip().isdigit()]
        selection = ExportSelection(
            kind=params.get("kind", "media"),
            product_numbers=products or None,
            media_ids=media_ids if raw_ids else None,
            locale=params.get("locale") or None,
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )
        if len(media_ids) != len(raw_ids):
            from tenants.exceptions import ValidationFailed

            raise ValidationFailed([("media_ids", "Must be comma-separated ids.")])
        selection_check(tenant=self.tenant, selection=selection)
        if params.get("include_files", "").lower() in ("1", "true", "yes"):
            response = StreamingHttpResponse(
                zip_stream(tenant=self.tenant, selection=selection),
                content_type="application/zip",
            )
            extension = "zip"
        else:
            selection.files = NoFiles()  # the TSV alone: no file ids to remember
            response = StreamingHttpResponse(
                (
                    line.encode("utf-8")
                    for line in manifest_lines(tenant=self.tenant, selection=selection)
                ),
                content_type="text/tab-separated-values; charset=utf-8",
            )
            extension = "tsv"
        name = f"{self.tenant.slug}-{selection.kind}.{extension}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

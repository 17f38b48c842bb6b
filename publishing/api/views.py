from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action

from publishing.models import Job
from tenants.api.mixins import TenantScopedMixin
from tenants.exceptions import NotFound

from .serializers import JobOutput


class JobViewSet(TenantScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The jobs list (publish, import, copy) with status and progress (R16, R19)."""

    queryset = Job.objects.select_related("created_by", "tenant")
    serializer_class = JobOutput
    filterset_fields = ["kind", "status"]
    resource_name = "jobs"

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def result(self, request, *args, **kwargs):
        """Download the job's result file (e.g. an import's result manifest)."""
        job = self.get_object()
        if not job.result_file:
            raise NotFound("This job has no result file.", field="result")
        return FileResponse(
            job.result_file.open("rb"),
            as_attachment=True,
            filename=job.result_file.name.rsplit("/", 1)[-1],
        )

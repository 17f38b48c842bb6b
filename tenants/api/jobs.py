"""The jobs API (R16, R19): list, detail, result file, start (kinds that start here) and
retry, for every kind whatever app owns it (tenants.jobs.registry). The list also says
whether a scheduler is running, so nothing queued or scheduled waits silently."""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tenants.exceptions import DomainError, NotFound
from tenants.jobs.registry import job_kind_get, job_kinds_started_by_api
from tenants.jobs.scheduler import scheduler_status
from tenants.jobs.services import job_queue_require, job_retry
from tenants.models import Job, JobStatus, Role

from .mixins import TenantScopedMixin
from .pagination import StandardPagination


class JobOutput(serializers.ModelSerializer):
    created_by = serializers.CharField(
        source="created_by.username", default=None, read_only=True, allow_null=True
    )
    percent = serializers.IntegerField(read_only=True)
    kind_label = serializers.CharField(
        source="get_kind_display", read_only=True, help_text="The kind in plain words."
    )
    status_label = serializers.SerializerMethodField(help_text="The status in plain words.")
    result_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id", "kind", "kind_label", "status", "status_label", "description", "params",
            "progress_done", "progress_total", "percent", "counts", "errors", "attempts",
            "created_by", "created_at", "started_at", "finished_at", "heartbeat_at", "worker",
            "history", "result_url",
        ]  # fmt: skip

    def get_status_label(self, job) -> str:
        # Every failed job can be queued again (job_retry), and the pages offer it.
        if job.status == JobStatus.FAILED:
            return "Failed — retry?"
        return job.get_status_display()

    def get_result_url(self, job) -> str | None:
        if not job.result_file:
            return None
        request = self.context.get("request")
        url = f"/api/v1/tenants/{job.tenant.slug}/jobs/{job.pk}/result"
        return request.build_absolute_uri(url) if request else url


class SchedulerPagination(StandardPagination):
    """Pages of jobs or publish groups, which also say whether a scheduler (Celery beat) was
    seen lately: without one, scheduled groups do not start and dead jobs are not reaped,
    and the pages must say so rather than leave users waiting."""

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["scheduler"] = scheduler_status().as_dict()
        return response

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["scheduler"] = {
            "type": "object",
            "required": ["ok", "last_seen_at", "warning"],
            "properties": {
                "ok": {"type": "boolean", "description": "A scheduler was seen lately."},
                "last_seen_at": {"type": "string", "format": "date-time", "nullable": True},
                "warning": {
                    "type": "string",
                    "nullable": True,
                    "description": "What waits while no scheduler runs; null when one does.",
                },
            },
        }
        paginated["required"] = [*paginated.get("required", []), "scheduler"]
        return paginated


class JobViewSet(TenantScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The jobs list (publish, import, export, copy) with status, progress and history."""

    queryset = Job.objects.select_related("created_by", "tenant")
    serializer_class = JobOutput
    filterset_fields = ["kind", "status"]
    resource_name = "jobs"
    pagination_class = SchedulerPagination  # the list also says whether beat runs
    # Who may retry depends on the job's kind (its start role, R1a, R30): the service
    # decides, with a 403 naming the role; any member may ask.
    action_roles = {"retry": Role.VIEWER}

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={202: JobOutput},
        description="Start a job of a kind that is started here (e.g. `copy`: tenant copy, R19). "
        'The body is `{"kind": ..., ...}` with the kind\'s own fields.',
    )
    def create(self, request, *args, **kwargs):
        if not isinstance(request.data, dict):
            raise DomainError('Send a JSON object: {"kind": ..., ...}.', field="kind")
        kind = request.data.get("kind")
        spec = job_kind_get(kind) if isinstance(kind, str) else None
        starter = spec.api_start_callable() if spec is not None else None
        if starter is None:
            raise DomainError(
                f"Jobs of kind '{kind}' are not started here; use one of: "
                f"{', '.join(job_kinds_started_by_api())}.",
                field="kind",
            )
        job_queue_require()  # 503 before the starter writes anything (issue 12)
        job = starter(tenant=self.tenant, user=request.user, data=request.data)
        job.refresh_from_db()
        return Response(
            JobOutput(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
        )

    @extend_schema(
        responses={
            (200, "text/tab-separated-values"): OpenApiTypes.BINARY,  # an import's result
            (200, "application/zip"): OpenApiTypes.BINARY,  # an export with its files
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
        }
    )
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

    @extend_schema(request=None, responses={202: JobOutput})
    @action(detail=True, methods=["post"])
    def retry(self, request, *args, **kwargs):
        """Run a failed job again with the same parameters.

        Retrying needs the role that may start a job of that kind (R1a, R30): a publisher may
        re-run a publish, not an admin's import. A copy also needs the admin role in its
        source tenant, and an operator's copy (run from manage.py) is retried by operators.
        """
        job = job_retry(job=self.get_object(), user=request.user)
        job.refresh_from_db()
        return Response(
            JobOutput(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
        )

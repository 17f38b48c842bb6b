from rest_framework import serializers

from publishing.models import Job


class JobOutput(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)
    percent = serializers.IntegerField(read_only=True)
    result_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id", "kind", "status", "description", "params", "progress_done", "progress_total", "percent",
            "counts", "errors", "attempts", "created_by", "created_at", "started_at", "finished_at", "result_url",
        ]  # fmt: skip

    def get_result_url(self, job) -> str | None:
        if not job.result_file:
            return None
        request = self.context.get("request")
        url = f"/api/v1/tenants/{job.tenant.slug}/jobs/{job.pk}/result"
        return request.build_absolute_uri(url) if request else url

from rest_framework import serializers

from publishing.models import Job, PublishGroup


class JobOutput(serializers.ModelSerializer):
    created_by = serializers.CharField(
        source="created_by.username", default=None, read_only=True, allow_null=True
    )
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


class PublishInput(serializers.Serializer):
    publish_dependencies = serializers.BooleanField(default=False)
    all_contexts = serializers.BooleanField(
        default=False,
        help_text="Publish the drafts of every channel and locale, not only ?channel=&locale=",
    )


class CategoryPublishInput(serializers.Serializer):
    publish_dependencies = serializers.BooleanField(default=False)


class PublishGroupOutput(serializers.ModelSerializer):
    channel = serializers.CharField(source="channel.code", default=None, allow_null=True)
    locale = serializers.CharField(source="locale.code", default=None, allow_null=True)
    products = serializers.SerializerMethodField()
    last_job = JobOutput(read_only=True, allow_null=True)

    class Meta:
        model = PublishGroup
        fields = [
            "id", "name", "channel", "locale", "products", "publish_dependencies", "status",
            "scheduled_at", "last_job", "created_at", "updated_at",
        ]  # fmt: skip

    def get_products(self, group) -> list[str]:
        return sorted(p.number for p in group.products.all())


class PublishGroupCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    channel = serializers.CharField(required=False, allow_null=True, default=None)
    locale = serializers.CharField(required=False, allow_null=True, default=None)
    products = serializers.ListField(child=serializers.CharField(), default=list, max_length=2000)
    publish_dependencies = serializers.BooleanField(default=False)


class PublishGroupUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    products = serializers.ListField(child=serializers.CharField(), required=False, max_length=2000)
    add = serializers.ListField(child=serializers.CharField(), default=list)
    remove = serializers.ListField(child=serializers.CharField(), default=list)
    publish_dependencies = serializers.BooleanField(required=False)


class ScheduleInput(serializers.Serializer):
    scheduled_at = serializers.DateTimeField()

from rest_framework import serializers

from publishing.models import PublishGroup, PublishGroupStatus
from tenants.api.jobs import JobOutput
from tenants.jobs.scheduler import scheduler_status


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
    scheduler_warning = serializers.SerializerMethodField(
        help_text="Set on a scheduled group while no scheduler (Celery beat) runs: it would "
        "not start at its time."
    )

    class Meta:
        model = PublishGroup
        fields = [
            "id", "name", "channel", "locale", "products", "publish_dependencies", "status",
            "scheduled_at", "scheduler_warning", "last_job", "created_at", "updated_at",
        ]  # fmt: skip

    def get_products(self, group) -> list[str]:
        return sorted(p.number for p in group.products.all())

    def get_scheduler_warning(self, group) -> str | None:
        if group.status != PublishGroupStatus.SCHEDULED:
            return None
        if "scheduler" not in self.context:  # once per response, not per group
            self.context["scheduler"] = scheduler_status()
        return self.context["scheduler"].warning


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

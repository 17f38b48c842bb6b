from django.utils import timezone
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
    items = serializers.SerializerMethodField(help_text="The products with their names.")
    last_job = JobOutput(read_only=True, allow_null=True)
    status_label = serializers.CharField(
        source="get_status_display", read_only=True, help_text="The status in plain words."
    )
    overdue = serializers.SerializerMethodField(
        help_text="Scheduled, and the time has passed without the group starting."
    )
    scheduler_warning = serializers.SerializerMethodField(
        help_text="Set on a scheduled group while no scheduler (Celery beat) runs: it would "
        "not start at its time."
    )

    class Meta:
        model = PublishGroup
        fields = [
            "id", "name", "channel", "locale", "products", "publish_dependencies", "status",
            "status_label", "scheduled_at", "overdue", "scheduler_warning", "items", "last_job",
            "created_at", "updated_at",
        ]  # fmt: skip

    def get_products(self, group) -> list[str]:
        return sorted(p.number for p in group.products.all())

    def get_items(self, group) -> list[dict]:
        return sorted(
            ({"number": p.number, "name": p.name} for p in group.products.all()),
            key=lambda item: item["number"],
        )

    def get_overdue(self, group) -> bool:
        return bool(
            group.status == PublishGroupStatus.SCHEDULED
            and group.scheduled_at
            and group.scheduled_at <= timezone.now()
        )

    def get_scheduler_warning(self, group) -> str | None:
        if group.status != PublishGroupStatus.SCHEDULED:
            return None
        if "scheduler" not in self.context:  # once per response, not per group
            self.context["scheduler"] = scheduler_status()
        warning = self.context["scheduler"].warning
        if warning and self.get_overdue(group):
            return f"The scheduled time has passed and the group has not started. {warning}"
        return warning


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


class GroupProductsInput(serializers.Serializer):
    products = serializers.ListField(
        child=serializers.CharField(max_length=100), min_length=1, max_length=2000
    )


class GroupProblemOutput(serializers.Serializer):
    field = serializers.CharField()
    reason = serializers.CharField()
    product = serializers.CharField(required=False)
    media = serializers.IntegerField(required=False)


class GroupProductReportOutput(serializers.Serializer):
    product = serializers.CharField()
    name = serializers.CharField()
    documents = serializers.IntegerField(help_text="Checked-in drafts it would publish")
    problems = GroupProblemOutput(many=True)
    warnings = serializers.ListField(child=serializers.CharField())


class GroupValidationOutput(serializers.Serializer):
    valid = serializers.BooleanField()
    products = serializers.IntegerField()
    documents_to_publish = serializers.IntegerField()
    dependencies = serializers.ListField(child=serializers.DictField())
    problems = GroupProblemOutput(many=True)
    by_product = GroupProductReportOutput(many=True)


class ScheduleInput(serializers.Serializer):
    scheduled_at = serializers.DateTimeField()

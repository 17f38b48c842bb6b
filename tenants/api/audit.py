"""The audit log API: `GET /api/v1/tenants/{tenant}/audit/`, tenant admins only (R1a).

Rows are written by the services (tenants.audit); this only reads them, newest first,
paged, filtered by `action`, `object_type`, `object_id` and `user` (a username; "system"
for system actions). Unknown query parameters are refused with a 400 naming them, so a
typo never silently widens the list.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from tenants.models import AuditEvent, Role

from .mixins import TenantScopedMixin
from .pagination import StandardPagination
from .query import query_filters_parse


class AuditEventOutput(serializers.ModelSerializer):
    user = serializers.CharField(
        source="username", read_only=True, help_text='Who did it; "system" for a system action.'
    )
    user_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Null once the account is deleted."
    )
    detail = serializers.JSONField(
        read_only=True, help_text="What changed: fields with old and new values, or counts."
    )

    class Meta:
        model = AuditEvent
        fields = [
            "id", "at", "user", "user_id", "action", "object_type", "object_id", "object_label",
            "detail",
        ]  # fmt: skip


class AuditFilterInput(serializers.Serializer):
    action = serializers.CharField(
        required=False, max_length=40, help_text='An action code, e.g. "media.update".'
    )
    object_type = serializers.CharField(
        required=False, max_length=40, help_text='e.g. "mediaitem", "purpose", "publishgroup".'
    )
    object_id = serializers.CharField(required=False, max_length=64)
    user = serializers.CharField(
        required=False, max_length=150, help_text='A username; "system" for system actions.'
    )


def audit_filters_parse(params) -> dict:
    return query_filters_parse(params, AuditFilterInput).validated_data


class AuditEventListApi(TenantScopedMixin, generics.ListAPIView):
    """Who did what in the tenant, newest first (tenant admins only)."""

    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventOutput
    pagination_class = StandardPagination
    filter_backends: list = []
    read_role = Role.ADMIN
    resource_name = "the audit log"

    def describe_action(self, request) -> str:
        return "read the audit log"

    def get_queryset(self):
        queryset = super().get_queryset().order_by("-at", "-pk")
        if getattr(self, "swagger_fake_view", False):
            return queryset
        filters = audit_filters_parse(self.request.query_params)
        if "user" in filters:
            queryset = queryset.filter(username=filters["user"])
        for name in ("action", "object_type", "object_id"):
            if name in filters:
                queryset = queryset.filter(**{name: filters[name]})
        return queryset

    @extend_schema(
        summary="The tenant's audit log (admins only)",
        description=(
            "Every change made through the services (media, purposes, publish groups...), "
            "newest first: who, what action, which object, and what changed. Unknown "
            "parameters are a 400 naming them. Rows older than AUDIT_RETENTION_DAYS are pruned."
        ),
        parameters=[AuditFilterInput],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

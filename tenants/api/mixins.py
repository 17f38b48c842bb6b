"""The one way an API view finds its tenant: the URL slug, checked against membership (R1, R1a)."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS

from tenants.models import Role, Tenant
from tenants.selectors import role_require, tenant_get_for_user

ACTION_WORDS = {
    "retrieve": "view",
    "get": "view",
    "head": "view",
    "update": "change",
    "partial_update": "change",
    "put": "change",
    "patch": "change",
    "destroy": "delete",
    "post": "change",
}


class TenantScopedMixin:
    """Sets `self.tenant` and refuses users without the role the action needs.

    `read_role` guards safe methods, `write_role` the others; `action_roles` maps a viewset
    action (or an APIView's lower-case method name) to a stricter role.
    Querysets always filter by the tenant, so another tenant's ids answer 404.
    """

    read_role: str = Role.VIEWER
    write_role: str = Role.EDITOR
    action_roles: dict[str, str] = {}
    tenant: Tenant

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.tenant = tenant_get_for_user(slug=kwargs.get("tenant", ""), user=request.user)
        role_require(
            tenant=self.tenant,
            user=request.user,
            role=self.get_required_role(request),
            action=self.describe_action(request),
        )

    def get_required_role(self, request) -> str:
        action = getattr(self, "action", None) or request.method.lower()
        if action in self.action_roles:
            return self.action_roles[action]
        return self.read_role if request.method in SAFE_METHODS else self.write_role

    def describe_action(self, request) -> str:
        """What a refusal says the user tried, in words ("change webhooks", "rotate secret
        webhooks"), not DRF's action names ("partial_update")."""
        action = getattr(self, "action", None) or request.method.lower()
        action = ACTION_WORDS.get(action, action.replace("_", " "))
        name = (
            getattr(self, "resource_name", None)
            or self.__class__.__name__.removesuffix("ViewSet").removesuffix("Api").lower()
        )
        return f"{action} {name}"

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        return queryset.filter(tenant=self.tenant)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["tenant"] = getattr(self, "tenant", None)
        return context

from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants import services
from tenants.exceptions import DomainError, NotFound
from tenants.models import Channel, Locale, Membership, Role, Tenant
from tenants.selectors import tenants_for_user, user_preferences

from .mixins import TenantScopedMixin
from .serializers import (
    ChannelSerializer,
    ChannelUpdateInput,
    LocaleSerializer,
    MembershipSerializer,
    TenantOutput,
)

CONFIRM_PARAM = OpenApiParameter(
    "confirm", bool, description="Delete although content still uses it (R22)."
)


def _confirmed(request) -> bool:
    value = request.query_params.get("confirm") or (
        request.data.get("confirm") if hasattr(request.data, "get") else None
    )
    return str(value).lower() in ("1", "true", "yes")


class TenantListApi(ListAPIView):
    """The tenants the caller belongs to, with the caller's role in each."""

    serializer_class = TenantOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Tenant.objects.none()
        return tenants_for_user(user=self.request.user)


class ChannelViewSet(TenantScopedMixin, viewsets.ModelViewSet):
    """Channels: readable by members, managed by tenant admins (R1a, R4)."""

    queryset = Channel.objects.all()
    serializer_class = ChannelSerializer
    lookup_field = "code"
    write_role = Role.ADMIN
    resource_name = "channels"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.channel_create(
            tenant=self.tenant, user=self.request.user, **serializer.validated_data
        )

    def partial_update(self, request, *args, **kwargs):
        data = ChannelUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        channel = services.channel_update(
            channel=self.get_object(), name=data.validated_data["name"], user=request.user
        )
        return Response(ChannelSerializer(channel).data)

    @extend_schema(
        parameters=[CONFIRM_PARAM],
        responses={204: None, 409: OpenApiTypes.OBJECT},
        description="Refused with 409 listing the documents and categories that use it, "
        "unless confirm=true (they are deleted with it).",
    )
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.channel_delete(
            channel=instance, confirm=_confirmed(self.request), user=self.request.user
        )


class LocaleViewSet(TenantScopedMixin, viewsets.ModelViewSet):
    queryset = Locale.objects.all()
    serializer_class = LocaleSerializer
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    write_role = Role.ADMIN
    resource_name = "locales"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.locale_create(
            tenant=self.tenant, user=self.request.user, **serializer.validated_data
        )

    def partial_update(self, request, *args, **kwargs):
        data = ChannelUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        locale = services.locale_update(
            locale=self.get_object(), name=data.validated_data["name"], user=request.user
        )
        return Response(LocaleSerializer(locale).data)

    @extend_schema(
        parameters=[CONFIRM_PARAM],
        responses={204: None, 409: OpenApiTypes.OBJECT},
        description="Refused with 409 listing the documents that use it, unless confirm=true.",
    )
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.locale_delete(
            locale=instance, confirm=_confirmed(self.request), user=self.request.user
        )


class MembershipInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)


class MembershipViewSet(
    TenantScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Members and roles; only tenant admins manage them (R1a). POST upserts a role.

    A tenant admin can add people who already belong to a tenant they administer; any other
    username, existing or not, gets the same answer, so the endpoint cannot be used to find
    out which accounts exist (R1). A tenant always keeps an admin (R30: 409).
    """

    queryset = Membership.objects.select_related("user")
    serializer_class = MembershipSerializer
    lookup_field = "user__username"
    lookup_url_kwarg = "username"
    read_role = Role.ADMIN
    write_role = Role.ADMIN
    resource_name = "members"

    def _addable_user(self, username: str):
        """The account named, if the caller may know it: a member of a tenant they administer."""
        users = get_user_model().objects.filter(username=username)
        if not self.request.user.is_superuser:
            administered = Membership.objects.filter(
                user=self.request.user, role=Role.ADMIN
            ).values("tenant_id")
            users = users.filter(memberships__tenant_id__in=administered)
        user = users.distinct().first()
        if user is None:
            raise DomainError(
                f"No account '{username}' that you can add. Add people who already belong to "
                "a tenant you administer, or ask an operator to create the account.",
                field="username",
            )
        return user

    @extend_schema(request=MembershipInput, responses={201: MembershipSerializer})
    def create(self, request, *args, **kwargs):
        data = MembershipInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_set(
            tenant=self.tenant,
            user=self._addable_user(data.validated_data["username"]),
            role=data.validated_data["role"],
            by=request.user,
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        membership = (
            Membership.objects.filter(tenant=self.tenant, user__username=kwargs["username"])
            .select_related("user")
            .first()
        )
        if membership is None:  # the same answer whether the account exists or not
            raise NotFound(f"No member '{kwargs['username']}' in this tenant.", field="username")
        services.membership_remove(tenant=self.tenant, user=membership.user, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class HealthApi(APIView):
    """Liveness for load balancers; also the trivial DRF endpoint the read-API bench compares to."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response({"status": "ok"})


class UserPreferenceApi(APIView):
    """`/api/v1/me/preferences/{key}`: the caller's own UI preferences (GET, PUT {"value": ...})."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, key: str):
        return Response({"key": key, "value": user_preferences(user=request.user).get(key)})

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
    def put(self, request, key: str):
        if not isinstance(request.data, dict) or "value" not in request.data:
            raise DomainError('Send {"value": ...}.', field="value")
        preference = services.user_preference_set(
            user=request.user, key=key, value=request.data["value"]
        )
        return Response({"key": preference.key, "value": preference.value})

from django.contrib.auth import get_user_model
from rest_framework import serializers

from tenants.models import Channel, Locale, Membership, Role, Tenant


class TenantOutput(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Tenant
        fields = ["slug", "name", "role"]

    def get_role(self, tenant) -> str | None:
        from tenants.selectors import user_role

        return user_role(tenant=tenant, user=self.context["request"].user)


class ChannelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Channel
        fields = ["code", "name", "is_omnichannel"]
        read_only_fields = ["is_omnichannel"]


class ChannelUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)


class LocaleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Locale
        fields = ["code", "name", "language", "is_neutral"]
        read_only_fields = ["language", "is_neutral"]


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.SlugRelatedField(
        source="user", slug_field="username", queryset=get_user_model().objects.all()
    )
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["username", "role", "created_at"]
        read_only_fields = ["created_at"]

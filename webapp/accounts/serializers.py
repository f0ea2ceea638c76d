"""Serializers for the session endpoints."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from webapp.accounts.selectors import user_is_lab_manager
from webapp.sandbox.selectors import sandbox_status


class SandboxLimitsSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    upload = serializers.IntegerField()


class SandboxOfferSerializer(serializers.Serializer):
    available = serializers.BooleanField(help_text="False until the demo catalog is seeded.")
    idle_minutes = serializers.IntegerField(help_text="A sandbox idle this long is removed.")
    limits = SandboxLimitsSerializer()


class SandboxStatusSerializer(serializers.Serializer):
    idle_minutes = serializers.IntegerField()
    expires = serializers.DateTimeField(help_text="When it is removed if nothing else happens.")
    limits = SandboxLimitsSerializer()
    used = SandboxLimitsSerializer()


class UserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    is_lab_manager = serializers.SerializerMethodField()
    sandbox = serializers.SerializerMethodField()

    def get_is_lab_manager(self, user) -> bool:
        return user_is_lab_manager(user)

    @extend_schema_field(SandboxStatusSerializer(allow_null=True))
    def get_sandbox(self, user) -> dict | None:
        status = sandbox_status(user=user)
        return SandboxStatusSerializer(status).data if status else None


class UserEnvelopeSerializer(serializers.Serializer):
    user = UserSerializer()


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=1024, style={"input_type": "password"})


class ApiTokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The token's first characters, to tell tokens apart.")
    created = serializers.DateTimeField()
    last_used = serializers.DateTimeField(allow_null=True)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(help_text="The token itself: shown this once, never stored.")


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)

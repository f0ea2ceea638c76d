"""Serializers for the session endpoints."""
from rest_framework import serializers

from webapp.accounts.selectors import user_is_lab_manager


class UserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    is_lab_manager = serializers.SerializerMethodField()

    def get_is_lab_manager(self, user) -> bool:
        return user_is_lab_manager(user)


class UserEnvelopeSerializer(serializers.Serializer):
    user = UserSerializer()


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=1024, style={"input_type": "password"})

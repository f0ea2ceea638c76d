"""Session endpoints: login, logout, me."""
from django.contrib.auth import authenticate, login, logout
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.accounts.serializers import LoginSerializer, UserEnvelopeSerializer
from webapp.accounts.throttles import (login_check_not_locked, login_enforce_csrf,
                                       login_record_failure, login_record_success)
from webapp.errors import ApplicationError


class LoginApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=LoginSerializer, responses=UserEnvelopeSerializer)
    def post(self, request: Request) -> Response:
        login_enforce_csrf(request._request)
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        guard = {"username": serializer.validated_data["username"],
                 "address": request.META.get("REMOTE_ADDR", "")}
        login_check_not_locked(**guard)
        user = authenticate(request, **serializer.validated_data)
        if user is None:
            login_record_failure(**guard)
            raise ApplicationError("Wrong username or password.", code="bad_credentials")
        login_record_success(**guard)
        login(request._request, user)
        return Response(UserEnvelopeSerializer({"user": user}).data)


class LogoutApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


@method_decorator(ensure_csrf_cookie, name="dispatch")
class MeApi(APIView):
    """Who is signed in; also hands the page its CSRF cookie."""

    @extend_schema(responses=UserEnvelopeSerializer)
    def get(self, request: Request) -> Response:
        return Response(UserEnvelopeSerializer({"user": request.user}).data)

"""Account endpoints: login, logout, me, API tokens."""

from django.contrib.auth import authenticate, login, logout
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.accounts.selectors import api_token_list
from webapp.accounts.serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    LoginSerializer,
    SandboxOfferSerializer,
    UserEnvelopeSerializer,
)
from webapp.accounts.services import api_token_create, api_token_revoke
from webapp.accounts.throttles import (
    login_check_not_locked,
    login_enforce_csrf,
    login_record_failure,
    login_record_success,
)
from webapp.errors import ApplicationError
from webapp.sandbox.selectors import sandbox_offer
from webapp.sandbox.services import sandbox_start


class LoginApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=LoginSerializer, responses=UserEnvelopeSerializer)
    def post(self, request: Request) -> Response:
        login_enforce_csrf(request._request)
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        guard = {
            "username": serializer.validated_data["username"],
            "address": request.META.get("REMOTE_ADDR", ""),
        }
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


class ApiTokenListApi(GenericAPIView):
    """The signed-in user's API tokens: list them, or make one (its text is in this answer only)."""

    serializer_class = ApiTokenSerializer
    pagination_class = None

    @extend_schema(responses=ApiTokenSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(ApiTokenSerializer(api_token_list(user=request.user), many=True).data)

    @extend_schema(request=ApiTokenCreateSerializer, responses={201: ApiTokenCreatedSerializer})
    def post(self, request: Request) -> Response:
        serializer = ApiTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, raw = api_token_create(user=request.user, name=serializer.validated_data["name"])
        data = dict(ApiTokenSerializer(token).data, token=raw)
        return Response(ApiTokenCreatedSerializer(data).data, status=status.HTTP_201_CREATED)


class ApiTokenDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, token_id: int) -> Response:
        api_token_revoke(user=request.user, token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SandboxApi(APIView):
    """ "Try the demo": sign the visitor into a fresh private sandbox (no account needed)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=SandboxOfferSerializer)
    def get(self, request: Request) -> Response:
        return Response(SandboxOfferSerializer(sandbox_offer()).data)

    @extend_schema(request=None, responses={201: UserEnvelopeSerializer})
    def post(self, request: Request) -> Response:
        sandbox = sandbox_start()
        login(request._request, sandbox.user, backend="django.contrib.auth.backends.ModelBackend")
        return Response(UserEnvelopeSerializer({"user": sandbox.user}).data, status=status.HTTP_201_CREATED)

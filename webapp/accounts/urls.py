from django.urls import path

from webapp.accounts import api

urlpatterns = [
    path("login/", api.LoginApi.as_view(), name="auth-login"),
    path("logout/", api.LogoutApi.as_view(), name="auth-logout"),
    path("me/", api.MeApi.as_view(), name="auth-me"),
    path("sandbox/", api.SandboxApi.as_view(), name="auth-sandbox"),
    path("tokens/", api.ApiTokenListApi.as_view(), name="auth-token-list"),
    path("tokens/<int:token_id>/", api.ApiTokenDetailApi.as_view(), name="auth-token-detail"),
]

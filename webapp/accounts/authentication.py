"""DRF authentication by personal API token: ``Authorization: Token <t>`` or ``Bearer <t>``."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

SCHEMES = ("token", "bearer")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Look the token up by its SHA-256; a request without the header falls through to sessions."""

    def authenticate(self, request: Request):
        # Imported here: DRF imports this class while rest_framework.views is still loading.
        from webapp.accounts.selectors import api_token_find
        from webapp.accounts.services import api_token_touch

        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() not in SCHEMES:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Malformed Authorization header: send 'Authorization: Token <token>'."
            )
        token = api_token_find(raw=header[1].decode(errors="replace"))
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                "Unknown or revoked API token: create a new one under Settings -> API tokens."
            )
        api_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Token realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describes the token scheme in the OpenAPI schema."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (Settings -> API tokens), sent as "
            "'Authorization: Token <token>' or 'Authorization: Bearer <token>'.",
        }

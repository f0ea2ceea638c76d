"""Token authentication for WebSockets (``?token=<key>``), next to Channels' session auth."""

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware


@database_sync_to_async
def _user_for_token(key: str):
    from webapp.accounts.selectors import api_token_find

    token = api_token_find(raw=key)
    return token.user if token and token.user.is_active else None


class TokenAuthMiddleware(BaseMiddleware):
    """Use ``?token=`` when the session did not sign anyone in (browsers cannot set headers)."""

    async def __call__(self, scope, receive, send):
        user = scope.get("user")
        if user is None or not user.is_authenticated:
            keys = parse_qs(scope.get("query_string", b"").decode()).get("token")
            if keys:
                token_user = await _user_for_token(keys[0])
                if token_user is not None:
                    scope = dict(scope, user=token_user)
        return await super().__call__(scope, receive, send)

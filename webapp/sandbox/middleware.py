"""Keeps a signed-in sandbox's ``last_seen`` current, so that the cleanup spares active visitors."""

from webapp.sandbox.services import SANDBOX_USERNAME_PREFIX, sandbox_touch


class SandboxActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.username.startswith(SANDBOX_USERNAME_PREFIX):
            sandbox_touch(user=user)
        return self.get_response(request)

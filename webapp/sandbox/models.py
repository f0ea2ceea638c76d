"""Sandboxes: throwaway accounts made by "Try the demo", removed after a stated idle time."""

from django.conf import settings
from django.db import models


class Sandbox(models.Model):
    """A visitor's private demo account; ``last_seen`` is moved on by their requests."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sandbox")
    created = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["last_seen"])]

    def __str__(self) -> str:
        return f"Sandbox of {self.user_id}"

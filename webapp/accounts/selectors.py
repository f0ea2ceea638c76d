"""Reads about users."""
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def user_is_lab_manager(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Return True for superusers and members of the ``lab-managers`` group."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    # Cached on the instance: visibility checks ask this many times per request.
    cached = getattr(user, "_is_lab_manager", None)
    if cached is None:
        cached = user.groups.filter(name=settings.LAB_MANAGERS_GROUP).exists()
        user._is_lab_manager = cached
    return cached

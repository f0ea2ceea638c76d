"""Reads about users and their API tokens."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from webapp.accounts.models import ApiToken
from webapp.accounts.tokens import token_digest


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


def api_token_list(*, user: AbstractBaseUser) -> QuerySet[ApiToken]:
    """The user's API tokens, newest first (names and prefixes; the tokens themselves are not kept)."""
    return ApiToken.objects.filter(user=user)


def api_token_find(*, raw: str) -> ApiToken | None:
    """Return the token row whose digest matches ``raw`` (with its user), or None."""
    return ApiToken.objects.select_related("user").filter(digest=token_digest(raw)).first()

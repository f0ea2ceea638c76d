"""Writes about users: the lab-managers group, demo accounts and API tokens."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import transaction
from django.utils import timezone

from webapp.accounts.models import ApiToken
from webapp.accounts.tokens import TOKEN_PREFIX_SHOWN, token_digest, token_generate
from webapp.errors import ApplicationError


@transaction.atomic
def user_ensure(*, username: str, password: str, lab_manager: bool = False) -> AbstractBaseUser:
    """Create the user if missing (setting the password only then) and set its lab-manager role.

    Args:
        username: login name.
        password: password used when the user is created.
        lab_manager: whether the user belongs to the ``lab-managers`` group.

    Returns:
        The user.
    """
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    group, _ = Group.objects.get_or_create(name=settings.LAB_MANAGERS_GROUP)
    if lab_manager:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    return user


API_TOKENS_PER_USER = 20


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """Make a named API token for the user; only its SHA-256 is stored.

    Args:
        user: the token's owner; requests with the token act as this user.
        name: what the token is for, e.g. ``"nightly sweep"``.

    Returns:
        The stored token row and the plaintext token (shown to the user once, never again).
    """
    name = name.strip()
    if not name:
        raise ApplicationError(
            "Give the token a name that says what it is for.", code="invalid", details={"name": ["Required."]}
        )
    if ApiToken.objects.select_for_update().filter(user=user).count() >= API_TOKENS_PER_USER:
        raise ApplicationError(
            f"You already have {API_TOKENS_PER_USER} tokens; revoke one you no longer use first.",
            code="token_limit",
            status=409,
        )
    raw = token_generate()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:TOKEN_PREFIX_SHOWN], digest=token_digest(raw)
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: AbstractBaseUser, token_id: int) -> None:
    """Delete one of the user's tokens; requests that carry it are refused from now on."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise ApplicationError(f"You have no token #{token_id}.", code="not_found", status=404)


def api_token_touch(*, token: ApiToken) -> None:
    """Record that the token was used (at most once a minute, to keep reads cheap)."""
    now = timezone.now()
    if token.last_used is None or now - token.last_used > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)

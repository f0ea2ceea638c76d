"""Writes about users: the lab-managers group and demo accounts."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import transaction


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

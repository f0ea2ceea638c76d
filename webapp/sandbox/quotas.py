"""Sandbox quotas, checked by the services that create jobs and store uploads.

Kept apart from ``services`` so that the jobs and catalog services can import it without a cycle.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from webapp.errors import ApplicationError


class SandboxResource(models.TextChoices):
    JOB = "job", "training jobs"
    UPLOAD = "upload", "module uploads"


def sandbox_limits() -> dict[str, int]:
    """The sandbox's quotas by resource, from settings (the one place they are written)."""
    return {
        SandboxResource.JOB: settings.SANDBOX_MAX_JOBS,
        SandboxResource.UPLOAD: settings.SANDBOX_MAX_UPLOADS,
    }


def sandbox_used(user: AbstractBaseUser, resource: str) -> int:
    """How much of a quota the user has used."""
    from webapp.catalog.models import Module
    from webapp.jobs.models import Job

    if resource == SandboxResource.JOB:
        return Job.objects.filter(owner=user).count()
    # Adapters that jobs trained are the user's too; only uploads count against the quota.
    return Module.objects.filter(owner=user, producing_jobs__isnull=True).count()


def sandbox_quota_check(*, user: AbstractBaseUser, resource: SandboxResource) -> None:
    """Raise a 429 ApplicationError when a sandbox user has used up a quota; others pass.

    Args:
        user: who asks to create a job or upload a module.
        resource: which quota to check.
    """
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "sandbox"):
        return
    limit = sandbox_limits()[resource]
    if sandbox_used(user, resource) >= limit:
        raise ApplicationError(
            f"The demo sandbox allows {limit} {SandboxResource(resource).label}, and you have used "
            "them all. Delete something, or sign in with a full account to go on.",
            code="sandbox_quota",
            status=429,
            details={"resource": resource, "limit": limit},
        )

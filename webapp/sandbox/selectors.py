"""Reads about sandboxes: what the demo offers, and where a visitor's sandbox stands."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from webapp.embedded.services import DEMO_USERNAME, EXAMPLE_GRAPH
from webapp.graphs.models import Graph
from webapp.sandbox.models import Sandbox
from webapp.sandbox.quotas import SandboxResource, sandbox_limits, sandbox_used
from webapp.sandbox.services import sandbox_idle_limit


def sandbox_offer() -> dict[str, Any]:
    """What "Try the demo" gives, for the login page: whether it is set up, idle time, quotas."""
    available = Graph.objects.filter(owner__username=DEMO_USERNAME, name=EXAMPLE_GRAPH).exists()
    return {
        "available": available,
        "idle_minutes": int(sandbox_idle_limit().total_seconds() // 60),
        "limits": sandbox_limits(),
    }


def sandbox_status(*, user: AbstractBaseUser) -> dict[str, Any] | None:
    """The user's sandbox: idle limit, when it expires if left alone, quotas and use; else None."""
    sandbox = Sandbox.objects.filter(user=user).first()
    if sandbox is None:
        return None
    return {
        "idle_minutes": int(sandbox_idle_limit().total_seconds() // 60),
        "expires": sandbox.last_seen + sandbox_idle_limit(),
        "limits": sandbox_limits(),
        "used": {resource: sandbox_used(user, resource) for resource in SandboxResource},
    }

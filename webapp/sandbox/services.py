"""Writes for sandboxes: start one from "Try the demo", keep it alive, and clear out idle ones.

Why a private copy each rather than one shared read-only demo: the demo's point is to connect
two modules and watch an adapter train, which a read-only graph cannot show, and visitors must not
see or undo each other's work. The teachers are shared (public, owned by the demo account), so a
sandbox costs a user, one small graph and the adapters it trains; quotas bound that, and the
cleanup reclaims it.
"""

from __future__ import annotations

import logging
import secrets
import shutil
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from webapp.catalog.models import Module
from webapp.catalog.storage import module_folder
from webapp.embedded.services import DEMO_USERNAME, EXAMPLE_GRAPH
from webapp.errors import ApplicationError
from webapp.graphs.models import Graph, Node
from webapp.graphs.selectors import graph_document
from webapp.graphs.services import graph_import
from webapp.jobs.models import FINISHED_STATUSES, Job
from webapp.jobs.services import job_cancel
from webapp.sandbox.models import Sandbox

logger = logging.getLogger(__name__)

SANDBOX_USERNAME_PREFIX = "sandbox-"
TOUCH_INTERVAL = timedelta(minutes=1)


def sandbox_idle_limit() -> timedelta:
    """How long a sandbox may sit unused before the cleanup removes it."""
    return timedelta(minutes=settings.SANDBOX_IDLE_MINUTES)


def _example_graph() -> Graph:
    graph = Graph.objects.filter(owner__username=DEMO_USERNAME, name=EXAMPLE_GRAPH).first()
    if graph is None:
        raise ApplicationError(
            "The demo is not set up on this server yet. An administrator can set it up with "
            "'python manage.py seed_demo'; until then, sign in with an account.",
            code="demo_unavailable",
            status=409,
        )
    return graph


@transaction.atomic
def sandbox_start() -> Sandbox:
    """Make a throwaway account with a private copy of the example graph.

    Returns:
        The new sandbox; the caller signs its user in.
    """
    example = _example_graph()
    user = get_user_model().objects.create_user(
        username=f"{SANDBOX_USERNAME_PREFIX}{secrets.token_hex(4)}"
    )  # no password: session only
    sandbox = Sandbox.objects.create(user=user, last_seen=timezone.now())
    graph_import(owner=user, document=graph_document(graph=example))
    transaction.on_commit(lambda: _schedule_expiry(sandbox.id, sandbox_idle_limit()))
    return sandbox


def _schedule_expiry(sandbox_id: int, delay: timedelta) -> None:
    from webapp.sandbox.actors import sandbox_expire

    sandbox_expire.send_with_options(args=(sandbox_id,), delay=int(delay.total_seconds() * 1000) + 1000)


def sandbox_touch(*, user: AbstractBaseUser) -> None:
    """Move the user's sandbox's ``last_seen`` on (at most once a minute); others are left alone."""
    now = timezone.now()
    Sandbox.objects.filter(user=user, last_seen__lt=now - TOUCH_INTERVAL).update(last_seen=now)


def _modules_used_by_others(user: AbstractBaseUser) -> list[Module]:
    """The sandbox's modules that other users' graphs or jobs point at (a reused adapter)."""
    others = ~Q(owner=user)
    used_in_nodes = Node.objects.filter(module__owner=user).exclude(graph__owner=user)
    used_in_jobs = Job.objects.filter(others, adapter__owner=user)
    ids = set(used_in_nodes.values_list("module_id", flat=True))
    ids |= set(used_in_jobs.values_list("adapter_id", flat=True))
    return list(Module.objects.filter(id__in=ids))


@transaction.atomic
def sandbox_delete(*, sandbox: Sandbox) -> None:
    """Remove a sandbox: its account, graphs, jobs and modules, and the modules' files.

    A module another user relies on (an adapter their job reused) is handed to the demo account
    instead of deleted, so nobody else's work breaks.
    """
    user = sandbox.user
    for job in Job.objects.filter(owner=user).exclude(status__in=FINISHED_STATUSES):
        job_cancel(job=job)
    demo = get_user_model().objects.get(username=DEMO_USERNAME)
    for module in _modules_used_by_others(user):
        module.owner = demo
        module.save(update_fields=["owner"])
    folders = [module_folder(module) for module in Module.objects.filter(owner=user)]
    user.delete()  # cascades to the sandbox row, graphs, nodes, edges, jobs and modules
    transaction.on_commit(lambda: [shutil.rmtree(folder, ignore_errors=True) for folder in folders])


def sandbox_expired() -> list[Sandbox]:
    """Sandboxes idle for longer than the stated limit."""
    cutoff = timezone.now() - sandbox_idle_limit()
    return list(Sandbox.objects.select_related("user").filter(last_seen__lt=cutoff))


def sandbox_cleanup() -> int:
    """Delete every expired sandbox; return how many went."""
    expired = sandbox_expired()
    for sandbox in expired:
        sandbox_delete(sandbox=sandbox)
        logger.info("removed idle sandbox %s", sandbox.user.username)
    return len(expired)


def sandbox_expire_or_reschedule(*, sandbox_id: int) -> bool:
    """Delete the sandbox if it has been idle too long, else check again when it could be.

    Returns:
        True when the sandbox is gone (deleted now or before).
    """
    sandbox = Sandbox.objects.select_related("user").filter(pk=sandbox_id).first()
    if sandbox is None:
        return True
    idle_until = sandbox.last_seen + sandbox_idle_limit()
    if idle_until <= timezone.now():
        sandbox_delete(sandbox=sandbox)
        return True
    _schedule_expiry(sandbox.id, idle_until - timezone.now())
    return False

"""Reads from the catalog: who sees what, search and filters, facets, lineage, usage, integrity,
downloads."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, F, FloatField, Q, QuerySet
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast

from webapp.accounts.selectors import user_is_lab_manager
from webapp.catalog.models import Module, ModuleParent, Visibility
from webapp.catalog.storage import MODULE_FILES, WEIGHTS_FILE, module_zip_stream
from webapp.errors import ApplicationError
from webapp.storage.blobs import MODULES, blob_open, blob_storage, iter_chunks

_METRIC_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
USAGE_LIMIT = 50
ORDERINGS = ("created", "-created", "name", "-name", "metric", "-metric")


def visible_to(queryset: QuerySet, *, user: AbstractBaseUser) -> QuerySet:
    """The one visibility rule of the catalog (modules and datasets): lab managers see the whole lab,
    others public rows and their own."""
    if user_is_lab_manager(user):
        return queryset
    return queryset.filter(Q(visibility=Visibility.PUBLIC) | Q(owner_id=user.id))


def module_visible(*, user: AbstractBaseUser) -> QuerySet[Module]:
    """Modules the user may see (`visible_to`)."""
    return visible_to(
        Module.objects.select_related("owner", "teacher").prefetch_related("parent_links"), user=user
    )


def module_get(*, user: AbstractBaseUser, module_id: int) -> Module:
    """Return a module the user may see, or raise a 404 ApplicationError."""
    module = module_visible(user=user).filter(pk=module_id).first()
    if module is None:
        raise ApplicationError(
            f"Module #{module_id} does not exist or is not visible to you.", code="not_found", status=404
        )
    return module


def _metric_name(filters: dict[str, Any]) -> str | None:
    metric = filters.get("metric") or None
    if metric is not None and not _METRIC_NAME.match(metric):
        raise ApplicationError(
            f"Unknown metric name {metric!r}.",
            code="invalid",
            details={"metric": ["Use a metric name such as 'error'."]},
        )
    return metric


def module_list(*, user: AbstractBaseUser, filters: dict[str, Any]) -> QuerySet[Module]:
    """Filter, search and sort the visible modules.

    Args:
        user: the reader.
        filters: validated query parameters: ``kind``, ``category``, ``task``, ``architecture``,
            ``owner`` (username), ``visibility``, ``search``, ``metric`` with ``metric_min`` /
            ``metric_max``, and ``ordering``.
    """
    queryset = module_visible(user=user)
    for field in ("kind", "task", "architecture", "visibility"):
        if filters.get(field):
            queryset = queryset.filter(**{field: filters[field]})
    if filters.get("category"):
        # A task module names its categories in a JSON list; matching the quoted name in its text
        # works the same on PostgreSQL and SQLite (which lacks JSON containment).
        name = filters["category"]
        queryset = queryset.filter(Q(category=name) | Q(categories__icontains=f'"{name}"'))
    if filters.get("owner"):
        queryset = queryset.filter(owner__username=filters["owner"])
    if filters.get("search"):
        term = filters["search"]
        queryset = queryset.filter(
            Q(name__icontains=term)
            | Q(description__icontains=term)
            | Q(category__icontains=term)
            | Q(task__icontains=term)
        )
    metric = _metric_name(filters)
    ordering = filters.get("ordering") or "-created"
    if ordering.lstrip("-") == "metric" and metric is None:
        raise ApplicationError(
            "Sorting by metric needs ?metric=<name>.",
            code="invalid",
            details={"metric": ["Required when ordering by metric."]},
        )
    if metric is not None:
        queryset = queryset.annotate(metric_value=Cast(KeyTransform(metric, "metrics"), FloatField()))
        if filters.get("metric_min") is not None:
            queryset = queryset.filter(metric_value__gte=filters["metric_min"])
        if filters.get("metric_max") is not None:
            queryset = queryset.filter(metric_value__lte=filters["metric_max"])
    if ordering == "metric":
        return queryset.order_by(F("metric_value").asc(nulls_last=True), "id")
    if ordering == "-metric":
        return queryset.order_by(F("metric_value").desc(nulls_last=True), "id")
    return queryset.order_by(ordering, "-id")


def module_facets(*, queryset: QuerySet[Module]) -> dict[str, dict[str, int]]:
    """Count the filtered modules by kind, category, task and architecture."""
    facets: dict[str, dict[str, int]] = {}
    for field in ("kind", "category", "task", "architecture"):
        rows = queryset.order_by().values(field).annotate(n=Count("id")).order_by(field)
        facets[field] = {row[field]: row["n"] for row in rows if row[field]}
    return facets


def module_lineage(*, user: AbstractBaseUser, module: Module) -> dict[str, Any]:
    """Ancestors and descendants of a module, limited to modules the user can see.

    Returns:
        ``{"nodes": [Module], "edges": [{"from", "to", "role"}]}`` (edges point parent -> child).
    """
    visible_ids = set(module_visible(user=user).values_list("id", flat=True))
    seen = {module.id}
    edges: set[tuple[int, int, str]] = set()
    for direction in ("up", "down"):
        frontier = [module.id]
        while frontier:
            if direction == "up":
                links = ModuleParent.objects.filter(child_id__in=frontier, parent__isnull=False)
                pairs = [(link.parent_id, link.child_id, link.role, link.parent_id) for link in links]
            else:
                links = ModuleParent.objects.filter(parent_id__in=frontier)
                pairs = [(link.parent_id, link.child_id, link.role, link.child_id) for link in links]
            frontier = []
            for parent_id, child_id, role, new_id in pairs:
                if new_id not in visible_ids:
                    continue
                edges.add((parent_id, child_id, role))
                if new_id not in seen:
                    seen.add(new_id)
                    frontier.append(new_id)
    nodes = list(Module.objects.filter(id__in=seen).select_related("owner", "teacher").order_by("id"))
    return {"nodes": nodes, "edges": [{"from": a, "to": b, "role": r} for a, b, r in sorted(edges)]}


def module_zip(*, module: Module) -> Iterator[bytes]:
    """Return the chunks of a zip archive with the module's ``manifest.json`` and
    ``weights.safetensors``, streamed from the store (never built whole in memory).

    Raises:
        ApplicationError: 409 before the first chunk when a file is missing from the store.
    """
    storage = blob_storage(MODULES)
    if not all(storage.exists(f"{module.sha256}/{name}") for name in MODULE_FILES):
        raise ApplicationError(
            f"The files of module #{module.id} are missing from the store.",
            code="module_unavailable",
            status=409,
        )
    return module_zip_stream(module)


def module_usage(*, user: AbstractBaseUser, module: Module) -> dict[str, Any]:
    """The reader's graphs that place the module and their jobs that used or made it.

    Returns:
        ``{"graphs": [Graph], "jobs": [Job]}`` (at most 50 of each, newest first).
    """
    from webapp.graphs.selectors import graph_list
    from webapp.jobs.selectors import job_visible

    graphs = graph_list(user=user).filter(nodes__module=module).distinct()[:USAGE_LIMIT]
    jobs = (
        job_visible(user=user)
        .filter(
            Q(category_module=module)
            | Q(task_module=module)
            | Q(teacher_task_module=module)
            | Q(adapter=module)
        )
        .select_related("category_module", "task_module", "adapter")
        .order_by("-created", "-id")[:USAGE_LIMIT]
    )
    return {"graphs": list(graphs), "jobs": list(jobs)}


def _stored_sha256(module: Module) -> str | None:
    """The SHA-256 of the module's weights as the store holds them now (None when they are gone)."""
    digest = hashlib.sha256()
    try:
        with blob_open(store=MODULES, key=module.sha256, filename=WEIGHTS_FILE) as handle:
            for block in iter_chunks(handle):
                digest.update(block)
    except (ApplicationError, OSError):
        return None
    return digest.hexdigest()


def module_integrity(*, user: AbstractBaseUser, module: Module) -> dict[str, Any]:
    """Hash the weights again and check that the modules it was made from are unchanged.

    The no-forgetting check: an adapter (or a fine-tuned module) records the SHA-256 of every frozen
    module it was trained against; each must still match the weights in the store.

    Returns:
        ``{"sha256", "weights_ok", "parents": [{"role", "name", "module_id", "recorded_sha256",
        "current_sha256", "unchanged"}], "frozen_unchanged"}``; ``current_sha256`` is None where
        the parent is gone from the catalog or not visible to the reader.
    """
    current = _stored_sha256(module)
    visible = set(module_visible(user=user).values_list("id", flat=True))
    parents = []
    for link in module.parent_links.select_related("parent").order_by("role"):
        parent = link.parent if link.parent_id in visible else None
        parent_sha = _stored_sha256(parent) if parent else None
        parents.append(
            {
                "role": link.role,
                "name": link.name,
                "module_id": parent.id if parent else None,
                "recorded_sha256": link.sha256,
                "current_sha256": parent_sha,
                "unchanged": parent_sha == link.sha256 if parent_sha else None,
            }
        )
    return {
        "sha256": module.sha256,
        "weights_ok": current == module.sha256,
        "parents": parents,
        "frozen_unchanged": all(p["unchanged"] is not False for p in parents),
    }

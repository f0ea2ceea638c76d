"""Writes to graphs (nodes, edges, versions, import), and the graphs app's door to the engine.

Drawing an edge is where the rules meet: the modules must be connectable (engine), the category
module's teacher must have a task module of the same task (catalog), and a job is recorded in the
same transaction and sent to the workers after commit (jobs).
"""

from __future__ import annotations

import re
from typing import Any

import torch
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q

import engine
from webapp.catalog.models import Module, ModuleKind
from webapp.catalog.selectors import module_get, module_visible
from webapp.catalog.services import module_load
from webapp.datasets.selectors import dataset_visible
from webapp.errors import ApplicationError
from webapp.graphs.models import Edge, Graph, GraphVersion, Node
from webapp.graphs.selectors import graph_document
from webapp.jobs.edge_data import edge_data_check
from webapp.jobs.models import FINISHED_STATUSES
from webapp.jobs.services import job_cancel, job_create, job_settings_clean

EXPORT_FORMAT = "transplant-graph/1"
SHA256 = re.compile(r"[0-9a-f]{64}")


@transaction.atomic
def graph_create(*, owner: AbstractBaseUser, name: str) -> Graph:
    """Create an empty graph owned by ``owner``."""
    return Graph.objects.create(owner=owner, name=name)


@transaction.atomic
def graph_update(*, graph: Graph, name: str) -> Graph:
    """Rename a graph."""
    graph.name = name
    graph.save(update_fields=["name", "updated"])
    return graph


def _cancel_edge_jobs(edges) -> None:
    for edge in edges:
        if edge.job is not None and edge.job.status not in FINISHED_STATUSES:
            job_cancel(job=edge.job)
        # The runs of a race on this edge (Compare methods) go with it.
        for run in edge.jobs.filter(compare__isnull=False).exclude(status__in=FINISHED_STATUSES):
            job_cancel(job=run)


@transaction.atomic
def graph_delete(*, graph: Graph) -> None:
    """Delete a graph, cancelling the jobs of its edges."""
    _cancel_edge_jobs(graph.edges.select_related("job"))
    graph.delete()


@transaction.atomic
def node_create(*, graph: Graph, user: AbstractBaseUser, module_id: int, x: float, y: float) -> Node:
    """Place a module the user can see on the graph."""
    module = module_get(user=user, module_id=module_id)
    if module.kind == ModuleKind.ADAPTER:
        raise ApplicationError(
            "Adapters appear on edges; place category and task modules as nodes.",
            code="invalid",
            details={"module": ["Pick a category or task module."]},
        )
    node = Node.objects.create(graph=graph, module=module, x=x, y=y)
    graph.save(update_fields=["updated"])
    return node


@transaction.atomic
def node_update(*, node: Node, x: float, y: float) -> Node:
    """Move a node."""
    node.x, node.y = x, y
    node.save(update_fields=["x", "y"])
    return node


@transaction.atomic
def node_delete(*, node: Node) -> None:
    """Remove a node and its edges, cancelling their jobs."""
    _cancel_edge_jobs(Edge.objects.select_related("job").filter(Q(source=node) | Q(target=node)))
    node.delete()


def _teacher_task_for(category: Module, task: Module) -> Module:
    if category.teacher_id is None:
        raise ApplicationError(
            f"{category.name!r} records no teacher, so there is no teacher task module to distil "
            "from; use a category module trained as part of a teacher net.",
            code="no_teacher",
        )
    teacher_task = (
        Module.objects.filter(kind=ModuleKind.TASK, task=task.task, teacher_id=category.teacher_id)
        .order_by("id")
        .first()
    )
    if teacher_task is None:
        raise ApplicationError(
            f"The teacher of {category.name!r} has no {task.task} task module in the catalog; "
            f"upload that teacher's {task.task} module (same teacher key) first.",
            code="no_teacher",
        )
    return teacher_task


def _manifest(module: Module) -> Any:
    return engine.Manifest.from_json(module.manifest)


def _check_edge(category: Module, task: Module) -> Module:
    """Return the teacher task module, or raise naming why the edge cannot exist."""
    try:
        engine.check_connectable(_manifest(category), _manifest(task))
    except engine.IncompatibleModulesError as exc:
        raise ApplicationError(
            f"These modules cannot be connected: {exc}.", code="incompatible_modules"
        ) from exc
    teacher_task = _teacher_task_for(category, task)
    try:
        engine.check_teacher(_manifest(category), _manifest(task), _manifest(teacher_task))
    except engine.IncompatibleModulesError as exc:
        raise ApplicationError(
            f"The teacher task module does not fit: {exc}.", code="incompatible_modules"
        ) from exc
    return teacher_task


@transaction.atomic
def edge_create(
    *,
    graph: Graph,
    user: AbstractBaseUser,
    source_id: int,
    target_id: int,
    settings: dict[str, Any] | None = None,
) -> Edge:
    """Connect a category node to a task node and record the job that trains their adapter.

    Args:
        graph: the graph (owned by ``user``).
        user: who draws the edge (owns the job).
        source_id: node id of the category module.
        target_id: node id of the task module.
        settings: training settings; defaults filled in.

    Returns:
        The edge, with its job queued (or succeeded at once when a finished adapter is reused).
    """
    nodes = {
        node.id: node
        for node in Node.objects.select_related("module").filter(graph=graph, id__in=[source_id, target_id])
    }
    for field, node_id in (("source", source_id), ("target", target_id)):
        if node_id not in nodes:
            raise ApplicationError(
                f"Node #{node_id} is not on this graph.",
                code="invalid",
                details={field: [f"Node #{node_id} is not on this graph."]},
            )
    source, target = nodes[source_id], nodes[target_id]
    if Edge.objects.filter(source=source, target=target).exists():
        raise ApplicationError("These two nodes are already connected.", code="conflict", status=409)
    teacher_task = _check_edge(source.module, target.module)
    own = engine.is_own_task_module(_manifest(target.module), _manifest(teacher_task))
    job_settings = job_settings_clean(settings, onto_own_teacher=own)
    dataset = edge_data_check(
        user=user, category=source.module, task=target.module, job_settings=job_settings
    )
    edge = Edge.objects.create(graph=graph, source=source, target=target, settings=job_settings)
    edge.job = job_create(
        owner=user,
        edge=edge,
        category=source.module,
        task=target.module,
        teacher_task=teacher_task,
        job_settings=job_settings,
        dataset=dataset,
    )
    edge.save(update_fields=["job"])
    graph.save(update_fields=["updated"])
    return edge


@transaction.atomic
def edge_delete(*, edge: Edge) -> None:
    """Delete an edge, cancelling its job if it has not finished."""
    _cancel_edge_jobs([edge])
    edge.delete()


@transaction.atomic
def version_create(*, graph: Graph, name: str) -> GraphVersion:
    """Snapshot the graph under a name."""
    return GraphVersion.objects.create(graph=graph, name=name, document=graph_document(graph=graph))


def _resolve_dataset(*, user: AbstractBaseUser, settings: Any, edge_name: str) -> Any:
    """Turn an exported edge's ``dataset`` (``{"sha256", "name"}``) into this server's id.

    A plain id (a snapshot saved before datasets were exported by contents) is left as it is;
    ``edge_create`` checks it like any other.

    Raises:
        ApplicationError: 400 ``missing_dataset`` naming the dataset when no visible one has those
            contents; ``invalid_document`` for a reference without a SHA-256.
    """
    if not isinstance(settings, dict) or not isinstance(settings.get("dataset"), dict):
        return settings
    reference = settings["dataset"]
    sha256, name = reference.get("sha256"), reference.get("name") or "?"
    if not isinstance(sha256, str) or not SHA256.fullmatch(sha256):
        raise ApplicationError(
            f"Edge {edge_name} names a dataset without its sha256: {reference!r}.", code="invalid_document"
        )
    dataset = dataset_visible(user=user).filter(sha256=sha256).first()
    if dataset is None:
        raise ApplicationError(
            f"Edge {edge_name} needs dataset {name!r} (SHA-256 {sha256[:12]}...), which is not in the "
            "catalog (or not visible to you); upload the same images first.",
            code="missing_dataset",
            details={"dataset": {"sha256": sha256, "name": name}},
        )
    return {**settings, "dataset": dataset.id}


def _load_document(*, graph: Graph, user: AbstractBaseUser, document: dict[str, Any]) -> None:
    if document.get("format") != EXPORT_FORMAT:
        raise ApplicationError(
            f"Unknown graph format {document.get('format')!r}; expected {EXPORT_FORMAT!r}.",
            code="invalid_document",
        )
    visible = module_visible(user=user)
    nodes: dict[str, Node] = {}
    for item in document.get("nodes") or []:
        module = visible.filter(sha256=item.get("module_sha256", "")).first()
        if module is None:
            raise ApplicationError(
                f"Node {item.get('key')!r} needs module {item.get('module_sha256')!r}, which is "
                "not in the catalog (or not visible to you); upload it first.",
                code="missing_module",
            )
        nodes[str(item.get("key"))] = node_create(
            graph=graph, user=user, module_id=module.id, x=float(item.get("x", 0)), y=float(item.get("y", 0))
        )
    for item in document.get("edges") or []:
        source, target = nodes.get(str(item.get("source"))), nodes.get(str(item.get("target")))
        if source is None or target is None:
            raise ApplicationError(
                f"An edge refers to an unknown node key: {item!r}.", code="invalid_document"
            )
        settings = _resolve_dataset(
            user=user,
            settings=item.get("settings"),
            edge_name=f"{item.get('source')} -> {item.get('target')}",
        )
        edge_create(graph=graph, user=user, source_id=source.id, target_id=target.id, settings=settings)


@transaction.atomic
def version_restore(*, graph: Graph, user: AbstractBaseUser, version: GraphVersion) -> Graph:
    """Replace the graph's nodes and edges with a snapshot's.

    Edges whose adapter already exists come back succeeded; the others are queued again.
    """
    for node in list(graph.nodes.all()):
        node_delete(node=node)
    _load_document(graph=graph, user=user, document=version.document)
    return graph


@transaction.atomic
def graph_import(*, owner: AbstractBaseUser, document: dict[str, Any]) -> Graph:
    """Create a graph from an export document (modules and datasets are found by sha256)."""
    name = str(document.get("name") or "Imported graph")[:200]
    graph = graph_create(owner=owner, name=name)
    _load_document(graph=graph, user=owner, document=document)
    return graph


def _pixels_to_images(pixels: list[list[float]]) -> torch.Tensor:
    try:
        image = torch.tensor(pixels, dtype=torch.float32)
    except (TypeError, ValueError) as exc:
        raise ApplicationError(
            f"pixels must be a 2-D list of numbers in [0, 1] ({exc}).", code="invalid_image"
        ) from exc
    if image.dim() != 2 or min(image.shape) < 1 or max(image.shape) > 1024:
        raise ApplicationError(
            "pixels must be a 2-D list (rows of equal length, at most 1024).", code="invalid_image"
        )
    if not torch.isfinite(image).all():
        raise ApplicationError("pixels must be finite numbers in [0, 1].", code="invalid_image")
    return image.clamp(0.0, 1.0)[None, None]  # (1, 1, H, W); the engine resizes


def edge_predict(
    *, edge: Edge, image_bytes: bytes | None = None, pixels: list[list[float]] | None = None
) -> dict[str, Any]:
    """Run an image through category -> adapter -> task of a trained edge.

    Args:
        edge: an edge whose job has produced an adapter.
        image_bytes: a PNG or JPEG file's bytes, or
        pixels: a drawn grey-level image, rows of numbers in [0, 1] (any size).

    Returns:
        ``{"task": "classification", "probability": p}`` or
        ``{"task": "segmentation", "mask": [[0|1]], "width", "height"}``.
    """
    job = edge.job
    if job is None or job.adapter is None:
        raise ApplicationError(
            "This edge has no trained adapter yet; wait for its job to succeed.", code="not_ready", status=409
        )
    category = module_load(edge.source.module)
    task = module_load(edge.target.module)
    adapter = module_load(job.adapter)
    try:
        if image_bytes is not None:
            images = engine.image_from_bytes(image_bytes, channels=int(category.manifest.input_shape[0]))
        elif pixels is not None:
            images = _pixels_to_images(pixels)
        else:
            raise ApplicationError("Send an image file or a pixels array.", code="invalid_image")
        prediction = engine.predict(category, task, images, adapter=adapter)
    except engine.TransplantError as exc:
        raise ApplicationError(f"The image cannot be used: {exc}", code="invalid_image") from exc
    if prediction.mask is not None:
        mask = prediction.mask[0].to(torch.uint8)  # (H, W)
        return {
            "task": str(prediction.task),
            "mask": mask.tolist(),
            "width": int(mask.shape[1]),
            "height": int(mask.shape[0]),
        }
    return {"task": str(prediction.task), "probability": float(prediction.probability[0])}

"""Reads about graphs: ownership checks and the export document."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet

from webapp.datasets.models import Dataset
from webapp.errors import ApplicationError
from webapp.graphs.models import Edge, Graph, GraphVersion, Node


def graph_list(*, user: AbstractBaseUser) -> QuerySet[Graph]:
    """The user's graphs, most recently changed first."""
    return Graph.objects.filter(owner_id=user.id).select_related("owner")


def graph_get(*, user: AbstractBaseUser, graph_id: int) -> Graph:
    """Return one of the user's graphs with nodes and edges, or raise 404 (others' graphs too)."""
    graph = (
        graph_list(user=user)
        .prefetch_related(
            Prefetch("nodes", Node.objects.select_related("module__teacher")),
            Prefetch("edges", Edge.objects.select_related("job", "job__adapter", "source", "target")),
        )
        .filter(pk=graph_id)
        .first()
    )
    if graph is None:
        raise ApplicationError(
            f"Graph #{graph_id} does not exist or is not yours.", code="not_found", status=404
        )
    return graph


def graph_may_watch(*, user: AbstractBaseUser, graph_id: int) -> bool:
    """Whether the user may subscribe to the graph's live events."""
    return user.is_authenticated and Graph.objects.filter(pk=graph_id, owner_id=user.id).exists()


def node_get(*, graph: Graph, node_id: int) -> Node:
    node = Node.objects.select_related("module").filter(graph=graph, pk=node_id).first()
    if node is None:
        raise ApplicationError(f"Node #{node_id} is not on graph #{graph.id}.", code="not_found", status=404)
    return node


def edge_get(*, graph: Graph, edge_id: int) -> Edge:
    edge = (
        Edge.objects.select_related("job", "job__adapter", "source__module", "target__module")
        .filter(graph=graph, pk=edge_id)
        .first()
    )
    if edge is None:
        raise ApplicationError(f"Edge #{edge_id} is not on graph #{graph.id}.", code="not_found", status=404)
    return edge


def version_get(*, graph: Graph, version_id: int) -> GraphVersion:
    version = GraphVersion.objects.filter(graph=graph, pk=version_id).first()
    if version is None:
        raise ApplicationError(
            f"Version #{version_id} is not a version of graph #{graph.id}.", code="not_found", status=404
        )
    return version


def _portable_settings(settings: dict[str, Any], datasets: dict[int, Any]) -> dict[str, Any]:
    """An edge's settings with its dataset named by contents (SHA-256) and name, not by this
    server's id; a dataset gone from the catalog keeps its id (nothing else is known of it)."""
    dataset = datasets.get(settings.get("dataset"))
    if dataset is None:
        return settings
    return {**settings, "dataset": {"sha256": dataset.sha256, "name": dataset.name}}


def graph_document(*, graph: Graph) -> dict[str, Any]:
    """The graph as a portable document: modules are named by sha256, nodes by key, and an edge's
    dataset by ``{"sha256", "name"}``, so the document means the same on another server."""
    nodes = list(Node.objects.filter(graph=graph).select_related("module").order_by("id"))
    keys = {node.id: f"n{index}" for index, node in enumerate(nodes, start=1)}
    edges = list(Edge.objects.filter(graph=graph).order_by("id"))
    dataset_ids = {edge.settings.get("dataset") for edge in edges} - {None}
    datasets = Dataset.objects.in_bulk([i for i in dataset_ids if isinstance(i, int)])
    return {
        "format": "transplant-graph/1",
        "name": graph.name,
        "nodes": [
            {"key": keys[node.id], "module_sha256": node.module.sha256, "x": node.x, "y": node.y}
            for node in nodes
        ],
        "edges": [
            {
                "source": keys[edge.source_id],
                "target": keys[edge.target_id],
                "settings": _portable_settings(edge.settings, datasets),
            }
            for edge in edges
        ],
    }

"""Graphs: a user's canvas of modules (nodes) joined by edges (category module -> task module)."""

from django.conf import settings
from django.db import models


class Graph(models.Model):
    """A user's module graph; ``event_seq`` numbers the live events sent to its watchers."""

    name = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="graphs")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    event_seq = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-updated", "-id"]

    def __str__(self) -> str:
        return self.name


class Node(models.Model):
    """A catalog module placed on a graph."""

    graph = models.ForeignKey(Graph, on_delete=models.CASCADE, related_name="nodes")
    module = models.ForeignKey("catalog.Module", on_delete=models.PROTECT, related_name="graph_nodes")
    x = models.FloatField(default=0.0)
    y = models.FloatField(default=0.0)

    class Meta:
        ordering = ["id"]


class Edge(models.Model):
    """A graft: the source node's category module onto the target node's task module."""

    graph = models.ForeignKey(Graph, on_delete=models.CASCADE, related_name="edges")
    source = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="outgoing")
    target = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="incoming")
    settings = models.JSONField(default=dict)
    # The edge's current job (the latest attempt); older attempts keep pointing at the edge.
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="one_edge_per_node_pair"),
        ]


class GraphVersion(models.Model):
    """A named snapshot of a graph (its export document), which can be restored."""

    graph = models.ForeignKey(Graph, on_delete=models.CASCADE, related_name="versions")
    name = models.CharField(max_length=200)
    created = models.DateTimeField(auto_now_add=True)
    document = models.JSONField()

    class Meta:
        ordering = ["-created", "-id"]

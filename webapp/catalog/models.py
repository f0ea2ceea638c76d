"""Catalog: modules (category, task, adapter), the teachers they came from, and their lineage."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ModuleKind(models.TextChoices):
    CATEGORY = "category", "Category module"
    TASK = "task", "Task module"
    ADAPTER = "adapter", "Adapter"


class Visibility(models.TextChoices):
    PRIVATE = "private", "Owner (and lab managers)"
    LAB = "lab", "Lab managers"
    PUBLIC = "public", "Everyone"


class ParentRole(models.TextChoices):
    CATEGORY = "category", "Category module"
    TASK = "task", "Task module"
    TEACHER_TASK = "teacher_task", "Teacher's task module"
    FINE_TUNED_FROM = "fine_tuned_from", "Fine-tuned from"  # a backbone or another teacher
    DATA = "data", "Trained on data"  # a dataset folder, by the SHA-256 of its contents


class Teacher(models.Model):
    """A teacher network: its category module and task modules were trained together.

    An edge (category module -> task module) needs the teacher's task module of the same task,
    which is found through this shared key.
    """

    key = models.CharField(max_length=200, unique=True)
    architecture = models.CharField(max_length=64, blank=True)
    category = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


class Module(models.Model):
    """One module in the catalog; its files are an engine module folder under the store."""

    kind = models.CharField(max_length=16, choices=ModuleKind.choices)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=64, blank=True, default="")
    task = models.CharField(max_length=32, blank=True, default="")
    categories = models.JSONField(default=list, blank=True)
    architecture = models.CharField(max_length=64)
    input_shape = models.JSONField(default=list)
    output_shape = models.JSONField(default=list)
    metrics = models.JSONField(default=dict, blank=True)
    license = models.CharField(max_length=100, default="MIT")
    description = models.TextField(blank=True, default="")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="modules")
    visibility = models.CharField(max_length=16, choices=Visibility.choices, default=Visibility.PRIVATE)
    created = models.DateTimeField(auto_now_add=True)
    sha256 = models.CharField(max_length=64, unique=True)
    size_bytes = models.BigIntegerField(default=0)
    teacher = models.ForeignKey(
        Teacher, null=True, blank=True, on_delete=models.SET_NULL, related_name="modules"
    )
    # The full manifest as the engine wrote it, so a download gives back exactly what was stored.
    manifest = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["kind", "category", "task"]),
            models.Index(fields=["architecture"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class ModuleParent(models.Model):
    """One lineage link: ``child`` was made from ``parent`` in the given role."""

    child = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(
        Module, null=True, blank=True, on_delete=models.SET_NULL, related_name="child_links"
    )
    role = models.CharField(max_length=16, choices=ParentRole.choices)
    sha256 = models.CharField(max_length=64)
    name = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "role"], name="one_parent_per_role"),
        ]

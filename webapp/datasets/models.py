"""Datasets: a user's images (class folders, or images with masks) that grafts and teachers use."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from webapp.catalog.models import Visibility


class DatasetTask(models.TextChoices):
    CLASSIFICATION = "classification", "Classification (one folder per class)"
    SEGMENTATION = "segmentation", "Segmentation (images with masks)"


class Dataset(models.Model):
    """One data set in the catalog; its files are a data folder in the store (or on the server)."""

    name = models.CharField(max_length=200)
    task = models.CharField(max_length=32, choices=DatasetTask.choices)
    # Classification: the class folders' names, sorted; segmentation: empty.
    classes = models.JSONField(default=list, blank=True)
    # Images per class ({"images": N} for segmentation).
    counts = models.JSONField(default=dict)
    # Per positive class: {"train": {class: n, "other": n}, "test": {...}} as the engine splits it
    # (segmentation: one entry under ""), so the edge dialog can say how many samples it holds.
    split_counts = models.JSONField(default=dict)
    image_sizes = models.JSONField(default=list)  # every distinct [height, width]
    channels = models.PositiveSmallIntegerField(default=3)
    file_count = models.PositiveIntegerField(default=0)
    size_bytes = models.BigIntegerField(default=0)
    license = models.CharField(max_length=100, default="CC-BY-4.0")
    description = models.TextField(blank=True, default="")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="datasets")
    visibility = models.CharField(max_length=16, choices=Visibility.choices, default=Visibility.PRIVATE)
    sha256 = models.CharField(max_length=64, unique=True)
    # A folder registered on the server (e.g. Pascal VOC) stays where it is; uploads live in the store.
    server_path = models.CharField(max_length=500, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["task"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.task})"

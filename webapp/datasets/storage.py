"""Where a dataset's files live: ``settings.TRANSPLANT_STORE/datasets/<sha256>/`` (the data folder).

The one place that knows the layout of the dataset store, so another backend can take it over.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.conf import settings

DATASETS_FOLDER = "datasets"


def dataset_store() -> Path:
    return Path(settings.TRANSPLANT_STORE) / DATASETS_FOLDER


def dataset_folder(dataset) -> Path:
    """The data folder of a dataset row (a server folder when it was registered from one)."""
    if dataset.server_path:
        return Path(dataset.server_path)
    return dataset_store() / dataset.sha256


def incoming_folder() -> Path:
    """A fresh private folder to unpack an upload into, on the store's file system."""
    incoming = dataset_store() / ".incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=incoming))


def keep_folder(*, source: Path, sha256: str) -> Path:
    """Move a validated data folder into the store under its hash and return its new place."""
    target = dataset_store() / sha256
    if target.exists():  # left over from a failed earlier attempt; the hash says it is the same
        shutil.rmtree(target)
    source.rename(target)
    return target


def forget_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)

"""Where a catalog module's files live: ``<sha256>/{manifest.json,weights.safetensors}`` in the
``modules`` store (a local folder, ``settings.TRANSPLANT_STORE``, or an object store bucket; see
:mod:`webapp.storage.blobs`). This is the catalog's only door to those files.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

from webapp.storage.blobs import (
    MODULES,
    blob_delete,
    blob_local_folder,
    blob_open,
    blob_put_folder,
    blob_size,
)
from webapp.storage.zipstream import ZipMember, zip_stream

MANIFEST_FILE = "manifest.json"
WEIGHTS_FILE = "weights.safetensors"
MODULE_FILES = (MANIFEST_FILE, WEIGHTS_FILE)


def module_folder(module) -> Path:
    """A local engine module folder (manifest.json + weights.safetensors) of a catalog row.

    On an object store this is the machine's cache, checked against the module's SHA-256.

    Raises:
        ApplicationError: 409 when the files are missing or corrupted in the store.
    """
    return blob_local_folder(
        store=MODULES, key=module.sha256, filenames=MODULE_FILES, checksums={WEIGHTS_FILE: module.sha256}
    )


def module_files_put(*, sha256: str, folder: Path) -> None:
    """Store a validated module folder under its weights' SHA-256."""
    blob_put_folder(store=MODULES, key=sha256, folder=folder)


def module_files_delete(*, sha256: str) -> None:
    """Delete a module's files from the store (and this machine's cache)."""
    blob_delete(store=MODULES, key=sha256, filenames=MODULE_FILES)


def module_zip_stream(module, chunk_bytes: int = 1 << 20) -> Iterator[bytes]:
    """Yield a zip archive of the module's two files, read from the store chunk by chunk.

    Memory stays at about ``chunk_bytes`` whatever the module's size.
    """
    members = [
        ZipMember(
            name=filename,
            size=blob_size(store=MODULES, key=module.sha256, filename=filename),
            open=partial(blob_open, store=MODULES, key=module.sha256, filename=filename),
        )
        for filename in MODULE_FILES
    ]
    return zip_stream(members, chunk_bytes)

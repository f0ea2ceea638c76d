"""Content-addressed files through Django's storage API, with a verified local cache.

Every kind of file the product keeps (module folders, dataset files) is a *store*: an alias in
``settings.STORAGES`` (``"modules"``, ``"datasets"``). A store is a local folder by default
(``FileSystemStorage``) or a bucket of an S3-compatible object store (``S3Storage`` from
django-storages) when ``TRANSPLANT_S3_BUCKET`` is set; see ``webapp/settings.py``.

Objects are named ``<key>/<filename>`` where ``key`` is the SHA-256 of the content that identifies
them (a module's weights). Readers that need real files (the engine loads folders) call
:func:`blob_local_folder`: on a local store that is the store's own folder; on an object store it
is a per-machine cache folder ``TRANSPLANT_CACHE/<store>/<key>``, filled once and checked against
the SHA-256 each time it is read, so a corrupted object or cache file is never loaded.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages

from webapp.errors import ApplicationError

logger = logging.getLogger(__name__)

MODULES = "modules"
DATASETS = "datasets"
CHUNK_BYTES = 1 << 20


def blob_storage(store: str) -> Storage:
    """The Django storage behind ``store`` (``"modules"`` or ``"datasets"``)."""
    return storages[store]


def _is_local(storage: Storage) -> bool:
    return isinstance(storage, FileSystemStorage)


def sha256_of_file(path: Path) -> str:
    """The hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


def blob_put_folder(*, store: str, key: str, folder: Path) -> None:
    """Upload every file directly inside ``folder`` as ``<key>/<filename>``, replacing leftovers.

    An object that exists already under the same name is replaced: names are content addresses,
    so it can only be a copy of the same content or the remains of an interrupted upload.
    """
    for path in sorted(folder.iterdir()):
        if path.is_file():
            blob_put_file(store=store, key=key, path=path)


def blob_put_file(*, store: str, key: str, path: Path, filename: str | None = None) -> None:
    """Upload one file as ``<key>/<filename>`` (default: the file's own name)."""
    storage = blob_storage(store)
    name = f"{key}/{filename or path.name}"
    if storage.exists(name):
        storage.delete(name)
    with path.open("rb") as handle:
        saved = storage.save(name, File(handle, name=path.name))
    if saved != name:  # a storage that renamed instead of overwriting would break addressing
        storage.delete(saved)
        raise RuntimeError(
            f"storage {store!r} saved {name!r} as {saved!r}; configure it to overwrite (file_overwrite=True)"
        )


def blob_delete(*, store: str, key: str, filenames: tuple[str, ...]) -> None:
    """Delete ``<key>/<filename>`` for each filename (missing ones are ignored), and the cache."""
    storage = blob_storage(store)
    for filename in filenames:
        try:
            storage.delete(f"{key}/{filename}")
        except FileNotFoundError:
            pass
    if _is_local(storage):
        shutil.rmtree(storage.path(key), ignore_errors=True)
    else:
        shutil.rmtree(_cache_root(store) / key, ignore_errors=True)


def blob_open(*, store: str, key: str, filename: str) -> IO[bytes]:
    """Open ``<key>/<filename>`` for reading as a stream (a local file or an S3 body).

    Raises:
        ApplicationError: 409 when the object is missing from the store.
    """
    try:
        return _open_stream(blob_storage(store), f"{key}/{filename}")
    except (FileNotFoundError, OSError) as exc:
        raise ApplicationError(
            f"{store} file {key[:12]}.../{filename} is missing from the store.",
            code="blob_missing",
            status=409,
        ) from exc


def _open_stream(storage: Storage, name: str) -> IO[bytes]:
    """Open a stored file for sequential reading without copying it first.

    django-storages' S3 file downloads the whole object into a spooled buffer on first read;
    its boto3 object's ``get()`` body streams it instead.
    """
    handle = storage.open(name, "rb")
    s3_object = getattr(handle, "obj", None)
    if s3_object is None:
        return handle
    try:
        return s3_object.get()["Body"]
    except Exception as exc:  # botocore's ClientError for a missing key
        raise FileNotFoundError(name) from exc


def blob_size(*, store: str, key: str, filename: str) -> int:
    """The size in bytes of ``<key>/<filename>``."""
    return blob_storage(store).size(f"{key}/{filename}")


def _cache_root(store: str) -> Path:
    return Path(settings.TRANSPLANT_CACHE) / store


def _verified(folder: Path, checksums: dict[str, str]) -> bool:
    for filename, sha256 in checksums.items():
        path = folder / filename
        if not path.is_file() or sha256_of_file(path) != sha256:
            return False
    return True


def _download(storage: Storage, name: str, target: Path) -> None:
    with _open_stream(storage, name) as source, target.open("wb") as out:
        shutil.copyfileobj(source, out, CHUNK_BYTES)


def blob_local_folder(*, store: str, key: str, filenames: tuple[str, ...], checksums: dict[str, str]) -> Path:
    """A local folder holding ``filenames`` of ``key``, verified against ``checksums``.

    Args:
        store: the store alias.
        key: the content address (folder name).
        filenames: every file the caller needs in the folder.
        checksums: filename -> expected hex SHA-256 for the files that are content-addressed.

    Returns:
        The folder (the store's own on a local store; the machine's cache otherwise).

    Raises:
        ApplicationError: 409 when a file is missing or its SHA-256 does not match (the object
            in the store is corrupted; re-upload or re-train it).
    """
    storage = blob_storage(store)
    if _is_local(storage):
        folder = Path(storage.path(key))
        missing = [f for f in filenames if not (folder / f).is_file()]
        if missing:
            raise ApplicationError(
                f"{store} files {missing} of {key[:12]}... are missing from the store.",
                code="blob_missing",
                status=409,
            )
        return folder
    folder = _cache_root(store) / key
    if folder.is_dir() and all((folder / f).is_file() for f in filenames):
        if _verified(folder, checksums):
            return folder
        logger.warning("cached %s %s failed its SHA-256 check; fetching it again", store, key)
        shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{key[:12]}-"))
    try:
        for filename in filenames:
            try:
                _download(storage, f"{key}/{filename}", staging / filename)
            except (FileNotFoundError, OSError) as exc:
                raise ApplicationError(
                    f"{store} file {key[:12]}.../{filename} is missing from the store.",
                    code="blob_missing",
                    status=409,
                ) from exc
        for filename, sha256 in checksums.items():
            actual = sha256_of_file(staging / filename)
            if actual != sha256:
                raise ApplicationError(
                    f"{store} file {key[:12]}.../{filename} in the object store is corrupted: its "
                    f"SHA-256 is {actual[:12]}..., not {sha256[:12]}...; upload or train it again.",
                    code="blob_corrupted",
                    status=409,
                )
        try:
            staging.rename(folder)
        except OSError:  # another thread of this machine filled it meanwhile
            if not _verified(folder, checksums):
                raise
        return folder
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def blob_check(store: str) -> None:
    """Raise if the store cannot be reached (a listing of its top level)."""
    storage = blob_storage(store)
    if _is_local(storage):
        root = Path(storage.location)
        root.mkdir(parents=True, exist_ok=True)
        if not root.is_dir():
            raise OSError(f"{root} is not a folder")
        return
    storage.exists("readyz-probe")  # a HEAD request: reaches the bucket with the credentials


def iter_chunks(handle: IO[bytes], chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Yield a stream's bytes in chunks (used by streamed downloads)."""
    yield from iter(lambda: handle.read(chunk_bytes), b"")

"""Module files in an S3-compatible object store (a real moto_server and a real boto3 client):
round trips, the SHA-256-checked worker cache, and streamed downloads with bounded memory."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tracemalloc
import uuid
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings

from tests.webapp.private_services import MotoServer
from webapp.catalog.models import Module, ModuleKind
from webapp.catalog.services import module_cache_clear, module_delete, module_load
from webapp.catalog.storage import MANIFEST_FILE, WEIGHTS_FILE, module_folder
from webapp.errors import ApplicationError

LARGE_MODULE_BYTES = 96 * 1024 * 1024
# The streamed download may hold a few 1 MiB chunks at a time, never the module.
STREAM_PEAK_LIMIT_BYTES = 8 * 1024 * 1024


@pytest.fixture(scope="module")
def moto_server():
    server = MotoServer()
    yield server
    server.stop()


@pytest.fixture
def s3_store(moto_server, settings, tmp_path):
    """The ``modules`` store switched to a fresh bucket of the moto server; a fresh local cache."""
    bucket = f"platform-{uuid.uuid4().hex[:10]}"
    client = moto_server.client()
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "modules": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": moto_server.storage_options(bucket=bucket, location="modules"),
        },
    }
    settings.TRANSPLANT_CACHE = tmp_path / "cache"
    module_cache_clear()
    return SimpleNamespace(bucket=bucket, client=client, cache=tmp_path / "cache" / "modules")


def _keys(store) -> set[str]:
    listing = store.client.list_objects_v2(Bucket=store.bucket)
    return {item["Key"] for item in listing.get("Contents", [])}


def test_a_registered_module_round_trips_through_the_bucket_and_the_worker_cache(
    s3_store, catalog, teacher_folders, client, django_capture_on_commit_callbacks
):
    module = catalog["cat-category"]
    weights = (teacher_folders["cat-category"] / WEIGHTS_FILE).read_bytes()
    assert {f"modules/{module.sha256}/{MANIFEST_FILE}", f"modules/{module.sha256}/{WEIGHTS_FILE}"} <= _keys(
        s3_store
    )
    stored = s3_store.client.get_object(Bucket=s3_store.bucket, Key=f"modules/{module.sha256}/{WEIGHTS_FILE}")
    assert stored["Body"].read() == weights
    assert not (Path(django_settings.TRANSPLANT_STORE) / module.sha256).exists()  # no local store

    module_cache_clear()
    loaded = module_load(module)
    assert loaded.manifest.sha256 == module.sha256
    cached = s3_store.cache / module.sha256
    assert (cached / WEIGHTS_FILE).read_bytes() == weights

    response = client.get(f"/api/modules/{module.id}/download/")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.read(WEIGHTS_FILE) == weights
    assert json.loads(archive.read(MANIFEST_FILE))["sha256"] == module.sha256

    graph_free = catalog["dog-category"]
    with django_capture_on_commit_callbacks(execute=True):
        module_delete(module=graph_free, user=graph_free.owner)
    assert not any(key.startswith(f"modules/{graph_free.sha256}/") for key in _keys(s3_store))


def test_a_corrupted_object_is_refused_by_its_sha256_and_a_corrupted_cache_is_fetched_again(
    s3_store, catalog
):
    module = catalog["cat-classification"]
    key = f"modules/{module.sha256}/{WEIGHTS_FILE}"
    good = s3_store.client.get_object(Bucket=s3_store.bucket, Key=key)["Body"].read()
    bad = bytearray(good)
    bad[len(bad) // 2] ^= 0xFF  # one flipped byte in the middle of the tensors
    s3_store.client.put_object(Bucket=s3_store.bucket, Key=key, Body=bytes(bad))
    module_cache_clear()
    with pytest.raises(ApplicationError) as refused:
        module_load(module)
    assert refused.value.code == "blob_corrupted" and "SHA-256" in refused.value.message
    assert not (s3_store.cache / module.sha256).exists()  # nothing corrupt is left in the cache

    s3_store.client.put_object(Bucket=s3_store.bucket, Key=key, Body=good)
    folder = module_folder(module)
    (folder / WEIGHTS_FILE).write_bytes(bytes(bad))  # the cache file rots on this machine's disk
    healed = module_folder(module)
    assert hashlib.sha256((healed / WEIGHTS_FILE).read_bytes()).hexdigest() == module.sha256
    module_cache_clear()
    assert module_load(module).manifest.sha256 == module.sha256


def _large_module(*, owner, put) -> Module:
    """A catalog row whose weights file is LARGE_MODULE_BYTES of random bytes, stored by ``put``."""
    block = os.urandom(1024 * 1024)
    digest = hashlib.sha256()
    for _ in range(LARGE_MODULE_BYTES // len(block)):
        digest.update(block)
    sha256 = digest.hexdigest()
    put(sha256, block)
    return Module.objects.create(
        kind=ModuleKind.CATEGORY,
        name="large",
        architecture="vgg16",
        owner=owner,
        sha256=sha256,
        size_bytes=LARGE_MODULE_BYTES,
        manifest={"sha256": sha256},
    )


def _stream_download(client, module: Module, target: Path) -> tuple[int, int]:
    """Download into ``target`` while tracing memory; return (peak traced bytes, chunk count).

    A first request warms up what every request shares (the storage's client and, for S3,
    botocore's service model), so the peak measures the response path itself.
    """
    for _ in client.get(f"/api/modules/{module.id}/download/").streaming_content:
        pass
    chunks = 0
    tracemalloc.start()
    try:
        response = client.get(f"/api/modules/{module.id}/download/")
        assert response.status_code == 200 and response.streaming
        with target.open("wb") as out:
            for chunk in response.streaming_content:
                out.write(chunk)
                chunks += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, chunks


def _check_archive(path: Path, module: Module) -> None:
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(WEIGHTS_FILE)
        assert info.file_size == LARGE_MODULE_BYTES
        digest = hashlib.sha256()
        with archive.open(WEIGHTS_FILE) as member:
            for block in iter(lambda: member.read(1 << 20), b""):
                digest.update(block)
        assert digest.hexdigest() == module.sha256


def test_a_large_module_streams_from_the_bucket_with_bounded_memory(s3_store, client, user, tmp_path):
    def put(sha256: str, block: bytes) -> None:
        source = tmp_path / "weights.bin"
        with source.open("wb") as out:
            for _ in range(LARGE_MODULE_BYTES // len(block)):
                out.write(block)
        s3_store.client.upload_file(str(source), s3_store.bucket, f"modules/{sha256}/{WEIGHTS_FILE}")
        s3_store.client.put_object(
            Bucket=s3_store.bucket,
            Key=f"modules/{sha256}/{MANIFEST_FILE}",
            Body=json.dumps({"sha256": sha256}).encode(),
        )
        source.unlink()

    module = _large_module(owner=user, put=put)
    peak, chunks = _stream_download(client, module, tmp_path / "download.zip")
    print(
        f"\nS3 streamed download of a {LARGE_MODULE_BYTES >> 20} MiB module: "
        f"peak traced memory {peak / 2**20:.1f} MiB over {chunks} chunks"
    )
    assert chunks > 50
    assert peak < STREAM_PEAK_LIMIT_BYTES
    _check_archive(tmp_path / "download.zip", module)


def test_a_large_module_streams_from_the_local_store_with_bounded_memory(client, user, tmp_path):
    def put(sha256: str, block: bytes) -> None:
        folder = Path(django_settings.TRANSPLANT_STORE) / sha256
        folder.mkdir(parents=True)
        with (folder / WEIGHTS_FILE).open("wb") as out:
            for _ in range(LARGE_MODULE_BYTES // len(block)):
                out.write(block)
        (folder / MANIFEST_FILE).write_text(json.dumps({"sha256": sha256}))

    module = _large_module(owner=user, put=put)
    peak, chunks = _stream_download(client, module, tmp_path / "download.zip")
    print(
        f"\nlocal streamed download of a {LARGE_MODULE_BYTES >> 20} MiB module: "
        f"peak traced memory {peak / 2**20:.1f} MiB over {chunks} chunks"
    )
    assert peak < STREAM_PEAK_LIMIT_BYTES
    _check_archive(tmp_path / "download.zip", module)


def test_a_missing_object_is_a_409_before_any_byte_is_sent(s3_store, catalog, client):
    module = catalog["dog-classification"]
    s3_store.client.delete_object(Bucket=s3_store.bucket, Key=f"modules/{module.sha256}/{WEIGHTS_FILE}")
    response = client.get(f"/api/modules/{module.id}/download/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "module_unavailable"

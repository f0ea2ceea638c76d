"""Datasets: every bad zip refused with its rule and nothing kept, access rules, facets, downloads."""

from __future__ import annotations

import hashlib
import io
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from dataset_zips import (
    class_members,
    decompression_bomb_png,
    forklift_zip,
    mask_members,
    png_bytes,
    zip_bytes,
)
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from webapp.datasets.models import Dataset
from webapp.datasets.services import dataset_register_folder

pytestmark = pytest.mark.django_db


def _upload(client, data: bytes, *, name: str = "forklifts.zip", **fields):
    return client.post(
        "/api/datasets/", {"archive": SimpleUploadedFile(name, data), **fields}, format="multipart"
    )


def _kept_files() -> list[str]:
    """Everything under the dataset store, leftovers of unpacking included."""
    store = Path(settings.TRANSPLANT_STORE) / "datasets"
    return [p.relative_to(store).as_posix() for p in store.rglob("*")] if store.exists() else []


def _assert_refused(response, status: int, rule: str, *, names: str | None = None) -> None:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == rule, error
    if names is not None:
        assert names in error["message"], error["message"]
    assert Dataset.objects.count() == 0
    assert [f for f in _kept_files() if f != ".incoming"] == []


def test_upload_of_class_folders_records_counts_splits_and_keeps_the_images(client):
    response = _upload(client, forklift_zip(30), name="forklifts.zip", visibility="public")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "forklifts" and body["task"] == "classification"
    assert body["classes"] == ["forklift", "pallet"]
    assert body["counts"] == {"forklift": 30, "pallet": 30}
    assert body["split_counts"]["forklift"] == {
        "train": {"forklift": 24, "other": 24},
        "test": {"forklift": 6, "other": 6},
    }
    assert body["image_sizes"] == [[28, 28]] and body["channels"] == 1 and body["file_count"] == 60
    stored = Path(settings.TRANSPLANT_STORE) / "datasets" / body["sha256"]
    assert sorted(p.name for p in stored.iterdir()) == ["forklift", "pallet"]
    assert len(list((stored / "forklift").iterdir())) == 30


def test_a_wrapping_folder_and_mac_metadata_are_stepped_over(client):
    members = class_members({"forklift": ("cat", 5), "pallet": ("bird", 5)}, wrapper="lab-data/")
    members["__MACOSX/lab-data/._x.png"] = b"not an image"
    response = _upload(client, zip_bytes(members))
    assert response.status_code == 201, response.content
    assert response.json()["classes"] == ["forklift", "pallet"]


def test_upload_of_images_with_masks_is_a_segmentation_dataset(client):
    response = _upload(client, zip_bytes(mask_members(6)), name="horses.zip")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["task"] == "segmentation" and body["counts"] == {"images": 6}
    assert body["file_count"] == 12


@pytest.mark.parametrize(
    "member", ["../evil/x.png", "/etc/x.png", "forklift/../../x.png", "C:/windows/x.png"]
)
def test_zip_slip_paths_are_refused(client, member):
    members = class_members({"forklift": ("cat", 3), "pallet": ("bird", 3)})
    members[member] = png_bytes(np.zeros((28, 28), "uint8"))
    _assert_refused(_upload(client, zip_bytes(members)), 400, "zip_slip", names=member)


def test_a_symbolic_link_is_refused(client):
    members = class_members({"forklift": ("cat", 3), "pallet": ("bird", 3)})
    data = zip_bytes(members, symlinks={"forklift/link.png": "/etc/passwd"})
    _assert_refused(_upload(client, data), 400, "zip_slip", names="forklift/link.png")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(client, settings):
    settings.DATASET_MAX_UNCOMPRESSED_BYTES = 1_000_000
    members = class_members({"forklift": ("cat", 3), "pallet": ("bird", 3)})
    members["forklift/huge.png"] = b"\0" * 2_000_000  # deflates to about 2 KB
    data = zip_bytes(members)
    assert len(data) < 20_000
    _assert_refused(_upload(client, data), 413, "zip_bomb", names="forklift/huge.png")


def test_a_zip_that_lies_about_its_sizes_is_stopped_while_unpacking(client, settings):
    settings.DATASET_MAX_UNCOMPRESSED_BYTES = 1_000_000
    members = class_members({"forklift": ("cat", 3), "pallet": ("bird", 3)})
    members["forklift/huge.png"] = b"\0" * 2_000_000
    data = bytearray(zip_bytes(members))
    # Rewrite the declared size of the member in the central directory to a harmless 100 bytes.
    name = b"forklift/huge.png"
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    response = _upload(client, bytes(data))
    assert response.status_code in (400, 413), response.content
    assert response.json()["error"]["code"] in ("zip_bomb", "not_a_zip")
    assert "forklift/huge.png" in response.json()["error"]["message"]
    assert Dataset.objects.count() == 0 and [f for f in _kept_files() if f != ".incoming"] == []


def test_a_non_image_file_is_refused(client):
    members = class_members({"forklift": ("cat", 3), "pallet": ("bird", 3)})
    members["forklift/notes.txt"] = b"hello"
    _assert_refused(_upload(client, zip_bytes(members)), 400, "not_an_image", names="forklift/notes.txt")


def test_a_file_that_is_not_really_a_png_is_refused_by_decoding(client):
    members = class_members({"forklift": ("cat", 3), "pallet": ("bird", 3)})
    members["pallet/fake.png"] = b"#!/bin/sh\necho not a png\n"
    _assert_refused(_upload(client, zip_bytes(members)), 400, "invalid_dataset", names="pallet/fake.png")


def test_a_decompression_bomb_image_is_refused(client):
    members = class_members({"forklift": ("cat", 3), "pallet": ("bird", 3)})
    members["forklift/bomb.png"] = decompression_bomb_png()
    response = _upload(client, zip_bytes(members))
    _assert_refused(response, 400, "invalid_dataset", names="forklift/bomb.png")
    assert "decompression bomb" in response.json()["error"]["message"]


def test_a_mask_of_another_size_than_its_image_is_refused(client):
    response = _upload(client, zip_bytes(mask_members(4, mask_size=20)))
    _assert_refused(response, 400, "invalid_dataset", names="masks/s0.png")
    assert "size" in response.json()["error"]["message"]


def test_a_mask_without_its_image_is_refused(client):
    members = mask_members(4)
    del members["images/s2.png"]
    _assert_refused(_upload(client, zip_bytes(members)), 400, "invalid_dataset", names="masks/s2.png")


def test_a_single_class_is_refused(client):
    data = zip_bytes(class_members({"forklift": ("cat", 5)}))
    response = _upload(client, data)
    _assert_refused(response, 400, "invalid_dataset")
    assert "two class folders" in response.json()["error"]["message"]


def test_too_many_files_is_refused(client, settings):
    settings.DATASET_MAX_FILES = 10
    data = zip_bytes(class_members({"forklift": ("cat", 6), "pallet": ("bird", 6)}))
    _assert_refused(_upload(client, data), 413, "too_many_files")


def test_a_zip_over_the_size_limit_is_refused(client, settings):
    settings.DATASET_MAX_UPLOAD_BYTES = 1000
    _assert_refused(_upload(client, forklift_zip(10)), 413, "too_large")


def test_a_file_that_is_not_a_zip_is_refused(client):
    _assert_refused(_upload(client, b"PK but not really a zip"), 400, "not_a_zip")


def test_the_same_contents_twice_is_a_conflict_without_naming_a_private_dataset(client, other_client):
    data = forklift_zip(10)
    first = _upload(client, data)
    assert first.status_code == 201
    again = _upload(client, data, name="again.zip")
    assert again.status_code == 409 and again.json()["error"]["details"]["dataset_id"] == first.json()["id"]
    stranger = _upload(other_client, data, name="mine.zip")
    assert stranger.status_code == 409
    assert "forklifts" not in stranger.json()["error"]["message"]
    assert stranger.json()["error"]["details"] == {}
    assert Dataset.objects.count() == 1


def test_private_datasets_are_hidden_from_others_and_only_owners_change_them(client, other_client, manager):
    private = _upload(client, forklift_zip(10)).json()
    assert other_client.get(f"/api/datasets/{private['id']}/").status_code == 404
    assert other_client.get("/api/datasets/").json()["count"] == 0
    assert (
        client.patch(f"/api/datasets/{private['id']}/", {"visibility": "public"}, format="json").status_code
        == 200
    )
    assert other_client.get(f"/api/datasets/{private['id']}/").status_code == 200
    assert (
        other_client.patch(f"/api/datasets/{private['id']}/", {"name": "mine"}, format="json").status_code
        == 403
    )
    assert other_client.delete(f"/api/datasets/{private['id']}/").status_code == 403
    assert (
        client.patch(f"/api/datasets/{private['id']}/", {"visibility": "lab"}, format="json").status_code
        == 403
    )


def test_list_filters_facets_download_samples_and_thumbnails(client):
    forklifts = _upload(client, forklift_zip(10)).json()
    _upload(client, zip_bytes(mask_members(4)), name="horses.zip")
    assert client.get("/api/datasets/?task=segmentation").json()["count"] == 1
    assert [d["id"] for d in client.get("/api/datasets/?category=forklift").json()["results"]] == [
        forklifts["id"]
    ]
    facets = client.get("/api/datasets/facets/").json()
    assert facets["task"] == {"classification": 1, "segmentation": 1}
    assert facets["category"] == {"forklift": 1, "pallet": 1}
    download = client.get(f"/api/datasets/{forklifts['id']}/download/")
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        assert len([n for n in archive.namelist() if n.startswith("forklift/")]) == 10
    samples = client.get(f"/api/datasets/{forklifts['id']}/samples/").json()
    assert {s["label"] for s in samples} == {"forklift", "pallet"} and len(samples) == 16
    thumbnail = client.get(f"/api/datasets/{forklifts['id']}/thumbnail/", {"path": samples[0]["path"]})
    assert thumbnail.status_code == 200 and thumbnail.content.startswith(b"\x89PNG")
    escape = client.get(f"/api/datasets/{forklifts['id']}/thumbnail/", {"path": "../../x.png"})
    assert escape.status_code == 404


def test_a_download_streams_the_uploaded_images_back_byte_for_byte(client):
    for members, name in (
        (class_members({"forklift": ("cat", 12), "pallet": ("bird", 12)}), "forklifts.zip"),
        (mask_members(5), "horses.zip"),
    ):
        dataset = _upload(client, zip_bytes(members), name=name).json()
        response = client.get(f"/api/datasets/{dataset['id']}/download/")
        assert response.status_code == 200 and response.streaming
        assert response["Content-Type"] == "application/zip"
        assert response["Content-Disposition"].startswith(f'attachment; filename="{Path(name).stem}-')
        with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
            assert archive.testzip() is None
            assert sorted(archive.namelist()) == sorted(members)
            assert {n: archive.read(n) for n in archive.namelist()} == members


def _noise_png(path: Path, side: int, seed: int) -> None:
    from PIL import Image

    pixels = np.random.default_rng(seed).integers(0, 256, (side, side, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path, format="PNG", compress_level=0)


def test_a_large_dataset_downloads_in_memory_that_does_not_grow_with_it(client, user, tmp_path):
    root = tmp_path / "big"
    for number, name in enumerate(("crane", "truck")):
        (root / name).mkdir(parents=True)
        for i in range(3):
            _noise_png(root / name / f"{name}-{i}.png", side=1400, seed=10 * number + i)
    files = {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*.png"))}
    total = sum(p.stat().st_size for p in files.values())
    assert total > 32 * 2**20  # six images of about 5.6 MiB
    dataset = dataset_register_folder(owner=user, folder=root, task="classification", name="big")
    url = f"/api/datasets/{dataset.id}/download/"
    for _ in client.get(url).streaming_content:  # warm up what every request shares
        pass
    archive_path, chunks = tmp_path / "download.zip", 0
    tracemalloc.start()
    try:
        response = client.get(url)
        assert response.streaming
        with archive_path.open("wb") as out:
            for chunk in response.streaming_content:
                out.write(chunk)
                chunks += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert chunks > 30  # about one per MiB read
    assert peak < 8 * 2**20, f"peak {peak / 2**20:.1f} MiB for a {total / 2**20:.0f} MiB dataset"
    with zipfile.ZipFile(archive_path) as archive:
        assert sorted(archive.namelist()) == sorted(files)
        for name, path in files.items():
            digest = hashlib.sha256()
            with archive.open(name) as member:
                for block in iter(lambda: member.read(1 << 20), b""):
                    digest.update(block)
            assert digest.hexdigest() == hashlib.sha256(path.read_bytes()).hexdigest()


def test_delete_removes_row_and_files(client, django_capture_on_commit_callbacks):
    dataset = _upload(client, forklift_zip(10)).json()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/datasets/{dataset['id']}/").status_code == 204
    assert not Dataset.objects.exists()
    assert [f for f in _kept_files() if f != ".incoming"] == []


def test_a_server_folder_is_registered_by_the_management_command(tmp_path, manager):
    for name, data in class_members({"bus": ("cat", 4), "car": ("dog", 4)}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    call_command(
        "dataset_register", str(tmp_path), task="classification", name="VOC-like", owner=manager.username
    )
    dataset = Dataset.objects.get()
    assert dataset.server_path == str(tmp_path.resolve()) and dataset.classes == ["bus", "car"]
    assert dataset.visibility == "public"

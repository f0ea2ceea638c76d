"""Catalog: upload validation (nothing stored on failure), visibility, search, download, lineage."""

from __future__ import annotations

import io
import json
import pickle
import struct
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from webapp.catalog.models import Module

pytestmark = pytest.mark.django_db


def _upload(
    client,
    folder: Path,
    *,
    weights: bytes | None = None,
    manifest: dict | None = None,
    visibility: str = "private",
):
    manifest_bytes = json.dumps(
        manifest if manifest is not None else json.loads((folder / "manifest.json").read_text())
    ).encode()
    weights_bytes = weights if weights is not None else (folder / "weights.safetensors").read_bytes()
    return client.post(
        "/api/modules/",
        {
            "weights": SimpleUploadedFile("weights.safetensors", weights_bytes),
            "manifest": SimpleUploadedFile("manifest.json", manifest_bytes),
            "visibility": visibility,
        },
        format="multipart",
    )


def _stored_folders() -> list[str]:
    store = Path(settings.TRANSPLANT_STORE)
    if not store.exists():
        return []
    incoming = Path(settings.TRANSPLANT_CACHE) / ".incoming"
    leftovers = [p.name for p in incoming.iterdir()] if incoming.exists() else []
    return [p.name for p in store.iterdir() if p.name != ".incoming"] + leftovers


def test_a_valid_upload_is_stored_with_its_manifest_and_teacher(client, teacher_folders):
    response = _upload(client, teacher_folders["cat-category"])
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "category" and body["category"] == "cat" and body["task"] is None
    assert body["owner"] == "alice" and body["visibility"] == "private"
    assert len(body["sha256"]) == 64 and body["size_bytes"] > 0
    module = Module.objects.get(pk=body["id"])
    assert module.teacher is not None
    assert _stored_folders() == [module.sha256]


def test_uploading_the_same_weights_twice_is_a_conflict(client, teacher_folders):
    assert _upload(client, teacher_folders["cat-category"]).status_code == 201
    response = _upload(client, teacher_folders["cat-category"])
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate_module"


def _huge_header() -> bytes:
    return struct.pack("<Q", 2**40) + b"{}"


def _truncated(folder: Path) -> bytes:
    data = (folder / "weights.safetensors").read_bytes()
    return data[: len(data) // 2]


def _pickle_payload() -> bytes:
    return pickle.dumps({"weight": [1.0, 2.0, 3.0]})


@pytest.mark.parametrize(
    "make_weights, code, expected",
    [
        (lambda folder: _pickle_payload(), "invalid_module", "not a safetensors file"),
        (_truncated, "invalid_module", "truncated"),
        (lambda folder: _huge_header(), "invalid_module", "The module was refused"),
        (lambda folder: b"", "invalid", "empty"),
    ],
)
def test_an_upload_that_is_not_valid_safetensors_is_refused_and_nothing_is_stored(
    client, teacher_folders, make_weights, code, expected
):
    response = _upload(
        client, teacher_folders["cat-category"], weights=make_weights(teacher_folders["cat-category"])
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert expected in error["message"], error["message"]
    assert Module.objects.count() == 0
    assert _stored_folders() == []


def test_weights_with_the_wrong_shapes_are_refused(client, teacher_folders):
    # Dog classification weights under the cat segmentation manifest: names or shapes differ.
    response = _upload(
        client,
        teacher_folders["cat-segmentation"],
        weights=(teacher_folders["dog-classification"] / "weights.safetensors").read_bytes(),
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_module"
    assert Module.objects.count() == 0 and _stored_folders() == []


def test_a_manifest_that_is_not_json_or_lacks_fields_is_refused(client, teacher_folders):
    folder = teacher_folders["cat-category"]
    response = client.post(
        "/api/modules/",
        {
            "weights": SimpleUploadedFile("w.safetensors", (folder / "weights.safetensors").read_bytes()),
            "manifest": SimpleUploadedFile("manifest.json", b"{not json"),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_manifest"
    response = _upload(client, folder, manifest={"kind": "category", "name": "x"})
    assert response.status_code == 400
    assert "lacks" in response.json()["error"]["message"]
    assert Module.objects.count() == 0 and _stored_folders() == []


def test_an_upload_over_the_size_limit_is_refused_with_413(client, teacher_folders, settings):
    settings.TRANSPLANT_MAX_UPLOAD_BYTES = 1000
    response = _upload(client, teacher_folders["cat-category"])
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert Module.objects.count() == 0 and _stored_folders() == []


def test_uploads_need_authentication(teacher_folders):
    from rest_framework.test import APIClient

    response = _upload(APIClient(), teacher_folders["cat-category"])
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_private_modules_are_seen_by_their_owner_and_lab_managers_only(
    client, other_client, manager, teacher_folders
):
    from rest_framework.test import APIClient

    module_id = _upload(client, teacher_folders["cat-category"]).json()["id"]
    assert client.get(f"/api/modules/{module_id}/").status_code == 200
    assert other_client.get(f"/api/modules/{module_id}/").status_code == 404
    assert other_client.get("/api/modules/").json()["count"] == 0
    boss = APIClient()
    boss.force_authenticate(manager)
    assert boss.get(f"/api/modules/{module_id}/").status_code == 200
    assert other_client.patch(f"/api/modules/{module_id}/", {"name": "mine"}).status_code == 404
    # Only lab managers may publish to the lab.
    assert client.patch(f"/api/modules/{module_id}/", {"visibility": "lab"}).status_code == 403
    assert client.patch(f"/api/modules/{module_id}/", {"visibility": "public"}).status_code == 200
    assert other_client.get(f"/api/modules/{module_id}/").status_code == 200


def test_search_filters_sort_facets_and_pagination(client, catalog):
    everything = client.get("/api/modules/?page_size=2").json()
    assert everything["count"] == 5 and len(everything["results"]) == 2 and everything["next"]
    tasks = client.get("/api/modules/?kind=task&task=classification").json()
    assert {m["name"] for m in tasks["results"]} == {
        "cat-vgg-mini-classification",
        "dog-vgg-mini-classification",
    }
    assert client.get("/api/modules/?search=dog").json()["count"] == 2
    by_category = client.get("/api/modules/?category=dog").json()["results"]
    assert {m["name"] for m in by_category} == {"dog-vgg-mini-category", "dog-vgg-mini-classification"}
    ranged = client.get("/api/modules/?kind=task&metric=pixel_accuracy&metric_min=0&metric_max=100").json()
    assert [m["name"] for m in ranged["results"]] == ["cat-vgg-mini-segmentation"]
    ordered = client.get("/api/modules/?kind=task&metric=error&ordering=-metric").json()["results"]
    errors = [m["metrics"]["error"] for m in ordered if "error" in m["metrics"]]
    assert errors == sorted(errors, reverse=True)
    names = [m["name"] for m in client.get("/api/modules/?ordering=name").json()["results"]]
    assert names == sorted(names)
    facets = client.get("/api/modules/facets/?architecture=vgg-mini").json()
    assert facets["kind"] == {"category": 2, "task": 3}
    assert facets["category"] == {"cat": 1, "dog": 1}
    bad = client.get("/api/modules/?ordering=metric")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
    assert client.get("/api/modules/?kind=robot").status_code == 400


def test_download_gives_back_the_manifest_and_weights(client, catalog, teacher_folders):
    module = catalog["cat-category"]
    response = client.get(f"/api/modules/{module.id}/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response.streaming  # read from the store chunk by chunk, never built whole
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == ["manifest.json", "weights.safetensors"]
    assert (
        archive.read("weights.safetensors")
        == (teacher_folders["cat-category"] / "weights.safetensors").read_bytes()
    )
    assert json.loads(archive.read("manifest.json"))["sha256"] == module.sha256


def test_a_module_used_by_a_graph_cannot_be_deleted(client, catalog, manager):
    from rest_framework.test import APIClient

    boss = APIClient()
    boss.force_authenticate(manager)
    graph = client.post("/api/graphs/", {"name": "g"}, format="json").json()
    module = catalog["dog-classification"]
    client.post(f"/api/graphs/{graph['id']}/nodes/", {"module": module.id}, format="json")
    response = boss.delete(f"/api/modules/{module.id}/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "module_in_use"
    unused = catalog["cat-segmentation"]
    assert boss.delete(f"/api/modules/{unused.id}/").status_code == 204
    assert not Module.objects.filter(pk=unused.id).exists()

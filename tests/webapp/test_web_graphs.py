"""Graphs: ownership, nodes, edge validation (with its job), versions, import and export."""

from __future__ import annotations

import pytest
from dataset_zips import class_members, zip_bytes
from django.core.files.uploadedfile import SimpleUploadedFile

from webapp.jobs.edge_settings import (
    CROSS_NET_ADAPTER_LAYERS,
    CROSS_NET_SAMPLES,
    CROSS_NET_STEPS,
    DEFAULT_SETTINGS,
)
from webapp.jobs.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def graph(client):
    return client.post("/api/graphs/", {"name": "my graph"}, format="json").json()


def _node(client, graph, module, x=0.0, y=0.0):
    response = client.post(
        f"/api/graphs/{graph['id']}/nodes/", {"module": module.id, "x": x, "y": y}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


def _edge(client, graph, source, target, settings=None):
    payload = {"source": source["id"], "target": target["id"]}
    if settings is not None:
        payload["settings"] = settings
    return client.post(f"/api/graphs/{graph['id']}/edges/", payload, format="json")


def test_an_edge_from_a_category_to_a_task_module_records_a_queued_job(client, graph, catalog):
    cat = _node(client, graph, catalog["cat-category"])
    dog = _node(client, graph, catalog["dog-classification"], x=300)
    response = _edge(client, graph, cat, dog, {"steps": 40})
    assert response.status_code == 201, response.json()
    edge = response.json()
    # Onto another net's task module: a few labelled samples and three convs by default.
    assert edge["settings"] == {
        "method": "auto",
        "samples": CROSS_NET_SAMPLES,
        "adapter_layers": CROSS_NET_ADAPTER_LAYERS,
        "steps": 40,
        "seed": 0,
    }
    assert edge["job"]["status"] == "queued" and edge["job"]["reused"] is False
    job = Job.objects.get(pk=edge["job"]["id"])
    assert job.teacher_task_module == catalog["cat-classification"]
    assert (job.category_module, job.task_module) == (catalog["cat-category"], catalog["dog-classification"])
    detail = client.get(f"/api/graphs/{graph['id']}/").json()
    assert [e["id"] for e in detail["edges"]] == [edge["id"]] and len(detail["nodes"]) == 2
    assert client.get(f"/api/jobs/?graph={graph['id']}").json()["count"] == 1


def test_an_edge_into_the_categorys_own_net_needs_no_labelled_samples_by_default(client, graph, catalog):
    cat = _node(client, graph, catalog["cat-category"])
    own = _node(client, graph, catalog["cat-classification"], x=300)
    assert cat["module"]["teacher"] is not None and cat["module"]["teacher"] == own["module"]["teacher"]
    edge = _edge(client, graph, cat, own, {"steps": 40}).json()
    assert edge["settings"]["samples"] == 0


def test_an_edge_across_nets_trains_longer_by_default_and_one_within_a_net_does_not(client, graph, catalog):
    cat = _node(client, graph, catalog["cat-category"])
    dog = _node(client, graph, catalog["dog-classification"], x=300)
    own = _node(client, graph, catalog["cat-classification"], x=600)
    assert CROSS_NET_STEPS > DEFAULT_SETTINGS["steps"]
    across = _edge(client, graph, cat, dog, {}).json()
    within = _edge(client, graph, cat, own, {}).json()
    assert across["settings"]["steps"] == CROSS_NET_STEPS
    assert within["settings"]["steps"] == DEFAULT_SETTINGS["steps"]
    assert Job.objects.get(pk=across["job"]["id"]).settings["steps"] == CROSS_NET_STEPS


def test_zero_samples_asked_for_across_nets_are_kept(client, graph, catalog):
    cat = _node(client, graph, catalog["cat-category"])
    dog = _node(client, graph, catalog["dog-classification"], x=300)
    assert cat["module"]["teacher"] != dog["module"]["teacher"]
    edge = _edge(client, graph, cat, dog, {"samples": 0, "steps": 40}).json()
    assert edge["settings"]["samples"] == 0


def test_an_edge_between_the_wrong_kinds_is_refused_naming_the_problem(client, graph, catalog):
    task = _node(client, graph, catalog["dog-classification"])
    category = _node(client, graph, catalog["cat-category"])
    response = _edge(client, graph, task, category)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "incompatible_modules"
    assert "category module" in error["message"]
    assert Job.objects.count() == 0


def test_an_edge_whose_teacher_lacks_the_task_is_refused(client, graph, catalog):
    dog = _node(client, graph, catalog["dog-category"])
    segmentation = _node(client, graph, catalog["cat-segmentation"])
    response = _edge(client, graph, dog, segmentation)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "no_teacher" and "segmentation" in error["message"]


def test_bad_settings_and_duplicate_edges_are_refused(client, graph, catalog):
    cat = _node(client, graph, catalog["cat-category"])
    dog = _node(client, graph, catalog["dog-classification"])
    response = _edge(client, graph, cat, dog, {"adapter_layers": 2})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_settings"
    assert "adapter_layers" in response.json()["error"]["message"]
    assert _edge(client, graph, cat, dog, {"wings": 2}).status_code == 400
    assert _edge(client, graph, cat, dog).status_code == 201
    assert _edge(client, graph, cat, dog).status_code == 409


def test_deleting_an_edge_cancels_its_job(client, graph, catalog):
    cat = _node(client, graph, catalog["cat-category"])
    dog = _node(client, graph, catalog["dog-classification"])
    edge = _edge(client, graph, cat, dog).json()
    assert client.delete(f"/api/graphs/{graph['id']}/edges/{edge['id']}/").status_code == 204
    assert Job.objects.get(pk=edge["job"]["id"]).status == "cancelled"


def test_another_users_graph_cannot_be_read_or_changed(client, other_client, graph, catalog):
    url = f"/api/graphs/{graph['id']}/"
    assert other_client.get(url).status_code == 404
    assert other_client.patch(url, {"name": "mine"}, format="json").status_code == 404
    assert other_client.delete(url).status_code == 404
    assert (
        other_client.post(f"{url}nodes/", {"module": catalog["cat-category"].id}, format="json").status_code
        == 404
    )
    assert other_client.get(f"{url}export/").status_code == 404
    assert other_client.get("/api/graphs/").json()["count"] == 0
    assert client.get(url).json()["name"] == "my graph"


def test_versions_snapshot_and_restore_the_graph(client, graph, catalog):
    cat = _node(client, graph, catalog["cat-category"], x=1, y=2)
    dog = _node(client, graph, catalog["dog-classification"])
    _edge(client, graph, cat, dog, {"steps": 25})
    version = client.post(f"/api/graphs/{graph['id']}/versions/", {"name": "v1"}, format="json")
    assert version.status_code == 201
    client.delete(f"/api/graphs/{graph['id']}/nodes/{cat['id']}/")
    assert client.get(f"/api/graphs/{graph['id']}/").json()["edges"] == []
    versions = client.get(f"/api/graphs/{graph['id']}/versions/").json()
    assert [v["name"] for v in versions] == ["v1"]
    restored = client.post(f"/api/graphs/{graph['id']}/versions/{versions[0]['id']}/restore/")
    assert restored.status_code == 200
    body = restored.json()
    assert sorted(n["module"]["name"] for n in body["nodes"]) == [
        "cat-vgg-mini-category",
        "dog-vgg-mini-classification",
    ]
    assert body["edges"][0]["settings"]["steps"] == 25
    assert body["edges"][0]["job"]["status"] == "queued"


def test_export_and_import_round_trip(client, graph, catalog):
    cat = _node(client, graph, catalog["cat-category"], x=5)
    dog = _node(client, graph, catalog["dog-classification"], x=50)
    _edge(client, graph, cat, dog)
    document = client.get(f"/api/graphs/{graph['id']}/export/").json()
    assert document["format"] == "transplant-graph/1" and len(document["nodes"]) == 2
    imported = client.post("/api/graphs/import/", document, format="json")
    assert imported.status_code == 201, imported.json()
    body = imported.json()
    assert body["id"] != graph["id"] and len(body["nodes"]) == 2 and len(body["edges"]) == 1
    document["nodes"][0]["module_sha256"] = "0" * 64
    refused = client.post("/api/graphs/import/", document, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "missing_module"


def _upload_cats(client) -> dict:
    archive = zip_bytes(class_members({"cat": ("cat", 20), "pallet": ("bird", 20)}))
    response = client.post(
        "/api/datasets/", {"archive": SimpleUploadedFile("cats.zip", archive)}, format="multipart"
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_an_exported_graph_names_its_dataset_by_contents_so_it_imports_on_another_server(
    client, other_client, graph, catalog
):
    dataset = _upload_cats(client)
    cat = _node(client, graph, catalog["cat-category"])
    dog = _node(client, graph, catalog["dog-classification"], x=300)
    assert _edge(client, graph, cat, dog, {"samples": 5, "dataset": dataset["id"]}).status_code == 201
    document = client.get(f"/api/graphs/{graph['id']}/export/").json()
    reference = {"sha256": dataset["sha256"], "name": "cats"}
    assert document["edges"][0]["settings"]["dataset"] == reference  # not this server's id

    imported = client.post("/api/graphs/import/", document, format="json")
    assert imported.status_code == 201, imported.json()
    assert imported.json()["edges"][0]["settings"]["dataset"] == dataset["id"]

    # Someone who cannot see the dataset is told which one is missing, and no graph is made.
    refused = other_client.post("/api/graphs/import/", document, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "missing_dataset"
    assert "'cats'" in refused.json()["error"]["message"]
    assert dataset["sha256"][:12] in refused.json()["error"]["message"]
    assert other_client.get("/api/graphs/").json()["count"] == 0

    # A server that lacks the dataset says so; once the same images are uploaded there (a new id,
    # the same contents), the document imports onto them.
    for graph_id in (graph["id"], imported.json()["id"]):
        assert client.delete(f"/api/graphs/{graph_id}/").status_code == 204
    assert client.delete(f"/api/datasets/{dataset['id']}/").status_code == 204
    missing = client.post("/api/graphs/import/", document, format="json")
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "missing_dataset"
    assert missing.json()["error"]["details"]["dataset"] == reference
    again = _upload_cats(client)
    assert again["id"] != dataset["id"] and again["sha256"] == dataset["sha256"]
    moved = client.post("/api/graphs/import/", document, format="json")
    assert moved.status_code == 201, moved.json()
    assert moved.json()["edges"][0]["settings"]["dataset"] == again["id"]

    # A reference without its hash is a broken document, not a missing dataset.
    document["edges"][0]["settings"]["dataset"] = {"name": "cats"}
    broken = client.post("/api/graphs/import/", document, format="json")
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "invalid_document"


def test_a_snapshot_of_an_edge_on_a_dataset_restores_onto_it(client, graph, catalog):
    dataset = _upload_cats(client)
    cat = _node(client, graph, catalog["cat-category"])
    dog = _node(client, graph, catalog["dog-classification"], x=300)
    _edge(client, graph, cat, dog, {"samples": 5, "dataset": dataset["id"]})
    version = client.post(f"/api/graphs/{graph['id']}/versions/", {"name": "v1"}, format="json").json()
    restored = client.post(f"/api/graphs/{graph['id']}/versions/{version['id']}/restore/")
    assert restored.status_code == 200, restored.json()
    assert restored.json()["edges"][0]["settings"]["dataset"] == dataset["id"]

"""Grafts and teachers on a dataset, with a real Dramatiq worker: a teacher job ending in modules,
an edge trained with the dataset's samples and measured on its test split, and clear 400s when no
data can serve."""

from __future__ import annotations

import json

import dramatiq
import pytest
from dataset_zips import class_members, forklift_zip, mask_members, zip_bytes
from django.core.files.uploadedfile import SimpleUploadedFile
from helpers import wait_for
from test_web_end_to_end import _login, server  # noqa: F401  (the daphne fixture)
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

import engine
from webapp.catalog.models import Module, ModuleKind
from webapp.catalog.storage import module_folder
from webapp.datasets.models import Dataset
from webapp.datasets.storage import dataset_folder
from webapp.jobs.models import Job, JobPoint

pytestmark = pytest.mark.django_db(transaction=True)


def _upload(client, data: bytes, name: str = "forklifts.zip") -> dict:
    response = client.post("/api/datasets/", {"archive": SimpleUploadedFile(name, data)}, format="multipart")
    assert response.status_code == 201, response.content
    return response.json()


def _finished_job(job_id: int, timeout: float = 300) -> Job:
    wait_for(
        lambda: Job.objects.get(pk=job_id).status in ("succeeded", "failed", "cancelled"),
        timeout=timeout,
        what=f"job {job_id} to finish",
    )
    return Job.objects.get(pk=job_id)


def _graph_with(client, *modules: Module) -> tuple[int, list[int]]:
    graph = client.post("/api/graphs/", {"name": "lab"}, format="json").json()
    nodes = [
        client.post(f"/api/graphs/{graph['id']}/nodes/", {"module": module.id}, format="json").json()["id"]
        for module in modules
    ]
    return graph["id"], nodes


def _draw(client, graph_id: int, nodes: list[int], settings: dict):
    return client.post(
        f"/api/graphs/{graph_id}/edges/",
        {"source": nodes[0], "target": nodes[1], "settings": settings},
        format="json",
    )


def _train_forklift_teacher(client, dataset: dict) -> Module:
    response = client.post(
        "/api/jobs/",
        {"kind": "teacher", "dataset": dataset["id"], "category": "forklift", "epochs": 2},
        format="json",
    )
    assert response.status_code == 201, response.json()
    job = _finished_job(response.json()["id"])
    assert job.status == "succeeded", job.error
    return job


def test_a_teacher_job_ends_in_modules_with_the_dataset_in_their_lineage(client, worker):
    dataset = _upload(client, forklift_zip(40))
    job = _train_forklift_teacher(client, dataset)
    made = {module.kind: module for module in job.made_modules.all()}
    assert set(made) == {ModuleKind.CATEGORY, ModuleKind.TASK}
    assert made[ModuleKind.CATEGORY].category == "forklift"
    assert made[ModuleKind.TASK].task == "classification"
    assert made[ModuleKind.CATEGORY].teacher_id == made[ModuleKind.TASK].teacher_id is not None
    for module in made.values():
        data_links = module.parent_links.filter(role="data")
        assert [(link.sha256, link.name) for link in data_links] == [(dataset["sha256"], "forklifts")]
    assert 0 <= job.final_metrics["classification.error"] < 50  # cats vs birds: better than chance
    detail = client.get(f"/api/jobs/{job.id}/").json()
    assert detail["kind"] == "teacher" and detail["settings"]["category"] == "forklift"
    assert sorted(detail["made_modules"]) == sorted(m.id for m in made.values())
    assert job.points.exists()  # streamed step by step like an edge job


def _receive_until_finished(ws, timeout: float = 300) -> list[dict]:
    messages: list[dict] = []
    while not messages or messages[-1]["type"] not in ("job.succeeded", "job.failed", "job.cancelled"):
        messages.append(json.loads(ws.recv(timeout=timeout)))
    return messages


def test_a_teacher_job_streams_its_epochs_live_on_its_own_websocket(client, server, other_user):  # noqa: F811
    """Over real sockets (daphne) with a real worker: the teacher job's owner watches
    ``/ws/jobs/<id>/`` and sees it start, its steps with the loss, each epoch's test error and its
    end with the modules it made, numbered without gaps; another user may not watch it."""
    broker = dramatiq.get_broker()
    broker.flush_all()
    dataset = _upload(client, forklift_zip(40))
    alice = _login(server, "alice", "alice-password")
    status, job = alice.request(
        "POST",
        "/api/jobs/",
        {"kind": "teacher", "dataset": dataset["id"], "category": "forklift", "epochs": 3},
    )
    assert status == 201, job
    url = f"ws://{server.removeprefix('http://')}/ws/jobs/{job['id']}/"
    mallory = _login(server, "mallory", "mallory-password")
    with connect(url, origin=server, additional_headers={"Cookie": mallory.cookie_header()}) as refused:
        with pytest.raises(ConnectionClosed) as closed:
            refused.recv(timeout=10)
        assert closed.value.rcvd.code == 4403
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=100)
    with connect(url, origin=server, additional_headers={"Cookie": alice.cookie_header()}) as ws:
        ws.send(json.dumps({"type": "ping"}))
        assert json.loads(ws.recv(timeout=10)) == {"type": "pong"}  # subscribed: now let it run
        worker.start()
        try:
            messages = _receive_until_finished(ws)
        finally:
            worker.stop(timeout=30_000)
            broker.flush_all()

    types = [m["type"] for m in messages]
    assert types[0] == "job.started" and types[-1] == "job.succeeded", messages[-1]
    assert all(m["job"] == job["id"] and m["edge"] is None for m in messages)
    # "queued" went out before anyone watched (seq 1); the rest follow without a gap.
    assert [m["seq"] for m in messages] == list(range(2, 2 + len(messages)))
    progress = [m for m in messages if m["type"] == "job.progress"]
    steps = [m["step"] for m in progress]
    total = progress[-1]["total_steps"]
    # Progress is coalesced (at most about five messages a second), so an idle machine that trains the
    # three epochs in under a second sends fewer messages than epochs; the steps never go back, and the
    # last message is the last step.
    assert progress and steps == sorted(steps) and steps[-1] == total
    assert total % 3 == 0  # three epochs of equal length
    assert all(m["losses"]["loss"] > 0 for m in progress)
    # Each epoch ends with a test evaluation; its error rides on the progress messages after it.
    stored = JobPoint.objects.filter(job_id=job["id"], metrics__isnull=False).order_by("step")
    assert [point.step for point in stored] == [total // 3, 2 * total // 3, total]
    assert progress[-1]["metrics"] == stored.last().metrics
    succeeded = messages[-1]
    assert succeeded["final_metrics"]["classification.error"] == pytest.approx(
        progress[-1]["metrics"]["error"]
    )
    assert succeeded["evaluated"] is True
    made = Job.objects.get(pk=job["id"]).made_modules.values_list("id", flat=True)
    assert sorted(succeeded["made_modules"]) == sorted(made) and len(made) == 2


def test_an_edge_on_a_dataset_trains_with_its_samples_and_is_measured_on_its_test_split(
    client, catalog, worker
):
    dataset = _upload(client, forklift_zip(40))
    teacher = _train_forklift_teacher(client, dataset)
    category = teacher.made_modules.get(kind=ModuleKind.CATEGORY)
    graph_id, nodes = _graph_with(client, category, catalog["dog-classification"])
    response = _draw(client, graph_id, nodes, {"samples": 10, "dataset": dataset["id"], "steps": 20})
    assert response.status_code == 201, response.json()
    assert response.json()["settings"]["dataset"] == dataset["id"]
    job = _finished_job(response.json()["job"]["id"])
    assert job.status == "succeeded", job.error
    assert job.dataset_id == dataset["id"]
    assert client.get(f"/api/jobs/{job.id}/").json()["evaluated"] is True
    # The job's error is the adapter's error on the dataset's own test split, measured again here.
    data = engine.load_folder_data(
        dataset_folder(Dataset.objects.get(pk=dataset["id"])),
        "forklift",
        "classification",
        seed=0,
        input_shape=(1, 28, 28),
    )
    images, labels = data.test.tensors
    assert len(labels) == 16  # a fifth of each side of 40
    prediction = engine.predict(
        engine.load_module(module_folder(category)),
        engine.load_module(module_folder(catalog["dog-classification"])),
        images,
        adapter=engine.load_module(module_folder(job.adapter)),
    )
    error = 100.0 * float(((prediction.probability > 0.5).float() != labels).float().mean())
    assert job.final_metrics["error"] == pytest.approx(error, abs=1e-6)
    # "Try it" offers these test images with their true labels, and predicts on them.
    edge_url = f"/api/graphs/{graph_id}/edges/{response.json()['id']}"
    gallery = client.get(f"{edge_url}/gallery/").json()
    assert [item["label"] for item in gallery] == [
        "forklift" if t > 0.5 else "other" for t in labels.tolist()
    ]
    png = client.get(f"{edge_url}/gallery/0/")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    predicted = client.post(
        f"{edge_url}/predict/", {"image": SimpleUploadedFile("t.png", png.content)}, format="multipart"
    ).json()
    assert predicted["probability"] == pytest.approx(float(prediction.probability[0]), abs=0.02)
    assert client.get(f"{edge_url}/gallery/99/").status_code == 404
    # The dataset is in use while an edge names it.
    assert client.delete(f"/api/datasets/{dataset['id']}/").status_code == 409


def test_a_zero_sample_edge_of_a_new_category_needs_no_data_and_is_not_evaluated(client, catalog, worker):
    dataset = _upload(client, forklift_zip(40))
    category = _train_forklift_teacher(client, dataset).made_modules.get(kind=ModuleKind.CATEGORY)
    graph_id, nodes = _graph_with(client, category, catalog["dog-classification"])
    response = _draw(client, graph_id, nodes, {"samples": 0, "steps": 10})
    assert response.status_code == 201, response.json()
    assert response.json()["job"]["evaluated"] is None  # not finished yet
    job = _finished_job(response.json()["job"]["id"])
    assert job.status == "succeeded", job.error
    assert job.final_metrics == {}
    # The payloads say so in words the editor's card shows: "not evaluated".
    assert client.get(f"/api/jobs/{job.id}/").json()["evaluated"] is False
    edge = client.get(f"/api/graphs/{graph_id}/").json()["edges"][0]
    assert edge["job"]["status"] == "succeeded" and edge["job"]["evaluated"] is False


def test_edges_asking_for_samples_no_data_can_serve_are_refused_when_drawn(
    client, other_client, catalog, worker
):
    dataset = _upload(client, forklift_zip(40))
    category = _train_forklift_teacher(client, dataset).made_modules.get(kind=ModuleKind.CATEGORY)
    graph_id, nodes = _graph_with(client, category, catalog["dog-classification"])
    masks = _upload(client, zip_bytes(mask_members(6)), name="horses.zip")
    cases = [
        ({"samples": 10}, "no data holds that category"),
        ({"samples": 10, "dataset": masks["id"]}, "is for segmentation"),
        ({"samples": 65, "dataset": dataset["id"]}, "holds 64 training samples"),
        ({"samples": 10, "dataset": 999999}, "does not exist or is not visible"),
        ({"samples": 10, "dataset": "forklifts"}, "must be a dataset id"),
    ]
    for settings, message in cases:
        response = _draw(client, graph_id, nodes, settings)
        assert response.status_code == 400, (settings, response.json())
        assert message in response.json()["error"]["message"], response.json()
    assert Job.objects.filter(kind="graft").count() == 0
    # Another user's private dataset cannot serve either, and is not named.
    other_graph, other_nodes = _graph_with(
        other_client, catalog["cat-category"], catalog["dog-classification"]
    )
    response = _draw(other_client, other_graph, other_nodes, {"samples": 10, "dataset": dataset["id"]})
    assert response.status_code == 400 and "forklifts" not in response.json()["error"]["message"]


def test_teacher_jobs_check_their_settings_against_the_dataset(client, transactional_db):
    dataset = _upload(client, forklift_zip(10))
    for body, message in (
        ({"category": "crane"}, "no class folder 'crane'"),
        ({"category": "forklift", "architecture": "no-such-net"}, "Invalid teacher settings"),
        ({"category": "forklift", "tasks": ["segmentation"]}, "serves classification only"),
    ):
        response = client.post(
            "/api/jobs/", {"kind": "teacher", "dataset": dataset["id"], **body}, format="json"
        )
        assert response.status_code == 400, response.json()
        assert message in response.json()["error"]["message"], response.json()
    assert not Job.objects.exists()


def test_the_edge_dialogs_preview_counts_the_pool_auto_would_have_the_teacher_label(client, catalog):
    dataset = _upload(
        client, zip_bytes(class_members({"cat": ("cat", 70), "bird": ("bird", 70)})), "cats.zip"
    )
    ends = f"category={catalog['cat-category'].id}&task={catalog['dog-classification'].id}"

    def auto_choice(query: str = "") -> str:
        response = client.get(f"/api/edge-settings/preview/?{ends}{query}")
        assert response.status_code == 200, response.json()
        return response.json()["auto_choice"]

    # Built-in data: the cat problem's Animal-MNIST training split; a dataset: its own training split.
    builtin = engine.train_split_size("cat", "classification")
    assert auto_choice().startswith(f"distill on {builtin} training images that the teacher labels")
    assert auto_choice(f"&dataset={dataset['id']}").startswith("distill on 112 training images")
    assert client.get(f"/api/edge-settings/preview/?{ends}&dataset=999999").status_code == 404

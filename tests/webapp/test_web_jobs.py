"""Jobs with a real Dramatiq worker: redelivery, cancellation, failures, retry, reuse."""

from __future__ import annotations

import time

import pytest
from helpers import wait_for

from webapp.catalog.models import Module, ModuleKind
from webapp.catalog.storage import module_folder
from webapp.jobs.actors import run_job
from webapp.jobs.models import Job, JobPoint

pytestmark = pytest.mark.django_db(transaction=True)


def _draw_edge(client, catalog, *, steps: int, category="cat-category", task="dog-classification") -> dict:
    graph = client.post("/api/graphs/", {"name": "jobs"}, format="json").json()
    nodes = [
        client.post(f"/api/graphs/{graph['id']}/nodes/", {"module": catalog[name].id}, format="json").json()
        for name in (category, task)
    ]
    response = client.post(
        f"/api/graphs/{graph['id']}/edges/",
        {"source": nodes[0]["id"], "target": nodes[1]["id"], "settings": {"steps": steps}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def _status(job_id: int) -> str:
    return Job.objects.values_list("status", flat=True).get(pk=job_id)


def _finished(job_id: int) -> bool:
    return _status(job_id) in ("succeeded", "failed", "cancelled")


def test_a_redelivered_message_does_not_train_twice(client, catalog, worker):
    edge = _draw_edge(client, catalog, steps=12)
    job_id = edge["job"]["id"]
    wait_for(lambda: _finished(job_id), timeout=120, what="the job to finish")
    job = Job.objects.get(pk=job_id)
    assert job.status == "succeeded", job.error
    before = (job.started, job.finished, job.adapter_id, JobPoint.objects.filter(job=job).count())
    # The broker delivers the same message again (e.g. after a worker lost its connection).
    run_job.send(job_id)
    run_job.send(job_id)
    worker.broker.join(run_job.queue_name, timeout=30_000)
    worker.join()
    job.refresh_from_db()
    assert (job.started, job.finished, job.adapter_id, JobPoint.objects.filter(job=job).count()) == before
    assert Module.objects.filter(kind=ModuleKind.ADAPTER).count() == 1


def test_duplicate_deliveries_to_concurrent_workers_claim_the_job_once(client, catalog, transactional_db):
    import asyncio

    import dramatiq
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from webapp.live.services import graph_group

    broker = dramatiq.get_broker()
    broker.flush_all()
    edge = _draw_edge(client, catalog, steps=8)  # its message waits in the queue
    job_id = edge["job"]["id"]
    run_job.send(job_id)
    run_job.send(job_id)
    worker = dramatiq.Worker(broker, worker_threads=3)

    async def watch() -> list[dict]:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(graph_group(edge["job"]["graph"]), channel)
        worker.start()  # three threads, three deliveries of one job
        events: list[dict] = []
        while not events or events[-1]["type"] not in ("job.succeeded", "job.failed"):
            events.append((await asyncio.wait_for(layer.receive(channel), 120))["message"])
        return events

    try:
        events = async_to_sync(watch)()
        broker.join(run_job.queue_name, timeout=30_000)
        worker.join()
    finally:
        worker.stop(timeout=30_000)
        broker.flush_all()
    assert [e["type"] for e in events].count("job.started") == 1
    assert events[-1]["type"] == "job.succeeded"
    assert Module.objects.filter(kind=ModuleKind.ADAPTER).count() == 1


def test_cancelling_a_running_job_stops_it_within_seconds(client, catalog, worker):
    edge = _draw_edge(client, catalog, steps=5000)
    job_id = edge["job"]["id"]
    wait_for(
        lambda: JobPoint.objects.filter(job_id=job_id).exists(), timeout=120, what="the first training step"
    )
    response = client.post(f"/api/jobs/{job_id}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    cancelled_at = time.monotonic()
    # The worker is free again once the engine noticed: it takes the next job.
    follow_up = _draw_edge(client, catalog, steps=5, task="cat-classification")
    wait_for(
        lambda: _status(follow_up["job"]["id"]) != "queued",
        timeout=10,
        what="the worker to stop the cancelled job",
    )
    assert time.monotonic() - cancelled_at < 10
    job = Job.objects.get(pk=job_id)
    assert job.status == "cancelled" and job.adapter is None and job.last_step < 5000
    client.post(f"/api/jobs/{follow_up['job']['id']}/cancel/")


def test_a_failing_engine_call_marks_the_job_failed_and_the_worker_keeps_serving(client, catalog, worker):
    teacher_task = catalog["cat-classification"]
    weights = module_folder(teacher_task) / "weights.safetensors"
    good = weights.read_bytes()
    weights.write_bytes(b"\x00" * 16)  # the engine refuses to load it
    edge = _draw_edge(client, catalog, steps=5)
    job_id = edge["job"]["id"]
    wait_for(lambda: _finished(job_id), timeout=60, what="the job to fail")
    job = client.get(f"/api/jobs/{job_id}/").json()
    assert job["status"] == "failed"
    assert "cannot be loaded" in job["error"] and job["finished"]
    # Fix the file; a retry is a new attempt that the same worker runs to success.
    weights.write_bytes(good)
    retry = client.post(f"/api/jobs/{job_id}/retry/")
    assert retry.status_code == 201 and retry.json()["attempt"] == 2
    new_id = retry.json()["id"]
    wait_for(lambda: _finished(new_id), timeout=120, what="the retried job")
    assert _status(new_id) == "succeeded", Job.objects.get(pk=new_id).error
    assert client.post(f"/api/jobs/{new_id}/retry/").status_code == 409


def test_an_error_raised_inside_graft_is_kept_on_the_job(client, catalog, transactional_db):
    import dramatiq

    broker = dramatiq.get_broker()
    broker.flush_all()
    edge = _draw_edge(client, catalog, steps=5)  # queued; no worker yet
    # The row names a teacher task module of another task: the engine's own check refuses it.
    Job.objects.filter(pk=edge["job"]["id"]).update(teacher_task_module=catalog["cat-segmentation"])
    worker = dramatiq.Worker(broker, worker_threads=1)
    worker.start()
    try:
        wait_for(lambda: _finished(edge["job"]["id"]), timeout=60, what="the job to fail")
    finally:
        worker.stop(timeout=30_000)
        broker.flush_all()
    job = Job.objects.get(pk=edge["job"]["id"])
    assert job.status == "failed"
    assert job.error.startswith("IncompatibleModulesError") and "segmentation" in job.error


def test_an_edge_with_a_finished_adapter_reuses_it(client, catalog, worker):
    first = _draw_edge(client, catalog, steps=6)
    wait_for(lambda: _finished(first["job"]["id"]), timeout=120, what="the first job")
    adapter_id = Job.objects.get(pk=first["job"]["id"]).adapter_id
    assert adapter_id is not None
    second = _draw_edge(client, catalog, steps=6)
    assert second["job"]["status"] == "succeeded" and second["job"]["reused"] is True
    assert second["job"]["adapter"] == adapter_id and second["adapter"]["id"] == adapter_id
    points = client.get(f"/api/jobs/{first['job']['id']}/points/?after=3").json()
    assert [p["step"] for p in points] == [4, 5, 6]
    insight = client.get(f"/api/jobs/{first['job']['id']}/insight/")
    assert insight.status_code == 200, insight.json()
    body = insight.json()
    assert len(body["teacher"]) > 0 and len(body["student"]) == len(body["teacher"])
    learned_by = Job.objects.get(pk=first["job"]["id"]).adapter.manifest["config"]["method"]
    assert (
        list(body["pca"]) == [learned_by] and len(body["pca"][learned_by][0]) == 2
    )  # auto's concrete choice


def _png(size: int = 40) -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("L", (size, size), 0)
    ImageDraw.Draw(image).ellipse((8, 8, size - 8, size - 8), fill=255)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_trained_edge_predicts_on_an_uploaded_image_and_refuses_garbage(client, catalog, worker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    edge = _draw_edge(client, catalog, steps=5)
    url = f"/api/graphs/{edge['job']['graph']}/edges/{edge['id']}/predict/"
    early = client.post(url, {"pixels": [[0.0]]}, format="json")
    assert early.status_code in (200, 409)  # 409 while the job has not finished
    wait_for(lambda: _finished(edge["job"]["id"]), timeout=120, what="the job")
    response = client.post(
        url, {"image": SimpleUploadedFile("cat.png", _png(), "image/png")}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["task"] == "classification"
    assert 0.0 <= response.json()["probability"] <= 1.0
    garbage = client.post(url, {"image": SimpleUploadedFile("x.png", b"not an image")}, format="multipart")
    assert garbage.status_code == 400
    assert client.post(url, {"pixels": [[1.0, 2.0], [3.0]]}, format="json").status_code == 400

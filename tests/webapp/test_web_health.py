"""Probes, metrics and JSON logs: /healthz, /readyz (a real Redis stopped mid-test), /metrics,
and the job id on the lines a real Dramatiq worker writes about a job."""

from __future__ import annotations

import json
import logging
import time

import dramatiq
import pytest
from django.test import Client, override_settings

from tests.webapp.helpers import wait_for
from tests.webapp.private_services import PrivateRedis
from webapp.observability.logs import JobIdFilter, JsonFormatter


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    yield server
    server.stop()


def _layers(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [url], "prefix": "readyz-platform"},
        }
    }


def test_healthz_answers_without_touching_any_dependency():
    # No database access is allowed in this test (no `db` fixture): liveness needs none.
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_names_each_dependency_and_turns_503_when_redis_stops(db, private_redis):
    with override_settings(BROKER_URL=private_redis.url, CHANNEL_LAYERS=_layers(private_redis.url)):
        up = Client().get("/readyz")
        assert up.status_code == 200, up.content
        body = up.json()
        assert body["status"] == "ok"
        assert set(body["checks"]) == {"database", "broker", "channel_layer", "storage"}
        assert all(check["status"] == "ok" for check in body["checks"].values())

        private_redis.stop()
        started = time.monotonic()
        down = Client().get("/readyz")
        assert time.monotonic() - started < 15  # a dead dependency must not hang the probe
        assert down.status_code == 503
        checks = down.json()["checks"]
        assert down.json()["status"] == "down"
        assert checks["broker"]["status"] == "down" and "Connection" in checks["broker"]["error"]
        assert checks["channel_layer"]["status"] == "down"
        assert checks["database"]["status"] == "ok" and checks["storage"]["status"] == "ok"


def test_readyz_reports_an_unreachable_storage_folder(db, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's folder should be")
    store = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": blocker / "modules"},
    }
    from django.conf import settings

    with override_settings(STORAGES={**settings.STORAGES, "modules": store}):
        response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["status"] == "down"


def test_metrics_exposes_request_counters_and_jobs_by_status(db, client):
    client.get("/api/modules/")
    text = Client().get("/metrics").content.decode()
    assert "django_http_requests_total_by_method_total" in text
    for status in ("queued", "running", "succeeded", "failed", "cancelled"):
        assert f'transplant_jobs{{status="{status}"}}' in text


def test_json_lines_carry_the_job_id_of_the_message_a_worker_processes(transactional_db):
    from webapp.jobs.actors import run_job

    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    handler.addFilter(JobIdFilter())
    handler.setFormatter(JsonFormatter())
    jobs_logger = logging.getLogger("webapp.jobs")
    jobs_logger.addHandler(handler)
    broker = dramatiq.get_broker()
    broker.flush_all()
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        run_job.send(987654)  # no such row: the worker says so, about job 987654
        wait_for(
            lambda: any("987654" in line for line in lines),
            timeout=30,
            what="the worker's line about the job",
        )
        logging.getLogger("webapp.jobs.services").info("a line outside any job")
    finally:
        worker.stop(timeout=30_000)
        jobs_logger.removeHandler(handler)
        broker.flush_all()
    documents = [json.loads(line) for line in lines]
    about_job = [d for d in documents if "987654" in d["message"]]
    assert about_job and all(d["job_id"] == 987654 for d in about_job)
    assert {"time", "level", "logger", "message", "process", "thread"} <= set(about_job[0])
    assert next(d for d in documents if d["message"] == "a line outside any job")["job_id"] is None


def test_run_job_goes_to_the_training_queue():
    from django.conf import settings

    from webapp.jobs.actors import run_job

    assert run_job.queue_name == settings.TRAINING_QUEUE == "training"
    assert settings.LIGHT_QUEUE != settings.TRAINING_QUEUE


def test_probes_answer_a_node_address_over_plain_http_when_https_is_required(db, settings):
    # Orchestrators call a node by its own address and over plain HTTP inside the network.
    settings.ALLOWED_HOSTS = ["studio.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    node = Client(HTTP_HOST="10.0.0.7:8000")
    assert node.get("/healthz").status_code == 200
    assert node.get("/readyz").json()["checks"]["database"]["status"] == "ok"
    assert node.get("/metrics").status_code == 200
    assert node.get("/api/modules/").status_code == 400  # everything else still checks the host
    assert Client(HTTP_HOST="studio.example.org").get("/api/modules/").status_code == 301

"""`manage.py serve` runs the embedded product from nothing; `seed_demo` fills the catalog."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from helpers import HttpSession, free_port, wait_for

from webapp.accounts.selectors import user_is_lab_manager
from webapp.catalog.models import Module
from webapp.graphs.models import Graph

REPO = Path(__file__).resolve().parents[2]
PRODUCTION_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "BROKER_URL",
    "DJANGO_SECRET_KEY",
    "TRANSPLANT_STORE",
    "DJANGO_SETTINGS_MODULE",
)


def test_serve_starts_the_embedded_mode_and_stops_on_ctrl_c(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_VARIABLES}
    env["TRANSPLANT_DATA"] = str(tmp_path / "data")
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port), "--no-seed"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def answers():
        assert process.poll() is None, (tmp_path / "serve.log").read_text()
        try:
            return HttpSession(base).request("GET", "/api/auth/me/")
        except OSError:
            return None

    try:
        status, body = wait_for(answers, timeout=90, interval=0.5, what="serve to answer")
        assert status == 401 and body["error"]["code"] == "not_authenticated"
        assert (tmp_path / "data" / "db.sqlite3").exists()
        assert (tmp_path / "data" / "redis" / "redis.sock").exists()
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=60)
        log.close()
    assert code == 0, (tmp_path / "serve.log").read_text()
    assert not (tmp_path / "data" / "redis" / "redis.sock").exists()


@pytest.mark.django_db(transaction=True)
def test_seed_demo_trains_teachers_once_and_makes_an_example_graph():
    call_command("seed_demo", "--categories", "cat", "dog", "--quick")
    modules = Module.objects.filter(owner__username="demo")
    assert sorted((m.category or m.task) for m in modules.filter(kind="category")) == ["cat", "dog"]
    tasks = modules.filter(kind="task")
    assert sorted(m.task for m in tasks) == ["classification"] * 2 + ["segmentation"] * 2
    assert all(m.teacher_id is not None and m.visibility == "public" for m in modules)
    demo = modules.first().owner
    assert demo.check_password("demo") and user_is_lab_manager(demo)
    graph = Graph.objects.get(owner=demo)
    assert graph.edges.count() == 1 and graph.edges.get().job.status == "queued"
    # Idempotent: nothing is trained or added the second time.
    call_command("seed_demo", "--categories", "cat", "dog", "--quick")
    assert Module.objects.filter(owner__username="demo").count() == 6
    assert Graph.objects.filter(owner=demo).count() == 1

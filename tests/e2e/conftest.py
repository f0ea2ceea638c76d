"""End-to-end fixtures: the real app (PostgreSQL, Redis, Dramatiq worker, Daphne) and Chromium.

The session fixture ``app_server`` builds the front end if ``frontend/dist`` is missing, resets
the ``transplant_e2e`` database and Redis db 6, migrates, seeds the demo catalog (user demo/demo
and teachers for cat and dog), then starts a worker and the ASGI server as subprocesses.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

REPO = Path(__file__).resolve().parents[2]
FRONTEND = REPO / "frontend"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
# Overridable so that several checkouts can run the browser tests on one machine at once.
DATABASE = os.environ.get("E2E_DATABASE", "transplant_e2e")
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
REDIS_URL = os.environ.get("E2E_REDIS_URL", "redis://127.0.0.1:6379/6")
CHROMIUM = "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _build_frontend() -> None:
    """Build the front end once; Django serves frontend/dist through its manifest."""
    if (FRONTEND / "dist" / ".vite" / "manifest.json").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("frontend/dist is missing and npm is not installed to build it")
    if not (FRONTEND / "node_modules").is_dir():
        subprocess.run([npm, "ci"], cwd=FRONTEND, check=True)
    subprocess.run([npm, "run", "build"], cwd=FRONTEND, check=True)


def _reset_database() -> None:
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (DATABASE,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    redis.Redis.from_url(REDIS_URL).flushdb()


def _wait_for_http(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # any HTTP answer means it is serving
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"the server did not answer at {url} within {timeout}s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    # Each child runs in its own process group; end that group only.
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the running app (Daphne) with a worker, seeded with the demo catalog.

    Set ``E2E_BASE_URL`` to run against a server you started yourself (same seed) instead.
    """
    if os.environ.get("E2E_BASE_URL"):
        yield os.environ["E2E_BASE_URL"].rstrip("/")
        return
    _build_frontend()
    _reset_database()
    data_dir = tmp_path_factory.mktemp("transplant-data")
    logs = tmp_path_factory.mktemp("logs")
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "TRANSPLANT_DATA": str(data_dir),
        "DJANGO_SECRET_KEY": "e2e-only-secret-key-not-for-production-0123456789",
        "DJANGO_DEBUG": "0",
        "PYTHONUNBUFFERED": "1",
    }
    python = sys.executable
    manage = [python, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=REPO, env=env, check=True)
    subprocess.run(
        [*manage, "seed_demo", "--quick", "--categories", "cat", "dog"], cwd=REPO, env=env, check=True
    )

    port = _free_port()
    processes: list[subprocess.Popen] = []

    def spawn(name: str, args: list[str]) -> subprocess.Popen:
        log = open(logs / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            args, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        processes.append(process)
        return process

    try:
        spawn("worker", [*manage, "rundramatiq", "--processes", "1", "--threads", "1"])
        server = spawn(
            "daphne", [python, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "webapp.asgi:application"]
        )
        base_url = f"http://127.0.0.1:{port}"
        _wait_for_http(f"{base_url}/login", server)
        yield base_url
    finally:
        for process in reversed(processes):
            _stop(process)
        for log in sorted(logs.iterdir()):
            tail = log.read_text(errors="replace")[-3000:]
            if tail.strip():
                print(f"\n----- {log.name} (tail) -----\n{tail}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def new_context(browser: Browser, app_server: str) -> Callable[[], BrowserContext]:
    """Makes a fresh browser profile on the app at a laptop-sized viewport (the caller closes it)."""

    def make() -> BrowserContext:
        context = browser.new_context(base_url=app_server, viewport={"width": 1440, "height": 900})
        context.set_default_timeout(15_000)
        return context

    return make


@pytest.fixture()
def page(new_context: Callable[[], BrowserContext]) -> Iterator[Page]:
    context = new_context()
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS

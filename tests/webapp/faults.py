"""Helpers for the fault tests: Dramatiq workers as real subprocesses, killed the way production is."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

REPO = Path(__file__).resolve().parents[2]

# Short life-cycle intervals so a dead worker is noticed in seconds (production: minutes).
FAST_LIFE_CYCLE = {
    "TRANSPLANT_JOB_HEARTBEAT": "0.5",
    "TRANSPLANT_JOB_STALE": "10",
    "TRANSPLANT_JOB_SWEEP": "1",
    "TRANSPLANT_JOB_RETRY_BACKOFF": "0.5",
    "TRANSPLANT_JOB_LOST_MESSAGE": "20",
}


def subprocess_env(**overrides: str) -> dict[str, str]:
    """The test's environment, pointed at the test database, plus ``overrides``."""
    db = settings.DATABASES["default"]
    return {
        **os.environ,
        **FAST_LIFE_CYCLE,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        **overrides,
    }


@contextmanager
def worker_process(log_path: Path, **env: str) -> Iterator[subprocess.Popen]:
    """``manage.py rundramatiq`` (one process, one thread) in its own process group."""
    log = log_path.open("ab")
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "rundramatiq",
            "--processes",
            "1",
            "--threads",
            "1",
            "--worker-shutdown-timeout",
            "5000",
        ],
        cwd=REPO,
        env=subprocess_env(**env),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        stop_group(process, signal.SIGTERM)
        log.close()


def stop_group(process: subprocess.Popen, signum: int, timeout: float = 30) -> None:
    """Send ``signum`` to the process and its children; SIGKILL them if still there after ``timeout``."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signum)
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass
    try:  # forked worker processes may outlive the main one
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass

"""Keeps the embedded mode's child processes up: a child that dies is started again, with backoff.

``manage.py serve`` runs a private Redis, a Dramatiq worker and daphne. Each is a
:class:`Child`; when one exits, the others keep serving and it is restarted after a delay that
doubles with each quick failure (1 s, 2 s, 4 s ... up to 30 s) and resets once it has stayed up
for a minute. One-shot children (the demo seeding) are not restarted; their exit is reported.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

FIRST_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 30.0
# A child that ran this long before dying was healthy: its next restart starts the backoff over.
HEALTHY_AFTER_SECONDS = 60.0


@dataclass
class Child:
    """One supervised process.

    Args:
        name: shown in the log ("worker", "web", "redis").
        start: starts the process and returns it.
        restart: start it again when it exits (False for one-shot jobs).
        on_exit: called with the exit code when it exits (before any restart).
    """

    name: str
    start: Callable[[], subprocess.Popen]
    restart: bool = True
    on_exit: Callable[[int], None] | None = None
    process: subprocess.Popen | None = None
    restarts: int = 0
    started_at: float = 0.0
    backoff: float = FIRST_BACKOFF_SECONDS
    restart_at: float | None = None
    done: bool = field(default=False)


class Supervisor:
    """Start children, restart the ones that die, stop them all in reverse order.

    Args:
        log: receives one line per start, exit and restart.
        clock: monotonic seconds (a parameter for tests).
    """

    def __init__(self, log: Callable[[str], None], clock: Callable[[], float] = time.monotonic):
        self._log = log
        self._clock = clock
        self.children: list[Child] = []

    def add(self, child: Child) -> Child:
        """Start a child now and supervise it."""
        child.process = child.start()
        child.started_at = self._clock()
        self.children.append(child)
        return child

    def check(self) -> None:
        """One pass: notice exits, schedule restarts, and start the children that are due."""
        now = self._clock()
        for child in self.children:
            if child.done:
                continue
            if child.restart_at is not None:
                if now >= child.restart_at:
                    self._restart(child, now)
                continue
            code = child.process.poll() if child.process else None
            if code is None:
                continue
            if child.on_exit is not None:
                child.on_exit(code)
            if not child.restart:
                child.done = True
                continue
            if now - child.started_at >= HEALTHY_AFTER_SECONDS:
                child.backoff = FIRST_BACKOFF_SECONDS
            child.restart_at = now + child.backoff
            self._log(f"the {child.name} process stopped (exit {code}); restarting it in {child.backoff:g} s")
            child.backoff = min(child.backoff * 2, MAX_BACKOFF_SECONDS)

    def _restart(self, child: Child, now: float) -> None:
        try:
            child.process = child.start()
        except Exception as exc:  # e.g. the private Redis would not come up: try again later
            child.restart_at = now + child.backoff
            self._log(f"could not restart the {child.name} process ({exc}); next try in {child.backoff:g} s")
            child.backoff = min(child.backoff * 2, MAX_BACKOFF_SECONDS)
            return
        child.restart_at = None
        child.restarts += 1
        child.started_at = now
        self._log(f"the {child.name} process is running again (restart {child.restarts})")

    def stop_all(self, timeout: float = 15.0) -> None:
        """Stop the children newest first (Redis last, so the worker can still hand back its job).

        Each gets SIGTERM and ``timeout`` seconds, then SIGKILL.
        """
        for child in reversed(self.children):
            process = child.process
            if process is None or process.poll() is not None:
                continue
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

"""``manage.py serve``: the whole product in one command.

Migrates, starts a private Redis (unless ``REDIS_URL`` names one), one Dramatiq worker and the
daphne ASGI server, seeds the demo catalog on first start (in the background, so the page is up
at once), and stops everything on Ctrl-C.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from webapp.embedded.services import EmbeddedRedis
from webapp.jobs.services import job_requeue_orphaned, job_requeue_queued

SEEDED_MARKER = "demo-seeded"


class Command(BaseCommand):
    help = "Run Transplant Studio: database, Redis, one worker and the web server (Ctrl-C stops)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")
        parser.add_argument("--no-seed", action="store_true", help="do not seed the demo catalog")
        parser.add_argument("--quick-seed", action="store_true",
                            help="seed a small demo catalog quickly (less accurate modules)")

    def handle(self, *args, host, port, no_seed, quick_seed, **options):
        self._children: list[tuple[str, subprocess.Popen]] = []
        self._stopping = False
        redis = None
        env = dict(os.environ)
        if not os.environ.get("REDIS_URL"):
            redis = EmbeddedRedis(settings.EMBEDDED_REDIS_SOCKET)
            env["REDIS_URL"] = redis.start()
            self.stdout.write(f"private Redis on {env['REDIS_URL']}")
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._request_stop)
        try:
            call_command("migrate", interactive=False, verbosity=0)
            self.stdout.write("database ready")
            if settings.EMBEDDED:
                # One worker and it is not running yet: a job marked running was cut off by the
                # last shutdown, so it goes back to the queue.
                job_requeue_orphaned()
            self._start("worker", [sys.executable, "manage.py", "rundramatiq", "--processes", "1",
                                   "--threads", "1", "--worker-shutdown-timeout", "5000"], env)
            job_requeue_queued()
            self._start("web", [sys.executable, "-m", "daphne", "-b", host, "-p", str(port),
                                "webapp.asgi:application"], env)
            marker = settings.DATA_DIR / SEEDED_MARKER
            if not no_seed and not marker.exists():
                command = [sys.executable, "manage.py", "seed_demo"]
                self._start("seed", command + (["--quick"] if quick_seed else []), env)
            self.stdout.write(self.style.SUCCESS(
                f"Transplant Studio on http://{host}:{port}/ (demo login demo/demo); Ctrl-C stops"))
            return self._supervise(marker)
        finally:
            self._stop_children()
            if redis is not None:
                redis.stop()

    def _start(self, name: str, command: list[str], env: dict[str, str]) -> None:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env)
        self._children.append((name, process))

    def _request_stop(self, signum, frame) -> None:
        self._stopping = True

    def _supervise(self, marker) -> None:
        while not self._stopping:
            time.sleep(0.3)
            for name, process in list(self._children):
                code = process.poll()
                if code is None:
                    continue
                if name == "seed":
                    self._children.remove((name, process))
                    if code == 0:
                        marker.write_text("ok\n")
                    else:
                        self.stderr.write(f"seeding the demo catalog failed (exit {code}); "
                                          "run `python manage.py seed_demo` to try again")
                    continue
                self.stderr.write(f"the {name} process stopped (exit {code}); shutting down")
                self._stopping = True
        self.stdout.write("stopping...")

    def _stop_children(self) -> None:
        for _, process in self._children:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _, process in self._children:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

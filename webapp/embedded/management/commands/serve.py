"""``manage.py serve``: the whole product in one command.

Migrates, starts a private Redis (unless ``REDIS_URL`` names one), one Dramatiq worker and the
daphne ASGI server, seeds the demo catalog on first start (in the background, so the page is up
at once), and stops everything on Ctrl-C. A child that dies is restarted with backoff while the
others keep serving (``webapp.embedded.supervisor``); the worker's own sweep puts back the job a
dead worker held.
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
from django.utils import timezone

from webapp.embedded.services import EmbeddedRedis
from webapp.embedded.supervisor import Child, Supervisor
from webapp.jobs.services import job_requeue_queued
from webapp.jobs.sweep import jobs_requeue_stale

SEEDED_MARKER = "demo-seeded"
SUPERVISE_INTERVAL_SECONDS = 0.3


class Command(BaseCommand):
    help = "Run Transplant Studio: database, Redis, one worker and the web server (Ctrl-C stops)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")
        parser.add_argument("--no-seed", action="store_true", help="do not seed the demo catalog")
        parser.add_argument(
            "--quick-seed",
            action="store_true",
            help="seed a small demo catalog quickly (less accurate modules)",
        )

    def handle(self, *args, host, port, no_seed, quick_seed, **options):
        self._stopping = False
        self._supervisor = Supervisor(log=lambda line: self.stderr.write(line))
        env = dict(os.environ)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._request_stop)
        try:
            if not os.environ.get("REDIS_URL"):
                redis = EmbeddedRedis(settings.EMBEDDED_REDIS_SOCKET)

                def start_redis() -> subprocess.Popen:
                    env["REDIS_URL"] = redis.start()
                    return redis.process

                self._supervisor.add(Child("redis", start_redis))
                self.stdout.write(f"private Redis on {env['REDIS_URL']}")
            call_command("migrate", interactive=False, verbosity=0)
            self.stdout.write("database ready")
            if settings.EMBEDDED:
                # One worker and it is not running yet: a job marked running was cut off by the
                # last shutdown, so it goes back to the queue (or fails past its attempts).
                jobs_requeue_stale(stale_before=timezone.now())
            self._add(
                "worker",
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
                env,
            )
            job_requeue_queued()
            self._add(
                "web",
                [sys.executable, "-m", "daphne", "-b", host, "-p", str(port), "webapp.asgi:application"],
                env,
            )
            marker = settings.DATA_DIR / SEEDED_MARKER
            if not no_seed and not marker.exists():
                command = [sys.executable, "manage.py", "seed_demo"]
                self._add(
                    "seed",
                    command + (["--quick"] if quick_seed else []),
                    env,
                    restart=False,
                    on_exit=lambda code: self._seeded(marker, code),
                )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Transplant Studio on http://{host}:{port}/ (demo login demo/demo); Ctrl-C stops"
                )
            )
            while True:
                time.sleep(SUPERVISE_INTERVAL_SECONDS)
                if self._stopping:  # Ctrl-C reaches the children too: do not restart them
                    break
                self._supervisor.check()
            self.stdout.write("stopping...")
        finally:
            self._supervisor.stop_all()

    def _add(self, name: str, command: list[str], env: dict[str, str], **options) -> None:
        self._supervisor.add(
            Child(name, lambda: subprocess.Popen(command, cwd=settings.BASE_DIR, env=env), **options)
        )

    def _seeded(self, marker, code: int) -> None:
        if code == 0:
            marker.write_text("ok\n")
        else:
            self.stderr.write(
                f"seeding the demo catalog failed (exit {code}); "
                "run `python manage.py seed_demo` to try again"
            )

    def _request_stop(self, signum, frame) -> None:
        self._stopping = True

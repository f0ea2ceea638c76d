"""A production worker: one process per GPU, consuming the queues it is told to.

    python manage.py transplant_worker --gpu 0 --queues training      # a GPU machine, GPU 0
    python manage.py transplant_worker --queues light                 # a CPU machine

It sets ``CUDA_VISIBLE_DEVICES`` (the process then sees only its GPU, as ``cuda:0``), turns on
Dramatiq's Prometheus exporter on ``9191 + gpu`` (so workers of one machine do not collide), keeps
Django's JSON logging, and hands over to ``rundramatiq`` (which replaces this process).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

METRICS_BASE_PORT = 9191


class Command(BaseCommand):
    help = "Run a Dramatiq worker for one GPU (or the CPU) on the given queues."

    def add_arguments(self, parser):
        parser.add_argument(
            "--gpu", type=int, default=None, help="the GPU index this worker owns (sets CUDA_VISIBLE_DEVICES)"
        )
        parser.add_argument(
            "--queues",
            nargs="+",
            default=[settings.TRAINING_QUEUE, settings.LIGHT_QUEUE],
            help="queues to consume (default: all)",
        )
        parser.add_argument(
            "--threads", type=int, default=1, help="worker threads (1 for training: one job owns the device)"
        )
        parser.add_argument(
            "--metrics-port",
            type=int,
            default=None,
            help=f"Prometheus port (default {METRICS_BASE_PORT} + gpu)",
        )

    def handle(self, *, gpu, queues, threads, metrics_port, **options):
        known = {settings.TRAINING_QUEUE, settings.LIGHT_QUEUE}
        unknown = sorted(set(queues) - known)
        if unknown:
            raise CommandError(f"unknown queues {unknown}; choose from {sorted(known)}")
        if gpu is not None:
            if gpu < 0:
                raise CommandError("--gpu takes a GPU index (0, 1, ...)")
            os.environ["CUDA_VISIBLE_DEVICES"] = str(gpu)
            os.environ.setdefault("TRANSPLANT_DEVICE", "cuda")
        os.environ["TRANSPLANT_WORKER_METRICS"] = "1"
        port = metrics_port if metrics_port is not None else METRICS_BASE_PORT + (gpu or 0)
        os.environ["dramatiq_prom_port"] = str(port)
        # Each worker process keeps its multiprocess metric files apart from its neighbours'.
        metrics_dir = Path(settings.TRANSPLANT_CACHE) / f"prometheus-{port}"
        metrics_dir.mkdir(parents=True, exist_ok=True)
        os.environ["dramatiq_prom_db"] = str(metrics_dir)
        # Set before prometheus_client is first imported in the worker, or its values would not
        # be written where the exporter process reads them.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        self.stdout.write(f"worker: gpu={gpu if gpu is not None else 'none'} queues={queues} metrics=:{port}")
        call_command("rundramatiq", processes=1, threads=threads, queues=queues, skip_logging=True)

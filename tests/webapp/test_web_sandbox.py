""" "Try the demo": a private sandbox per visitor, with quotas, removed after the stated idle time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from webapp.accounts.services import user_ensure
from webapp.catalog.models import Module
from webapp.catalog.storage import module_folder
from webapp.embedded.services import DEMO_PASSWORD, DEMO_USERNAME, EXAMPLE_GRAPH
from webapp.graphs.models import Edge, Graph
from webapp.graphs.services import edge_create, graph_create, node_create
from webapp.jobs.models import Job
from webapp.sandbox.models import Sandbox
from webapp.sandbox.services import sandbox_expire_or_reschedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_graph(catalog):
    """The demo account's example graph (cat's category module onto dog's classifier)."""
    demo = user_ensure(username=DEMO_USERNAME, password=DEMO_PASSWORD, lab_manager=True)
    graph = graph_create(owner=demo, name=EXAMPLE_GRAPH)
    source = node_create(graph=graph, user=demo, module_id=catalog["cat-category"].id, x=0, y=0)
    target = node_create(graph=graph, user=demo, module_id=catalog["dog-classification"].id, x=480, y=0)
    edge_create(graph=graph, user=demo, source_id=source.id, target_id=target.id)
    return graph


def _start() -> tuple[APIClient, dict]:
    visitor = APIClient()
    response = visitor.post("/api/auth/sandbox/")
    assert response.status_code == 201, response.json()
    return visitor, response.json()["user"]


def test_the_login_page_learns_the_idle_time_and_quotas_before_anyone_signs_in(demo_graph, settings):
    settings.SANDBOX_IDLE_MINUTES = 45
    offer = APIClient().get("/api/auth/sandbox/").json()
    assert offer == {
        "available": True,
        "idle_minutes": 45,
        "limits": {"job": settings.SANDBOX_MAX_JOBS, "upload": settings.SANDBOX_MAX_UPLOADS},
    }


def test_without_a_seeded_demo_the_offer_says_so_and_starting_explains_how_to_seed(db):
    assert APIClient().get("/api/auth/sandbox/").json()["available"] is False
    response = APIClient().post("/api/auth/sandbox/")
    assert response.status_code == 409
    assert "seed_demo" in response.json()["error"]["message"]


def test_one_click_signs_the_visitor_into_a_private_copy_of_the_example_graph(demo_graph):
    visitor, user = _start()
    assert user["username"].startswith("sandbox-") and user["is_lab_manager"] is False
    assert user["sandbox"]["idle_minutes"] == 120 and user["sandbox"]["used"]["job"] == 1
    me = visitor.get("/api/auth/me/").json()["user"]
    assert me["id"] == user["id"]
    graphs = visitor.get("/api/graphs/").json()["results"]
    assert [g["name"] for g in graphs] == [EXAMPLE_GRAPH]
    copy = Graph.objects.get(pk=graphs[0]["id"])
    assert copy.id != demo_graph.id and copy.owner_id == user["id"]
    assert sorted(copy.nodes.values_list("module_id", "x")) == sorted(
        demo_graph.nodes.values_list("module_id", "x")
    )
    assert Edge.objects.filter(graph=copy).count() == 1
    assert Job.objects.filter(owner_id=user["id"]).count() == 1  # the copied edge's training job


def test_sandboxes_do_not_see_each_other_or_other_users(demo_graph, client):
    first, first_user = _start()
    second, second_user = _start()
    assert first_user["id"] != second_user["id"]
    first_graph = first.get("/api/graphs/").json()["results"][0]["id"]
    second_graph = second.get("/api/graphs/").json()["results"][0]["id"]
    assert first_graph != second_graph
    assert second.get(f"/api/graphs/{first_graph}/").status_code == 404
    assert client.get(f"/api/graphs/{first_graph}/").status_code == 404
    alice_graph = client.post("/api/graphs/", {"name": "alice's"}, format="json").json()["id"]
    assert first.get(f"/api/graphs/{alice_graph}/").status_code == 404
    assert demo_graph.id not in [g["id"] for g in first.get("/api/graphs/").json()["results"]]


def test_a_sandbox_cannot_start_more_jobs_than_its_quota(demo_graph, catalog, settings):
    settings.SANDBOX_MAX_JOBS = 1  # the example edge's job uses it up
    visitor, user = _start()
    graph = visitor.get("/api/graphs/").json()["results"][0]["id"]
    nodes = visitor.get(f"/api/graphs/{graph}/").json()["nodes"]
    source = next(n for n in nodes if n["module"]["kind"] == "category")
    target = visitor.post(
        f"/api/graphs/{graph}/nodes/",
        {"module": catalog["cat-classification"].id, "x": 0, "y": 300},
        format="json",
    ).json()
    response = visitor.post(
        f"/api/graphs/{graph}/edges/", {"source": source["id"], "target": target["id"]}, format="json"
    )
    assert response.status_code == 429
    body = response.json()["error"]
    assert body["code"] == "sandbox_quota" and body["details"] == {"resource": "job", "limit": 1}
    assert "sign in with a full account" in body["message"]
    assert (
        Edge.objects.filter(graph_id=graph).count() == 1
        and Job.objects.filter(owner_id=user["id"]).count() == 1
    )


def test_a_sandbox_cannot_upload_past_its_quota_but_other_users_can(
    demo_graph, teacher_folders, client, settings
):
    settings.SANDBOX_MAX_UPLOADS = 0
    visitor, _ = _start()
    folder = teacher_folders["dog-category"]

    def upload(api):
        return api.post(
            "/api/modules/",
            {
                "weights": SimpleUploadedFile(
                    "weights.safetensors", (folder / "weights.safetensors").read_bytes()
                ),
                "manifest": SimpleUploadedFile("manifest.json", (folder / "manifest.json").read_bytes()),
            },
            format="multipart",
        )

    response = upload(visitor)
    assert response.status_code == 429
    assert response.json()["error"]["details"]["resource"] == "upload"
    # A full account is not a sandbox: the quota does not apply (this upload is a duplicate).
    assert upload(client).json()["error"]["code"] == "duplicate_module"


def _age(user_id: int, minutes: int) -> None:
    Sandbox.objects.filter(user_id=user_id).update(last_seen=timezone.now() - timedelta(minutes=minutes))


def test_the_cleanup_removes_idle_sandboxes_with_their_files_and_spares_active_ones(
    demo_graph, catalog, user, settings, django_capture_on_commit_callbacks
):
    settings.SANDBOX_IDLE_MINUTES = 30
    idle, idle_user = _start()
    _, active_user = _start()
    sandbox_user = get_user_model().objects.get(pk=idle_user["id"])
    # Two modules the idle sandbox owns (as if its jobs had trained them); alice's job reused one.
    own, shared = catalog["cat-segmentation"], catalog["cat-classification"]
    Module.objects.filter(pk__in=[own.id, shared.id]).update(owner=sandbox_user)
    Job.objects.create(owner=user, adapter=shared, reuse_key="reused", status="succeeded")
    own_folder = Path(module_folder(own))
    assert own_folder.exists()
    _age(idle_user["id"], 31)
    _age(active_user["id"], 29)

    with django_capture_on_commit_callbacks(execute=True):  # the files go once the rows have
        call_command("sandbox_cleanup")

    users = get_user_model().objects
    assert not users.filter(pk=idle_user["id"]).exists()
    assert not Graph.objects.filter(owner_id=idle_user["id"]).exists()
    assert not Module.objects.filter(pk=own.id).exists() and not own_folder.exists()
    assert Module.objects.get(pk=shared.id).owner.username == DEMO_USERNAME  # alice's job keeps it
    assert users.filter(pk=active_user["id"]).exists()
    assert Graph.objects.filter(pk=demo_graph.id).exists()  # the demo itself is untouched
    assert idle.get("/api/auth/me/").status_code == 401


def test_activity_keeps_a_sandbox_and_the_delayed_check_reschedules_until_it_is_idle(demo_graph, settings):
    settings.SANDBOX_IDLE_MINUTES = 30
    visitor, user = _start()
    sandbox = Sandbox.objects.get(user_id=user["id"])
    _age(user["id"], 31)
    visitor.get("/api/graphs/")  # any request moves last_seen on
    assert sandbox_expire_or_reschedule(sandbox_id=sandbox.id) is False
    assert Sandbox.objects.filter(pk=sandbox.id).exists()
    _age(user["id"], 31)
    assert sandbox_expire_or_reschedule(sandbox_id=sandbox.id) is True
    assert not get_user_model().objects.filter(pk=user["id"]).exists()

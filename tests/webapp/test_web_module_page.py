"""The module page's reads: usage (graphs and jobs), the SHA-256 check and the no-forgetting check."""

from __future__ import annotations

import pytest

from webapp.catalog.storage import WEIGHTS_FILE, module_folder
from webapp.jobs.models import Job
from webapp.jobs.services import job_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def trained(client, catalog):
    """A graph with cat's category module onto dog's classifier, its adapter trained (6 steps)."""
    graph = client.post("/api/graphs/", {"name": "page"}, format="json").json()
    nodes = [
        client.post(f"/api/graphs/{graph['id']}/nodes/", {"module": catalog[name].id}, format="json").json()
        for name in ("cat-category", "dog-classification")
    ]
    edge = client.post(
        f"/api/graphs/{graph['id']}/edges/",
        {"source": nodes[0]["id"], "target": nodes[1]["id"], "settings": {"steps": 6}},
        format="json",
    ).json()
    job_run(job_id=edge["job"]["id"])  # in this thread: the page reads, not the worker, are tested
    job = Job.objects.get(pk=edge["job"]["id"])
    assert job.status == "succeeded", job.error
    return {"graph": graph, "job": job, "adapter": job.adapter}


def test_usage_lists_the_readers_graphs_and_jobs_with_the_modules_role(client, catalog, trained):
    category = client.get(f"/api/modules/{catalog['cat-category'].id}/usage/").json()
    assert [g["name"] for g in category["graphs"]] == ["page"]
    assert [(j["id"], j["role"], j["status"], j["method"]) for j in category["jobs"]] == [
        (trained["job"].id, "category", "succeeded", "auto")
    ]
    adapter = client.get(f"/api/modules/{trained['adapter'].id}/usage/").json()
    assert adapter["graphs"] == [] and [j["role"] for j in adapter["jobs"]] == ["adapter"]
    assert "error" in adapter["jobs"][0]["final_metrics"]


def test_usage_shows_nothing_of_other_users_and_private_modules_stay_hidden(other_client, catalog, trained):
    usage = other_client.get(f"/api/modules/{catalog['cat-category'].id}/usage/").json()
    assert usage == {"graphs": [], "jobs": []}
    for path in ("usage", "integrity", "lineage"):
        response = other_client.get(f"/api/modules/{trained['adapter'].id}/{path}/")
        assert response.status_code == 404


def test_the_lineage_of_an_adapter_reaches_its_category_task_and_teacher_modules(client, catalog, trained):
    lineage = client.get(f"/api/modules/{trained['adapter'].id}/lineage/").json()
    roles = {edge["role"]: edge["from"] for edge in lineage["edges"]}
    assert roles == {
        "category": catalog["cat-category"].id,
        "task": catalog["dog-classification"].id,
        "teacher_task": catalog["cat-classification"].id,
    }
    back = client.get(f"/api/modules/{catalog['cat-category'].id}/lineage/").json()
    assert trained["adapter"].id in [node["id"] for node in back["nodes"]]


def test_integrity_passes_on_fresh_weights_and_catches_a_changed_frozen_parent(client, catalog, trained):
    url = f"/api/modules/{trained['adapter'].id}/integrity/"
    check = client.get(url).json()
    assert check["weights_ok"] is True and check["frozen_unchanged"] is True
    assert check["sha256"] == trained["adapter"].sha256
    assert sorted(p["role"] for p in check["parents"]) == ["category", "task", "teacher_task"]
    assert all(p["unchanged"] and p["recorded_sha256"] == p["current_sha256"] for p in check["parents"])
    # Someone overwrote the frozen task module's weights in the store: the check must say so.
    weights = module_folder(catalog["dog-classification"]) / WEIGHTS_FILE
    weights.write_bytes(weights.read_bytes()[:-4] + b"\0\0\0\0")
    check = client.get(url).json()
    assert check["frozen_unchanged"] is False
    changed = next(p for p in check["parents"] if p["role"] == "task")
    assert changed["unchanged"] is False and changed["current_sha256"] != changed["recorded_sha256"]
    own = client.get(f"/api/modules/{catalog['dog-classification'].id}/integrity/").json()
    assert own["weights_ok"] is False

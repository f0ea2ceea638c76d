"""Compare methods: sibling jobs racing one edge's pair, trained by a real Dramatiq worker."""

from __future__ import annotations

import pytest
from helpers import wait_for

from webapp.jobs.compare import RACE_METHODS, needs_labelled_samples
from webapp.jobs.models import Job, JobPoint

pytestmark = pytest.mark.django_db(transaction=True)


def _draw_edge(client, catalog, *, task: str, steps: int) -> dict:
    graph = client.post("/api/graphs/", {"name": "race"}, format="json").json()
    nodes = [
        client.post(f"/api/graphs/{graph['id']}/nodes/", {"module": catalog[name].id}, format="json").json()
        for name in ("cat-category", task)
    ]
    response = client.post(
        f"/api/graphs/{graph['id']}/edges/",
        {"source": nodes[0]["id"], "target": nodes[1]["id"], "settings": {"steps": steps}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def _all_finished(compare_id: int) -> bool:
    statuses = Job.objects.filter(compare_id=compare_id).values_list("status", flat=True)
    return bool(statuses) and all(s in ("succeeded", "failed", "cancelled") for s in statuses)


def test_compare_methods_trains_the_pair_as_sibling_jobs_at_the_same_samples_and_seeds(
    client, catalog, worker
):
    edge = _draw_edge(client, catalog, task="dog-classification", steps=6)
    wait_for(
        lambda: Job.objects.get(pk=edge["job"]["id"]).status == "succeeded",
        timeout=120,
        what="the edge's own job",
    )
    response = client.post("/api/jobs/compares/", {"edge": edge["id"], "seeds": 2}, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["methods"] == list(RACE_METHODS)
    assert {"back-distill", "direct-learn", "jacobian"} <= set(created["methods"])
    assert created["seeds"] == [0, 1] and created["samples"] == 10 and created["skipped"] == []
    runs = sorted((job["settings"]["method"], job["settings"]["seed"]) for job in created["jobs"])
    assert runs == sorted((method, seed) for method in RACE_METHODS for seed in (0, 1))
    assert {job["settings"]["samples"] for job in created["jobs"]} == {10}
    assert {job["settings"]["steps"] for job in created["jobs"]} == {6}
    assert {job["compare"] for job in created["jobs"]} == {created["id"]}

    wait_for(lambda: _all_finished(created["id"]), timeout=300, what="every run of the race")
    read_back = client.get(f"/api/jobs/compares/{created['id']}/").json()
    assert [job["id"] for job in read_back["jobs"]] == sorted(job["id"] for job in created["jobs"])
    for job in read_back["jobs"]:
        # A race trains every run, even where a finished adapter with these settings exists.
        assert job["status"] == "succeeded" and job["reused"] is False, job
        assert "error" in job["final_metrics"]
        assert JobPoint.objects.filter(job_id=job["id"]).count() == 6
    # The runs are siblings: the edge keeps its own job.
    graph = client.get(f"/api/graphs/{read_back['graph']}/")
    assert [e["job"]["id"] for e in graph.json()["edges"]] == [edge["job"]["id"]]
    listed = client.get(f"/api/jobs/compares/?graph={read_back['graph']}").json()["results"]
    assert [item["id"] for item in listed] == [created["id"]]


def test_at_zero_samples_methods_that_need_labelled_samples_are_left_out_with_a_note(client, catalog):
    # Onto the category's own net an edge defaults to 0 labelled samples.
    edge = _draw_edge(client, catalog, task="cat-classification", steps=5)
    response = client.post("/api/jobs/compares/", {"edge": edge["id"]}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    left_out = [m for m in RACE_METHODS if needs_labelled_samples(m)]
    assert {"direct-learn", "jacobian"} <= set(left_out)
    assert [item["method"] for item in body["skipped"]] == left_out
    assert all("labelled samples" in item["reason"] for item in body["skipped"])
    assert body["methods"] == [m for m in RACE_METHODS if m not in left_out]
    assert "back-distill" in body["methods"] and body["samples"] == 0
    assert {job["settings"]["method"] for job in body["jobs"]} == set(body["methods"])

    # Only methods that need samples, at 0: nothing to race, nothing recorded, and it says why.
    before = Job.objects.count()
    refused = client.post(
        "/api/jobs/compares/",
        {"edge": edge["id"], "samples": 0, "methods": ["direct-learn", "jacobian"]},
        format="json",
    )
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "invalid_settings" and "1 or more samples" in error["message"]
    assert Job.objects.count() == before


def test_bad_compare_requests_say_what_is_wrong(client, other_client, catalog):
    edge = _draw_edge(client, catalog, task="dog-classification", steps=5)
    unknown = client.post("/api/jobs/compares/", {"edge": edge["id"], "methods": ["magic"]}, format="json")
    assert unknown.status_code == 400 and "Known: " in unknown.json()["error"]["message"]
    too_many = client.post("/api/jobs/compares/", {"edge": edge["id"], "seeds": 9}, format="json")
    assert too_many.status_code == 400
    others = other_client.post("/api/jobs/compares/", {"edge": edge["id"]}, format="json")
    assert others.status_code == 404
    assert client.get("/api/jobs/compares/999999/").status_code == 404
    assert Job.objects.exclude(compare=None).count() == 0


def test_chosen_runs_are_read_back_by_id_and_a_retried_run_stays_in_its_race(client, catalog):
    edge = _draw_edge(client, catalog, task="dog-classification", steps=5)
    created = client.post("/api/jobs/compares/", {"edge": edge["id"]}, format="json").json()
    chosen = [created["jobs"][0]["id"], edge["job"]["id"]]
    listed = client.get(f"/api/jobs/?ids={chosen[0]},{chosen[1]}").json()["results"]
    assert sorted(job["id"] for job in listed) == sorted(chosen)
    assert client.get("/api/jobs/?ids=1;drop").status_code == 400

    run = created["jobs"][0]["id"]
    assert client.post(f"/api/jobs/{run}/cancel/").json()["status"] == "cancelled"
    retried = client.post(f"/api/jobs/{run}/retry/")
    assert retried.status_code == 201, retried.json()
    assert retried.json()["compare"] == created["id"] and retried.json()["attempt"] == 2
    graph = client.get(f"/api/graphs/{created['graph']}/").json()
    assert [e["job"]["id"] for e in graph["edges"]] == [edge["job"]["id"]]


def test_deleting_the_edge_cancels_its_race(client, catalog):
    edge = _draw_edge(client, catalog, task="dog-classification", steps=5)
    created = client.post("/api/jobs/compares/", {"edge": edge["id"]}, format="json").json()
    graph_id = created["graph"]
    assert client.delete(f"/api/graphs/{graph_id}/edges/{edge['id']}/").status_code == 204
    statuses = set(Job.objects.filter(compare_id=created["id"]).values_list("status", flat=True))
    assert statuses == {"cancelled"}
    # The race is still there to read back, its runs cancelled.
    read_back = client.get(f"/api/jobs/compares/{created['id']}/").json()
    assert read_back["edge"] is None and {job["status"] for job in read_back["jobs"]} == {"cancelled"}

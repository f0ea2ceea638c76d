"""Workers on several machines: benchmarks.multi_host deploys a web node and two workers (network
namespaces when it may, plain processes otherwise) on real PostgreSQL, Redis and S3 (moto)."""

from __future__ import annotations

import pytest

from benchmarks.multi_host import namespaces_unavailable, run


def _check(figures: dict, *, edges: int) -> None:
    jobs = figures["jobs"]
    assert len(jobs) == edges and set(jobs.values()) == {"succeeded"}, figures
    assert set(figures["attempts"].values()) == {1}
    # Each job trained exactly once, by one worker or the other; both workers took part.
    assert set(figures["trainings_per_job"].values()) == {1}, figures["trainings_per_job"]
    per_worker = figures["jobs_per_worker_from_logs"]
    assert all(per_worker.values()), per_worker
    assert sorted(j for ids in per_worker.values() for j in ids) == sorted(jobs)
    # Adapters come back intact through the web node, which shares no folder with the workers.
    assert len(figures["adapters_read_from_web_node"]) == edges
    assert all(adapter["intact"] for adapter in figures["adapters_read_from_web_node"])
    assert figures["module_folders_in_bucket"] == 4 + edges  # the teachers' modules + adapters
    assert figures["local_module_store_on_any_node"] is False
    caches = figures["cache_folders_per_node"]
    assert caches["worker-a"] and caches["worker-b"]  # each worker fetched what it trained with
    assert figures["readyz"]["status"] == "ok"


# Three Django processes, tiny teachers and ten grafts: minutes on a shared two-core machine.
@pytest.mark.timeout(3600)
def test_ten_edges_train_once_each_on_two_workers_in_their_own_network_namespaces(tmp_path):
    reason = namespaces_unavailable()
    if reason is not None:
        pytest.skip(f"network namespaces cannot be made here: {reason}")
    figures = run(work_dir=tmp_path, edges=10)
    print(figures)
    assert figures["namespaces"] is True
    _check(figures, edges=10)
    # Dramatiq's own Prometheus exporter on each worker agrees with the logs.
    scraped = figures["run_job_messages_per_worker_from_prometheus"]
    per_worker = figures["jobs_per_worker_from_logs"]
    assert all(scraped[name] is not None and scraped[name] >= len(per_worker[name]) for name in per_worker), (
        scraped
    )


@pytest.mark.timeout(3600)
def test_the_same_deployment_runs_as_plain_processes(tmp_path):
    figures = run(work_dir=tmp_path, edges=4, use_namespaces=False)
    assert figures["namespaces"] is False
    _check(figures, edges=4)

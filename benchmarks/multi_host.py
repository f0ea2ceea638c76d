"""Workers on several machines, on this one box: a web node and two workers, each in its own
network namespace with its own disk, sharing only PostgreSQL, Redis and an S3 object store.

    python -m benchmarks.multi_host          # as root; writes benchmarks/results/multi-host.json

The "machines" are network namespaces (``ip netns``) joined by veth pairs to a bridge on the host
(``10.231.7.0/24``, made here and removed afterwards). The host serves them over the bridge:
PostgreSQL (which listens on 127.0.0.1 only) through a small TCP forwarder, a private
redis-server and moto's S3 server bound to the bridge address. Each node has its own data and
cache folder and no module folder is shared: modules reach a worker only through the object store.
The nodes run the commands of ``compose.yaml`` (migrate, web, worker-gpu0), as written there.

The run uploads tiny teachers to the web node over HTTP, draws ``edges`` edges (each its own
job), waits for the workers, and records: which worker trained which job (from each worker's JSON
log lines, which carry the job id, and from Dramatiq's Prometheus exporter on each worker), that
each job was trained once, and that every adapter downloads from the web node intact.

Without CAP_NET_ADMIN (``ip netns add`` fails) the same run happens as plain processes on
127.0.0.1, and the result says why.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import io
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results" / "multi-host.json"
SUBNET = "10.231.7"
HOST_ADDRESS = f"{SUBNET}.1"
BRIDGE = "plat-br0"
NODES = {"web": 10, "worker-a": 11, "worker-b": 12}
WEB_PORT = 8000
WORKER_METRICS_PORT = 9191
DATABASE = "transplant_platform_multihost"
POSTGRES = ("127.0.0.1", 5432)
BUCKET = "transplant-multihost"
GRAFT_OPTIONS = '{"bank_size": 32, "eval_every": 10}'
STEPS = 20


# --- the "machines" -------------------------------------------------------------------------
@dataclass
class Node:
    name: str
    address: str
    netns: str | None  # None: a plain process on 127.0.0.1

    def command(self, argv: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.netns, *argv] if self.netns else argv


def _ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")


def _veth(name: str, end: str) -> str:
    return f"plat{NODES[name]}{end}"  # interface names have at most 15 characters


def _remove_namespaces() -> None:
    for name in NODES:
        subprocess.run(["ip", "link", "del", _veth(name, "h")], capture_output=True)
        subprocess.run(["ip", "netns", "del", f"plat-{name}"], capture_output=True)
    subprocess.run(["ip", "link", "del", BRIDGE], capture_output=True)


@contextlib.contextmanager
def namespaces() -> Iterator[dict[str, Node]]:
    """Three namespaces on a host bridge; removed on the way out, whatever happened."""
    _remove_namespaces()  # leftovers of a killed run
    try:
        _ip("link", "add", BRIDGE, "type", "bridge")
        _ip("addr", "add", f"{HOST_ADDRESS}/24", "dev", BRIDGE)
        _ip("link", "set", BRIDGE, "up")
        nodes = {}
        for name, host_part in NODES.items():
            netns, host_end, node_end = f"plat-{name}", _veth(name, "h"), _veth(name, "n")
            _ip("netns", "add", netns)
            _ip("link", "add", host_end, "type", "veth", "peer", "name", node_end)
            _ip("link", "set", node_end, "netns", netns)
            _ip("link", "set", host_end, "master", BRIDGE)
            _ip("link", "set", host_end, "up")
            address = f"{SUBNET}.{host_part}"
            _ip("netns", "exec", netns, "ip", "addr", "add", f"{address}/24", "dev", node_end)
            _ip("netns", "exec", netns, "ip", "link", "set", node_end, "up")
            _ip("netns", "exec", netns, "ip", "link", "set", "lo", "up")
            nodes[name] = Node(name, address, netns)
        yield nodes
    finally:
        _remove_namespaces()


def namespaces_unavailable() -> str | None:
    """Why network namespaces cannot be made here, or None when they can."""
    if shutil.which("ip") is None:
        return "the `ip` command (iproute2) is not installed"
    probe = "plat-probe"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"`ip netns add` failed (no CAP_NET_ADMIN?): {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


# --- host services over the bridge ------------------------------------------------------------
class TcpForwarder:
    """Forward ``listen`` to ``target`` (PostgreSQL listens on 127.0.0.1 only)."""

    def __init__(self, listen: tuple[str, int], target: tuple[str, int]) -> None:
        self.listen, self.target = listen, target
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="tcp-forwarder")
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError(f"the forwarder did not start on {listen}")

    async def _pipe(self, reader, writer) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader, writer) -> None:
        try:
            target_reader, target_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pipe(reader, target_writer), self._pipe(target_reader, writer))

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, *self.listen))
        self._ready.set()
        self._loop.run_forever()

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _wait(predicate, *, timeout: float, what: str, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


@dataclass
class Processes:
    """Every process the run starts, stopped (TERM, then KILL) on the way out."""

    running: list[subprocess.Popen] = field(default_factory=list)

    def start(self, argv: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen:
        handle = log.open("ab")
        process = subprocess.Popen(
            argv, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        handle.close()
        self.running.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.running):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, 15)
        for process in reversed(self.running):
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, 9)
                process.wait()


def _postgres(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        host=POSTGRES[0], port=POSTGRES[1], user="postgres", dbname="postgres", autocommit=True
    ) as connection:
        connection.execute(sql)


# --- the commands of compose.yaml -------------------------------------------------------------
def compose_commands() -> dict[str, list[str]]:
    services = yaml.safe_load((REPO / "compose.yaml").read_text())["services"]
    return {name: list(services[name]["command"]) for name in ("migrate", "web", "worker-gpu0")}


def _bind(argv: list[str], address: str, port: int) -> list[str]:
    argv = list(argv)
    argv[argv.index("-b") + 1] = address
    argv[argv.index("-p") + 1] = str(port)
    return argv


# --- the run ----------------------------------------------------------------------------------
class Api:
    def __init__(self, base: str, token: str | None = None) -> None:
        import requests

        self.base, self.session = base, requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Token {token}"

    def call(self, method: str, path: str, expect: int = 200, **kwargs) -> Any:
        response = self.session.request(method, self.base + path, timeout=120, **kwargs)
        if response.status_code != expect:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response


def _teachers(folder: Path) -> dict[str, Path]:
    import engine

    folders = {}
    for category in ("cat", "dog"):
        result = engine.train_teacher(
            engine.TeacherConfig(
                category=category, tasks=("classification",), epochs=1, limit_train=256, seed=0, device="cpu"
            )
        )
        folders[f"{category}-category"] = Path(
            engine.save_module(result.category, folder / f"{category}-category")
        )
        folders[f"{category}-classification"] = Path(
            engine.save_module(result.tasks["classification"], folder / f"{category}-classification")
        )
    return folders


def _json_lines(path: Path) -> list[dict[str, Any]]:
    lines = []
    for raw in path.read_text(errors="replace").splitlines():
        if raw.startswith("{"):
            with contextlib.suppress(ValueError):
                lines.append(json.loads(raw))
    return lines


def _worker_jobs(log: Path) -> dict[int, int]:
    """job id -> trainings on this worker: messages taken minus those skipped as already claimed."""
    from webapp.observability.middleware import TAKEN_MESSAGE

    counts: dict[int, int] = {}
    for line in _json_lines(log):
        job_id = line.get("job_id")
        if job_id is None:
            continue
        if line["message"] == TAKEN_MESSAGE:
            counts[job_id] = counts.get(job_id, 0) + 1
        elif "not queued any more" in line["message"]:
            counts[job_id] = counts.get(job_id, 0) - 1
    return counts


def _scrape_runs(url: str) -> float | None:
    """``dramatiq_messages_total`` for run_job from a worker's Prometheus exporter."""
    import requests

    try:
        text = requests.get(url, timeout=5).text
    except requests.RequestException:
        return None
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("dramatiq_messages_total{") and 'actor_name="run_job"' in line
    )


def run(*, work_dir: Path, edges: int = 10, use_namespaces: bool = True, log=print) -> dict[str, Any]:
    """Deploy, train ``edges`` edges, and return the figures (see the module docstring)."""
    reason = namespaces_unavailable() if use_namespaces else "namespaces not asked for"
    topology = (
        namespaces()
        if reason is None
        else contextlib.nullcontext({name: Node(name, "127.0.0.1", None) for name in NODES})
    )
    host = HOST_ADDRESS if reason is None else "127.0.0.1"
    processes = Processes()
    started = time.monotonic()
    with topology as nodes:
        # Real services in their own processes: moto's S3 server and a redis-server.
        from tests.webapp.private_services import MotoServer, PrivateRedis

        forwarder = redis_server = moto = None
        _postgres(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        _postgres(f"CREATE DATABASE {DATABASE}")
        try:
            pg_port = POSTGRES[1]
            if reason is None:
                pg_port = _free_port(host)
                forwarder = TcpForwarder((host, pg_port), POSTGRES)
            redis_server = PrivateRedis(host=host)
            moto = MotoServer(host=host, log=work_dir / "moto.log")
            moto.client().create_bucket(Bucket=BUCKET)
            figures = _deploy_and_train(
                nodes=nodes,
                host=host,
                pg_port=pg_port,
                redis_url=redis_server.url,
                moto=moto,
                processes=processes,
                work_dir=work_dir,
                edges=edges,
                log=log,
            )
        finally:
            processes.stop_all()
            for service in (moto, redis_server, forwarder):
                if service is not None:
                    service.stop()
            _postgres(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    figures.update(
        {
            "namespaces": reason is None,
            "namespaces_unavailable_because": reason,
            "seconds": round(time.monotonic() - started, 1),
        }
    )
    return figures


def _deploy_and_train(
    *,
    nodes: dict[str, Node],
    host: str,
    pg_port: int,
    redis_url: str,
    moto,
    processes: Processes,
    work_dir: Path,
    edges: int,
    log,
) -> dict[str, Any]:
    commands = compose_commands()
    web = nodes["web"]
    web_port = WEB_PORT if web.netns else _free_port("127.0.0.1")
    base_env = {
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": os.environ.get("HOME", "/root"),
        "PYTHONPATH": str(REPO),
        "DJANGO_SETTINGS_MODULE": "webapp.settings",
        "DATABASE_URL": f"postgres://postgres@{host}:{pg_port}/{DATABASE}",
        "REDIS_URL": redis_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": f"{web.address},127.0.0.1,localhost",
        "DJANGO_CONN_MAX_AGE": "0",
        "TRANSPLANT_S3_BUCKET": BUCKET,
        "TRANSPLANT_S3_ENDPOINT_URL": moto.url,
        "TRANSPLANT_S3_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": moto.access_key,
        "AWS_SECRET_ACCESS_KEY": moto.secret_key,
        "TRANSPLANT_DEVICE": "cpu",
        "TRANSPLANT_GRAFT_OPTIONS": GRAFT_OPTIONS,
        "OMP_NUM_THREADS": "1",
        "dramatiq_queue_prefetch": "1",
    }

    def env_of(node: Node) -> dict[str, str]:
        data = work_dir / node.name
        data.mkdir(parents=True, exist_ok=True)
        return {**base_env, "TRANSPLANT_DATA": str(data)}

    web_env = env_of(web)
    subprocess.run(web.command(commands["migrate"]), cwd=REPO, env=web_env, check=True, capture_output=True)
    user_env = {
        **web_env,
        "DJANGO_SUPERUSER_USERNAME": "lab",
        "DJANGO_SUPERUSER_EMAIL": "lab@example.org",
        "DJANGO_SUPERUSER_PASSWORD": secrets.token_urlsafe(16),
    }
    subprocess.run(
        web.command([sys.executable, "manage.py", "createsuperuser", "--noinput"]),
        cwd=REPO,
        env=user_env,
        check=True,
        capture_output=True,
    )
    token = subprocess.run(
        web.command([sys.executable, "manage.py", "api_token_create", "lab", "--name", "multi-host"]),
        cwd=REPO,
        env=web_env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    web_process = processes.start(
        web.command(_bind(commands["web"], web.address, web_port)), env=web_env, log=work_dir / "web.log"
    )
    workers = [nodes["worker-a"], nodes["worker-b"]]
    metrics_urls = {}
    for worker in workers:
        argv = list(commands["worker-gpu0"])
        port = WORKER_METRICS_PORT
        if worker.netns is None:  # one host: the two exporters need their own ports
            port = _free_port("127.0.0.1")
            argv += ["--metrics-port", str(port)]
        metrics_urls[worker.name] = f"http://{worker.address}:{port}/"
        processes.start(worker.command(argv), env=env_of(worker), log=work_dir / f"{worker.name}.log")

    api = Api(f"http://{web.address}:{web_port}", token)
    # Generous: on a shared machine three Django processes and their imports take minutes.
    _wait(lambda: _ready(api), timeout=600, what="the web node's /readyz", interval=2.0)
    readyz = api.call("GET", "/readyz").json()
    log(f"web node ready at {api.base}; training tiny teachers...")
    teachers = _teachers(work_dir / "teachers")
    modules = {}
    for name, folder in teachers.items():
        with (
            (folder / "manifest.json").open("rb") as manifest,
            (folder / "weights.safetensors").open("rb") as weights,
        ):
            modules[name] = api.call(
                "POST",
                "/api/modules/",
                expect=201,
                data={"visibility": "private"},
                files={"manifest": manifest, "weights": weights},
            ).json()
    job_ids = []
    for index in range(edges):
        graph = api.call("POST", "/api/graphs/", expect=201, json={"name": f"edge {index}"}).json()
        source, target = (
            api.call(
                "POST", f"/api/graphs/{graph['id']}/nodes/", expect=201, json={"module": modules[name]["id"]}
            ).json()
            for name in ("cat-category", "dog-classification")
        )
        edge = api.call(
            "POST",
            f"/api/graphs/{graph['id']}/edges/",
            expect=201,
            json={
                "source": source["id"],
                "target": target["id"],
                "settings": {"steps": STEPS, "seed": index},
            },
        ).json()
        job_ids.append(edge["job"]["id"])
    log(f"{edges} edges drawn (jobs {job_ids}); waiting for the workers...")
    jobs = _wait(
        lambda: _all_finished(api, job_ids), timeout=60 * edges, what="every job to finish", interval=1.0
    )

    per_worker = {worker.name: _worker_jobs(work_dir / f"{worker.name}.log") for worker in workers}
    trainings = {job_id: sum(counts.get(job_id, 0) for counts in per_worker.values()) for job_id in job_ids}
    scraped = {name: _scrape_runs(url) for name, url in metrics_urls.items()}
    adapters = []
    for job in jobs:
        adapter = job.get("adapter")
        adapter_id = adapter["id"] if isinstance(adapter, dict) else adapter
        sha256 = api.call("GET", f"/api/modules/{adapter_id}/").json()["sha256"]
        archive = zipfile.ZipFile(io.BytesIO(api.call("GET", f"/api/modules/{adapter_id}/download/").content))
        adapters.append(
            {
                "job": job["id"],
                "adapter": adapter_id,
                "intact": hashlib.sha256(archive.read("weights.safetensors")).hexdigest() == sha256,
            }
        )
    bucket_folders = {
        key["Key"].split("/")[1]
        for key in moto.client().list_objects_v2(Bucket=BUCKET, Prefix="modules/").get("Contents", [])
    }
    local_stores = {node.name: (work_dir / node.name / "media").exists() for node in nodes.values()}
    caches = {
        node.name: sorted(
            p.name[:12] for p in (work_dir / node.name / "cache" / "modules").glob("*") if p.is_dir()
        )
        for node in nodes.values()
    }
    return {
        "edges": edges,
        "web_process_memory_mib": _memory_mib(web_process.pid),
        "jobs": {job["id"]: job["status"] for job in jobs},
        "attempts": {job["id"]: job["attempt"] for job in jobs},
        "jobs_per_worker_from_logs": {
            name: sorted(j for j, n in counts.items() if n > 0) for name, counts in per_worker.items()
        },
        "trainings_per_job": trainings,
        "run_job_messages_per_worker_from_prometheus": scraped,
        "adapters_read_from_web_node": adapters,
        "module_folders_in_bucket": len(bucket_folders),
        "local_module_store_on_any_node": any(local_stores.values()),
        "cache_folders_per_node": caches,
        "readyz": readyz,
    }


def _memory_mib(pid: int) -> dict[str, float]:
    """Resident and peak resident memory of a process (``ip netns exec`` execs, so the pid is
    daphne's own)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[{"VmRSS": "rss", "VmHWM": "peak_rss"}[key]] = round(int(value.split()[0]) / 1024, 1)
    return fields


def _ready(api: Api) -> bool:
    try:
        return api.session.get(api.base + "/readyz", timeout=30).status_code == 200
    except Exception:
        return False


def _all_finished(api: Api, job_ids: list[int]) -> list[dict] | None:
    jobs = [api.call("GET", f"/api/jobs/{job_id}/").json() for job_id in job_ids]
    return jobs if all(job["status"] in ("succeeded", "failed", "cancelled") for job in jobs) else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edges", type=int, default=10)
    parser.add_argument(
        "--no-namespaces", action="store_true", help="run the nodes as plain processes on 127.0.0.1"
    )
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="multi-host-") as work:
        figures = run(work_dir=Path(work), edges=arguments.edges, use_namespaces=not arguments.no_namespaces)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    print(json.dumps(figures, indent=2, default=str))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()

"""Live load: many viewers watch one graph while a job trains; delivery ratio and latency.

    python manage.py serve --quick-seed --port 8000      # or any production set-up, then:
    python -m benchmarks.live_load --url http://127.0.0.1:8000 --viewers 200

It signs in (demo/demo by default), makes a graph with the demo cat category module and a dog
classifier, opens ``--viewers`` WebSockets to it, draws the edge (which queues a training job of
``--steps`` steps), and reads every viewer until the job's final event. Each event carries
``sent_at``, stamped by the process that published it (the worker, for progress), so on one
machine ``receive time - sent_at`` is the delivery latency from the worker to the viewer.

Prints the delivery ratio (events received over events published, taken as the union of the seqs
any viewer saw, times the viewers) and the p50/p95/max latency. Talks to the server only over HTTP
and WebSockets (it imports nothing of the web app).
"""

from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import json
import statistics
import time
import urllib.request
from typing import Any

import websockets

FINAL_EVENTS = {"job.succeeded", "job.failed", "job.cancelled"}


class Client:
    """A signed-in HTTP session (cookies and the CSRF header) against the server."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def call(self, method: str, path: str, body: Any = None) -> Any:
        csrf = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        request = urllib.request.Request(
            self.base + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": csrf, "Referer": self.base + "/"},
        )
        try:
            with self.opener.open(request) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            if error.code == 401 and path == "/api/auth/me/":
                return None
            raise SystemExit(f"{method} {path}: {error.code} {error.read().decode()[:300]}") from None

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def _module(client: Client, **query: str) -> int:
    found = client.call("GET", "/api/modules/?" + "&".join(f"{k}={v}" for k, v in query.items()))
    results = found["results"] if isinstance(found, dict) else found
    if not results:
        raise SystemExit(f"no module with {query}; seed the demo catalog first (manage.py seed_demo)")
    return results[0]["id"]


async def _watch(
    url: str,
    origin: str,
    cookie: str,
    ready: asyncio.Event,
    count: list[int],
    viewers: int,
    timeout: float,
    opening: asyncio.Semaphore,
) -> list[tuple[int, float]]:
    """One viewer: (seq, latency seconds) of every event until the job's final one."""
    received: list[tuple[int, float]] = []
    async with opening:  # a few handshakes at a time: a burst of 200 overflows daphne's backlog
        for attempt in range(5):
            try:
                ws = await websockets.connect(
                    url, origin=origin, max_queue=None, open_timeout=60, additional_headers={"Cookie": cookie}
                )
                break
            except (TimeoutError, OSError, websockets.InvalidHandshake):
                if attempt == 4:
                    raise
                await asyncio.sleep(1 + attempt)
    async with ws:
        count[0] += 1
        if count[0] == viewers:
            ready.set()
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
            if "seq" in message and "sent_at" in message:
                received.append((message["seq"], time.time() - message["sent_at"]))
            if message.get("type") in FINAL_EVENTS:
                return received


async def run(
    base: str, username: str, password: str, viewers: int, steps: int, timeout: float
) -> dict[str, Any]:
    client = Client(base)
    client.call("GET", "/api/auth/me/")  # hands out the CSRF cookie
    client.call("POST", "/api/auth/login/", {"username": username, "password": password})
    category = _module(client, kind="category", category="cat")
    task = _module(client, kind="task", task="classification", category="dog")
    graph = client.call("POST", "/api/graphs/", {"name": f"live load {time.time():.0f}"})
    nodes = [
        client.call("POST", f"/api/graphs/{graph['id']}/nodes/", {"module": module})
        for module in (category, task)
    ]
    url = base.replace("http", "ws", 1) + f"/ws/graphs/{graph['id']}/"
    ready, count, opening = asyncio.Event(), [0], asyncio.Semaphore(10)
    tasks = [
        asyncio.create_task(
            _watch(url, base, client.cookie_header(), ready, count, viewers, timeout, opening)
        )
        for _ in range(viewers)
    ]
    await asyncio.wait_for(ready.wait(), timeout=120)
    # The edge gets its own seed so the job trains instead of reusing an earlier adapter.
    await asyncio.to_thread(
        client.call,
        "POST",
        f"/api/graphs/{graph['id']}/edges/",
        {
            "source": nodes[0]["id"],
            "target": nodes[1]["id"],
            "settings": {"steps": steps, "seed": int(time.time()) % 100_000},
        },
    )
    results = await asyncio.gather(*tasks)
    published = set().union(*({seq for seq, _ in events} for events in results))
    latencies = sorted(latency for events in results for _, latency in events)
    delivered = sum(len(events) for events in results)
    return {
        "viewers": viewers,
        "events_published": len(published),
        "delivery_ratio": delivered / (len(published) * viewers),
        "latency_ms": {
            "p50": 1000 * statistics.median(latencies),
            "p95": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
            "max": 1000 * latencies[-1],
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="demo")
    parser.add_argument("--password", default="demo")
    parser.add_argument("--viewers", type=int, default=200)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for the job")
    args = parser.parse_args()
    figures = asyncio.run(
        run(args.url.rstrip("/"), args.username, args.password, args.viewers, args.steps, args.timeout)
    )
    latency = figures["latency_ms"]
    print(
        f"{figures['viewers']} viewers, {figures['events_published']} events: delivery ratio "
        f"{figures['delivery_ratio']:.4f}, latency p50 {latency['p50']:.1f} ms, p95 "
        f"{latency['p95']:.1f} ms, max {latency['max']:.1f} ms"
    )


if __name__ == "__main__":
    main()

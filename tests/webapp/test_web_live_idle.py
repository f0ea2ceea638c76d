"""Live sockets stay up while nothing happens (channels_redis' BRPOP must not time the client out)."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from channels.layers import get_channel_layer
from test_web_end_to_end import _login, server  # noqa: F401  (the daphne fixture)

pytestmark = pytest.mark.django_db(transaction=True)

IDLE_SECONDS = 60


def test_the_channel_layer_reads_redis_with_a_timeout_longer_than_its_blocking_pop():
    layer = get_channel_layer()
    connection = layer.create_pool(0).make_connection()
    assert connection.socket_timeout > layer.brpop_timeout * 2
    assert connection.health_check_interval > 0


@pytest.mark.slow
@pytest.mark.asyncio
async def test_an_idle_graph_socket_stays_open_for_a_minute(server, user):  # noqa: F811
    alice = await asyncio.to_thread(_login, server, "alice", "alice-password")
    status, graph = await asyncio.to_thread(alice.request, "POST", "/api/graphs/", {"name": "idle"})
    assert status == 201, graph
    url = server.replace("http", "ws") + f"/ws/graphs/{graph['id']}/"
    async with websockets.connect(
        url, origin=server, ping_interval=None, additional_headers={"Cookie": alice.cookie_header()}
    ) as ws:
        # No events and no pings for a minute: any server-side close would arrive here.
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(ws.recv(), timeout=IDLE_SECONDS)
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), timeout=10)) == {"type": "pong"}

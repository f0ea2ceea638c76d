"""The graph and job WebSockets through Channels' WebsocketCommunicator, and progress coalescing."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from webapp.asgi import application
from webapp.graphs.services import graph_create
from webapp.jobs.models import Job, JobKind
from webapp.live.services import EventType, ProgressCoalescer, event_publish, job_event_publish

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]


def _communicator(graph_id: int, token: str | None = None, headers=ORIGIN) -> WebsocketCommunicator:
    query = f"?token={token}" if token else ""
    return WebsocketCommunicator(application, f"/ws/graphs/{graph_id}/{query}", headers=headers)


@pytest.fixture
def alice_graph(user):
    return graph_create(owner=user, name="live")


async def _token(user) -> str:
    from webapp.accounts.services import api_token_create

    return (await database_sync_to_async(api_token_create)(user=user, name="live tests"))[1]


@pytest.mark.asyncio
async def test_the_owner_receives_numbered_job_events(alice_graph, user):
    communicator = _communicator(alice_graph.id, await _token(user))
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    for event_type in (EventType.QUEUED, EventType.STARTED):
        await database_sync_to_async(event_publish)(
            graph_id=alice_graph.id, event_type=event_type, job_id=7, edge_id=3, payload={"attempt": 1}
        )
    first = await communicator.receive_json_from(timeout=5)
    second = await communicator.receive_json_from(timeout=5)
    assert (first["type"], second["type"]) == ("job.queued", "job.started")
    assert second["seq"] == first["seq"] + 1 and first["job"] == 7 and first["edge"] == 3
    await communicator.disconnect()


def _job(owner, kind: str) -> Job:
    return Job.objects.create(owner=owner, kind=kind, reuse_key="")


@pytest.mark.asyncio
async def test_a_teacher_jobs_owner_receives_its_events_numbered_on_its_own_socket(user):
    job = await database_sync_to_async(_job)(user, JobKind.TEACHER)
    communicator = WebsocketCommunicator(
        application, f"/ws/jobs/{job.id}/?token={await _token(user)}", headers=ORIGIN
    )
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    for event_type in (EventType.QUEUED, EventType.STARTED):
        await database_sync_to_async(job_event_publish)(job_id=job.id, event_type=event_type)
    first = await communicator.receive_json_from(timeout=5)
    second = await communicator.receive_json_from(timeout=5)
    assert (first["seq"], first["type"], second["seq"], second["type"]) == (1, "job.queued", 2, "job.started")
    assert first["job"] == job.id and first["edge"] is None
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_a_job_socket_is_refused_to_others_and_for_a_graphs_jobs(user, other_user):
    teacher = await database_sync_to_async(_job)(user, JobKind.TEACHER)
    graft = await database_sync_to_async(_job)(user, JobKind.GRAFT)
    for job, token in (
        (teacher, None),
        (teacher, await _token(other_user)),
        (graft, await _token(user)),  # an edge's job streams on its graph's socket
        (Job(pk=999_999), await _token(user)),
    ):
        communicator = WebsocketCommunicator(
            application, f"/ws/jobs/{job.pk}/{f'?token={token}' if token else ''}", headers=ORIGIN
        )
        assert (await communicator.connect())[0]
        assert (await communicator.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4403}
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_unknown_and_malformed_messages_get_an_error(alice_graph, user):
    communicator = _communicator(alice_graph.id, await _token(user))
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "subscribe"})
    assert (await communicator.receive_json_from())["type"] == "error"
    await communicator.send_to(text_data="not json")
    assert (await communicator.receive_json_from())["type"] == "error"
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_anonymous_users_and_other_users_are_refused(alice_graph, other_user):
    for token in (None, await _token(other_user), "wrong-token"):
        communicator = _communicator(alice_graph.id, token)
        connected, _ = await communicator.connect()
        assert connected  # accepted only to say why it closes
        assert (await communicator.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4403}
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_a_foreign_origin_cannot_open_the_socket(alice_graph, user):
    communicator = _communicator(
        alice_graph.id, await _token(user), headers=[(b"origin", b"http://evil.example")]
    )
    connected, _ = await communicator.connect()
    assert not connected


def test_progress_is_coalesced_and_the_last_step_is_always_sent():
    now = [0.0]
    sent: list[int] = []
    coalescer = ProgressCoalescer(
        lambda payload: sent.append(payload["step"]), interval=0.2, clock=lambda: now[0]
    )
    for step in range(1, 101):  # 100 steps in one second
        now[0] = step * 0.01
        coalescer.offer({"step": step})
    coalescer.flush()
    assert sent[0] == 1 and sent[-1] == 100
    assert len(sent) <= 7  # about five a second, plus the final one

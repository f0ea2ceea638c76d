"""The live WebSockets: watchers of a graph receive its jobs' events; watchers of a job without a
graph (a teacher job) receive that job's events. Both speak the same messages."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from webapp.graphs.selectors import graph_may_watch
from webapp.jobs.selectors import job_may_watch
from webapp.live.services import graph_group, job_group

# Application close code for "you may not watch this" (4000-4999 are ours).
CLOSE_FORBIDDEN = 4403


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """Server pushes job events to one group; the client may only ``ping``.

    Subclasses say which group the URL names and who may join it.
    """

    def group_name(self) -> str:
        raise NotImplementedError

    def may_watch(self, user) -> bool:
        """Whether ``user`` may join the group (runs in a thread: it may read the database)."""
        raise NotImplementedError

    async def connect(self) -> None:
        self.group = self.group_name()
        user = self.scope.get("user")
        allowed = user is not None and await database_sync_to_async(self.may_watch)(user)
        # Accept first so the refusal arrives as a close code the client can read.
        await self.accept()
        if not allowed:
            self.group = None
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def disconnect(self, code: int) -> None:
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
            return
        await self.send_json(
            {"type": "error", "message": 'Unknown message; the only message accepted is {"type": "ping"}.'}
        )

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        try:
            await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)
        except ValueError:  # not JSON
            await self.send_json({"type": "error", "message": "Messages must be JSON."})

    async def live_event(self, event) -> None:
        """A job event from the channel layer (sent by ``live.services``)."""
        await self.send_json(event["message"])


class GraphConsumer(LiveConsumer):
    """``/ws/graphs/<id>/``: the events of the graph's jobs, for the graph's owner."""

    def group_name(self) -> str:
        self.graph_id = int(self.scope["url_route"]["kwargs"]["graph_id"])
        return graph_group(self.graph_id)

    def may_watch(self, user) -> bool:
        return graph_may_watch(user=user, graph_id=self.graph_id)


class JobConsumer(LiveConsumer):
    """``/ws/jobs/<id>/``: the events of a job without a graph (a teacher job), for its owner."""

    def group_name(self) -> str:
        self.job_id = int(self.scope["url_route"]["kwargs"]["job_id"])
        return job_group(self.job_id)

    def may_watch(self, user) -> bool:
        return job_may_watch(user=user, job_id=self.job_id)

"""The graph WebSocket: watchers of a graph receive its jobs' events."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from webapp.graphs.selectors import graph_may_watch
from webapp.live.services import graph_group

# Application close code for "you may not watch this graph" (4000-4999 are ours).
CLOSE_FORBIDDEN = 4403


class GraphConsumer(AsyncJsonWebsocketConsumer):
    """``/ws/graphs/<id>/``: server pushes job events; the client may only ``ping``."""

    async def connect(self) -> None:
        self.graph_id = int(self.scope["url_route"]["kwargs"]["graph_id"])
        self.group = graph_group(self.graph_id)
        user = self.scope.get("user")
        allowed = user is not None and await database_sync_to_async(graph_may_watch)(
            user=user, graph_id=self.graph_id
        )
        # Accept first so the refusal arrives as a close code the client can read.
        await self.accept()
        if not allowed:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def disconnect(self, code: int) -> None:
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

    async def graph_event(self, event) -> None:
        """A job event from the channel layer (sent by live.services.event_publish)."""
        await self.send_json(event["message"])

"""Websocket consumers that belong to no app."""

from __future__ import annotations

from channels.generic.websocket import AsyncWebsocketConsumer


class UnknownPathConsumer(AsyncWebsocketConsumer):
    """Refuses a websocket to a path nobody serves, instead of failing inside the router."""

    # Not on the channel layer at all: nothing can reach it, and there is no pending
    # receive to cancel when the refused connection is torn down.
    channel_layer_alias = "no-channel-layer"

    async def connect(self) -> None:
        await self.close()

"""Websocket consumers that belong to no app."""

from __future__ import annotations

from channels.generic.websocket import AsyncWebsocketConsumer


class UnknownPathConsumer(AsyncWebsocketConsumer):
    """Refuses a websocket to a path nobody serves, instead of failing inside the router."""

    async def connect(self) -> None:
        await self.close()

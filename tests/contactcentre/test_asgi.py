"""The ASGI application: HTTP through Django, websockets only from our own hosts."""

from __future__ import annotations

import pytest
from channels.testing import HttpCommunicator, WebsocketCommunicator

from contactcentre.asgi import application


@pytest.mark.asyncio
async def test_http_is_served_through_the_asgi_application() -> None:
    communicator = HttpCommunicator(
        application, "GET", "/healthz", headers=[(b"host", b"127.0.0.1")]
    )
    response = await communicator.get_response()
    assert response["status"] == 200


async def websocket_connects(path: str, origin: bytes) -> bool:
    communicator = WebsocketCommunicator(
        application, path, headers=[(b"origin", origin), (b"host", b"127.0.0.1")]
    )
    connected, _ = await communicator.connect()
    await communicator.disconnect()
    return bool(connected)


@pytest.mark.asyncio
async def test_websocket_from_a_foreign_origin_is_refused() -> None:
    assert not await websocket_connects("/ws/anything/", b"https://evil.example")


@pytest.mark.asyncio
async def test_websocket_to_an_unknown_path_is_refused_cleanly() -> None:
    assert not await websocket_connects("/ws/nothing-here/", b"http://127.0.0.1")

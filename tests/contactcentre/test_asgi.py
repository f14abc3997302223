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


@pytest.mark.asyncio
async def test_websocket_from_a_foreign_origin_is_refused() -> None:
    communicator = WebsocketCommunicator(
        application,
        "/ws/anything/",
        headers=[(b"origin", b"https://evil.example"), (b"host", b"127.0.0.1")],
    )
    connected, _ = await communicator.connect()
    assert not connected


@pytest.mark.asyncio
async def test_websocket_to_an_unknown_path_is_refused_cleanly() -> None:
    communicator = WebsocketCommunicator(
        application,
        "/ws/nothing-here/",
        headers=[(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")],
    )
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()

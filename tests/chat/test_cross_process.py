"""Two Daphne processes on the Redis channel layer: a citizen on one, the agent on the other,
messages flow both ways (the wake-ups cross processes through Redis)."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.chat.conftest import session_cookie
from tests.conftest import ROOT, child_env, free_port, require_service, stop, wait_for_http
from tests.routing.factories import AgentFactory, QueueFactory


@pytest.fixture
def two_daphnes(transactional_db: None, postgres: None, redis_server: str) -> Iterator[list[int]]:
    daphne = shutil.which("daphne", path=str(Path(sys.executable).parent))
    require_service("Daphne", daphne is not None, "pip install daphne")
    assert daphne is not None
    ports, processes = [free_port(), free_port()], []
    try:
        for port in ports:
            log = (ROOT / "test-artifacts" / f"daphne-chat-{port}.log").open("wb")
            processes.append(
                subprocess.Popen(
                    [daphne, "-b", "127.0.0.1", "-p", str(port), "contactcentre.asgi:application"],
                    cwd=ROOT,
                    env=child_env(STAFF_MFA_REQUIRED="false"),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        for port, process in zip(ports, processes, strict=True):
            wait_for_http(f"http://127.0.0.1:{port}/healthz", process)
        yield ports
    finally:
        for process in processes:
            stop(process)


class Socket:
    def __init__(self, connection: Any) -> None:
        self.connection = connection

    async def send(self, **frame: Any) -> None:
        await self.connection.send(json.dumps(frame))

    async def until(self, frame_type: str, **match: Any) -> dict[str, Any]:
        async with asyncio.timeout(20):
            while True:
                frame = json.loads(await self.connection.recv())
                if frame["type"] == frame_type and all(frame.get(k) == v for k, v in match.items()):
                    return frame


async def connect(port: int, path: str, cookie: str = "") -> Socket:
    from websockets.asyncio.client import connect as ws_connect

    headers = {"Cookie": cookie} if cookie else {}
    connection = await ws_connect(
        f"ws://127.0.0.1:{port}{path}",
        origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
        additional_headers=headers,
    )
    return Socket(connection)


@pytest.mark.redis
@pytest.mark.postgres
def test_citizen_and_agent_on_different_processes_talk_both_ways(two_daphnes: list[int]) -> None:
    citizen_port, agent_port = two_daphnes
    queues = [
        QueueFactory(slug=slug)
        for slug in ("general", "identity", "fraud", "accessibility", "welsh")
    ]
    agent = AgentFactory(skills=queues, user__first_name="Sam")
    _header, cookie = session_cookie(agent.user)

    async def scenario() -> None:
        console = await connect(agent_port, "/ws/chat/staff/", cookie.decode())
        await console.send(type="hello", v=1)
        await console.until("welcome")
        citizen = await connect(citizen_port, "/ws/chat/")
        await citizen.send(type="hello", v=1)
        await citizen.until("welcome")
        await citizen.send(type="message", client_id="c1", body="hello there")
        started = await citizen.until("conversation")
        await citizen.until("ack", client_id="c1")
        await citizen.send(type="handoff")

        assigned = await console.until("assigned")
        public_id = assigned["conversation"]
        assert public_id == started["conversation"]
        await console.send(type="accept", conversation=public_id)
        await citizen.until("state", state="agent")
        await console.send(type="message", conversation=public_id, client_id="a1", body="From B")
        got = await citizen.until("message", kind="agent")
        assert got["body"] == "From B"
        await citizen.send(type="message", client_id="c2", body="From A")
        got = await console.until("message", kind="citizen", body="From A")
        assert got["conversation"] == public_id
        await citizen.connection.close()
        await console.connection.close()

    asyncio.run(scenario())

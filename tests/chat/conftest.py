"""Chat test fixtures: always-open queues, agents, a fake chatbot, and websocket clients."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from chat import chatbot, ratelimit
from chat.chatbot.index import forget_index
from contactcentre import asyncdb, realtime
from contactcentre.models import User
from routing.models import AgentProfile, Queue
from selfhelp.actions import import_articles
from tests.routing.factories import AgentFactory, QueueFactory

ORIGIN = (b"origin", b"http://testserver")
QUEUES = ("general", "identity", "fraud", "accessibility", "welsh")


@pytest.fixture
def guidance(db: None) -> Iterator[None]:
    """The demo articles, published, and an index built from them (dropped afterwards)."""
    import_articles()
    forget_index()
    yield
    forget_index()


@pytest_asyncio.fixture(autouse=True)
async def _close_loop_connections() -> Any:
    """The test's event loop ends with it: close the connections consumers opened on it (the
    async database pool, the Redis client of the per-IP limit, the layer's publisher)."""
    yield
    await asyncdb.close()
    await ratelimit.close()
    layer = get_channel_layer()
    if isinstance(layer, realtime.PubSubChannelLayer):
        await layer.close_publisher()


@pytest.fixture
def queues(db: None) -> dict[str, Queue]:
    """The queues the default routes name, with no schedule: always open."""
    return {slug: QueueFactory(slug=slug, name=slug.title()) for slug in QUEUES}


@pytest.fixture
def agent(queues: dict[str, Queue]) -> AgentProfile:
    """An available agent, Sam, serving every queue."""
    return AgentFactory(skills=list(queues.values()), user__first_name="Sam")


class FakeBot:
    """Answers everything from a script; 'person' or 'unsure' makes it hand over."""

    def __init__(self) -> None:
        self.questions: list[tuple[str, str, int]] = []

    def __call__(
        self, question: str, *, language: str = "en", previous: Any = ()
    ) -> chatbot.BotReply:
        self.questions.append((question, language, len(list(previous))))
        if "unsure" in question:
            return chatbot.BotReply(
                text="I'm not sure. I can put you through to an adviser.",
                handoff=True,
                intent="unknown",
            )
        return chatbot.BotReply(
            text=f"Here is help with: {question[:40]}",
            article="reset-password",
            confidence=0.9,
        )


@pytest.fixture
def bot(monkeypatch: pytest.MonkeyPatch) -> FakeBot:
    fake = FakeBot()
    monkeypatch.setattr(chatbot, "answer", fake)
    return fake


def session_cookie(user: User) -> tuple[bytes, bytes]:
    """A signed-in session for ``user``, as the Cookie header a browser would send."""
    from django.conf import settings

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode())


class Client:
    """A websocket client of the chat protocol over the real ASGI stack."""

    def __init__(self, path: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        from contactcentre.asgi import application

        self.communicator = WebsocketCommunicator(
            application, path, headers=[ORIGIN, *(headers or [])]
        )

    async def connect(self) -> bool:
        connected, _code = await self.communicator.connect()
        return bool(connected)

    async def send(self, frame: dict[str, Any] | str) -> None:
        text = frame if isinstance(frame, str) else json.dumps(frame)
        await self.communicator.send_to(text_data=text)

    async def receive(self, timeout: float = 20) -> dict[str, Any]:
        return json.loads(await self.communicator.receive_from(timeout=timeout))

    async def receive_until(self, predicate: Any, timeout: float = 20) -> list[dict[str, Any]]:
        """Frames up to and including the first that ``predicate`` accepts."""
        frames = []
        while True:
            frame = await self.receive(timeout)
            frames.append(frame)
            if predicate(frame):
                return frames

    async def nothing_more(self, timeout: float = 0.3) -> bool:
        return bool(await self.communicator.receive_nothing(timeout=timeout))

    async def close(self) -> None:
        await self.communicator.disconnect()


def citizen_client(headers: list[tuple[bytes, bytes]] | None = None) -> Client:
    return Client("/ws/chat/", headers)


async def staff_client(user: User) -> Client:
    return Client("/ws/chat/staff/", [await database_sync_to_async(session_cookie)(user)])


async def say_hello(client: Client, **fields: Any) -> dict[str, Any]:
    await client.send({"type": "hello", "v": 1, **fields})
    return await client.receive()


def is_type(frame_type: str, **match: Any) -> Any:
    return lambda f: f["type"] == frame_type and all(f.get(k) == v for k, v in match.items())


@pytest.fixture(autouse=True)
def _close_thread_connections() -> Iterator[None]:
    """Consumers reach the database from worker threads: close those connections after each
    call (CONN_MAX_AGE 0), so the test database can be flushed and dropped."""
    from django.db import connections

    saved = connections.settings["default"].get("CONN_MAX_AGE", 0)
    connections.settings["default"]["CONN_MAX_AGE"] = 0
    yield
    connections.settings["default"]["CONN_MAX_AGE"] = saved


db_async = database_sync_to_async


@pytest.fixture(autouse=True)
def _staff_without_second_factor(settings: Any) -> None:
    """Staff sockets here are opened by staff without an authenticator app; the test of the
    second-factor rule turns it back on."""
    settings.STAFF_MFA_REQUIRED = False


@pytest.fixture
def without_the_sentence_model(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As if the package carrying the sentence model were not installed: the averaged word
    vectors are then the meaning signal (with the model, the index does not compute them)."""
    from chat.chatbot import sentence_model
    from chat.chatbot.index import forget_index

    monkeypatch.setattr(sentence_model, "MODEL_PACKAGE", "no_such_model_package")
    sentence_model.forget_model()
    forget_index()
    yield
    monkeypatch.undo()
    sentence_model.forget_model()
    forget_index()

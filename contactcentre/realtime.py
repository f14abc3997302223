"""The one way to tell browsers that something happened.

Events go to the channel layer only after the surrounding transaction commits, so nobody hears of
a change that was rolled back. The channel layer is only a wake-up: a consumer that misses an
event recovers the state from the database. Every event is a dict with a ``type``; the event
types are listed in ``docs/realtime-events.md``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import weakref
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.db import transaction

logger = logging.getLogger(__name__)
T = TypeVar("T")
# Events waiting to be sent by this process; past this many (Redis unreachable for a while)
# new ones are dropped and logged: consumers recover what they missed from the database.
MAX_PENDING_EVENTS = 10_000
SEND_TIMEOUT_SECONDS = 5


class _Sender:
    """One long-lived event loop per process, on a thread of its own, sending events in the
    order they were handed over, one at a time.

    Callers never wait for Redis: an action that commits must not be slowed down (or failed) by
    a wake-up. ``async_to_sync`` would also start a fresh loop for every event, and
    channels_redis keeps its connections per loop, so each event would open a new Redis
    connection (about 3 ms).
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.queue: asyncio.Queue[tuple[str, dict[str, Any]]] | None = None
        self.ready = threading.Event()
        thread = threading.Thread(target=self._run, name="realtime-events", daemon=True)
        thread.start()
        self.ready.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.queue = asyncio.Queue(MAX_PENDING_EVENTS)
        self.loop.create_task(self._drain(self.queue))
        self.ready.set()
        self.loop.run_forever()

    async def _drain(self, queue: asyncio.Queue[tuple[str, dict[str, Any]]]) -> None:
        while True:
            group, event = await queue.get()
            layer = get_channel_layer()
            try:
                if layer is not None:
                    async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                        await layer.group_send(group, event)
            except Exception:
                logger.exception("Could not send %s event to group %s", event["type"], group)

    def submit(self, group: str, event: dict[str, Any]) -> None:
        self.loop.call_soon_threadsafe(self._put, group, event)

    def _put(self, group: str, event: dict[str, Any]) -> None:
        assert self.queue is not None
        try:
            self.queue.put_nowait((group, event))
        except asyncio.QueueFull:
            logger.warning("Dropped %s event to group %s: too many pending", event["type"], group)


# Events collected on this thread instead of being handed to the sender (``collect_events``).
_collecting = threading.local()
Pending = list[tuple[str, dict[str, Any]]]


@contextmanager
def collect_events() -> Iterator[Pending]:
    """Keep the events committed inside the block, in order, for the caller to send itself
    (``send_collected``): a websocket consumer's database work runs on a worker thread, and its
    wake-ups are best sent from the consumer's own event loop as soon as that work returns,
    without a hand-over to the sender's thread and its queue behind every other event."""
    pending: Pending = []
    previous = getattr(_collecting, "events", None)
    _collecting.events = pending
    try:
        yield pending
    finally:
        _collecting.events = previous


async def send_collected(pending: Pending) -> None:
    """Send collected events, in order, from the running event loop. A lost wake-up is
    recovered from the database, so a failure is logged, never raised."""
    layer = get_channel_layer()
    if layer is None:
        return
    for group, event in pending:
        try:
            # A time-out scope rather than ``wait_for``, which makes a task of every send.
            async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                await layer.group_send(group, event)
        except Exception:
            logger.exception("Could not send %s event to group %s", event["type"], group)


def in_worker_thread(function: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """``function`` (ORM work) for an event loop: run on a worker thread of the pool (not the
    single thread-sensitive one), with the wake-ups it commits collected and sent from the
    calling loop as soon as it returns, before the caller goes on."""

    def collecting(*args: Any, **kwargs: Any) -> tuple[T, Pending]:
        with collect_events() as pending:
            return function(*args, **kwargs), pending

    in_thread = database_sync_to_async(collecting, thread_sensitive=False)

    async def run(*args: Any, **kwargs: Any) -> T:
        result, pending = await in_thread(*args, **kwargs)
        if pending:
            await send_collected(pending)
        return result

    return run


_sender: _Sender | None = None
_sender_pid: int | None = None
_sender_lock = threading.Lock()


def _current_sender() -> _Sender:
    """This process's sender; made again after a fork (Celery's prefork workers), where the
    parent's thread does not exist."""
    global _sender, _sender_pid
    with _sender_lock:
        if _sender is None or _sender_pid != os.getpid():
            _sender = _Sender()
            _sender_pid = os.getpid()
        return _sender


def send_event_now(group: str, event: dict[str, Any]) -> None:
    """Hand ``event`` over for sending; returns at once. A lost wake-up is recovered from the
    database, so a failure to send is logged, never raised."""
    if "type" not in event:
        raise ValueError("A realtime event needs a 'type'.")
    collecting: Pending | None = getattr(_collecting, "events", None)
    if collecting is not None:
        collecting.append((group, event))
        return
    layer = get_channel_layer()
    if layer is None:
        return
    if isinstance(layer, InMemoryChannelLayer):
        # The in-memory layer's queues belong to the server's own loop: send from there.
        try:
            async_to_sync(layer.group_send)(group, event)
        except Exception:
            logger.exception("Could not send %s event to group %s", event["type"], group)
        return
    _current_sender().submit(group, event)


def send_event_on_commit(group: str, event: dict[str, Any]) -> None:
    """Send ``event`` to every consumer in ``group`` once the current transaction commits."""
    if "type" not in event:
        raise ValueError("A realtime event needs a 'type'.")
    transaction.on_commit(lambda: send_event_now(group, event))


class _Publisher:
    """One Redis connection of an event loop's own that only publishes: each ``PUBLISH`` is
    written as it comes (pipelined, no lock, no pool) and its reply (an integer, or an error)
    is matched to it in order. redis-py spends about 0.2 ms of CPU on each publish it sends
    and awaits; this about a third of that, less when many go out at once. A dropped
    connection fails what was waiting on it (a lost wake-up is made good from the database)
    and the next publish opens another."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.connection: _PublishConnection | None = None
        self.connecting: asyncio.Task[_PublishConnection] | None = None

    async def publish(self, channel: str, data: bytes) -> None:
        connection = self.connection
        if connection is None or connection.closed:
            connecting = self.connecting
            if connecting is None:
                # One connection attempt however many publish meanwhile.
                connecting = asyncio.get_running_loop().create_task(self._connect())
                connecting.add_done_callback(self._connected)
                self.connecting = connecting
            connection = await asyncio.shield(connecting)
        await connection.command(b"PUBLISH", channel.encode(), data)

    def _connected(self, attempt: asyncio.Task[_PublishConnection]) -> None:
        if self.connecting is attempt:
            self.connecting = None
        if not attempt.cancelled() and attempt.exception() is None:
            self.connection = attempt.result()

    async def _connect(self) -> _PublishConnection:
        from redis.asyncio.connection import SSLConnection, UnixDomainSocketConnection, parse_url

        options = parse_url(self.address)
        loop = asyncio.get_running_loop()
        if options.get("connection_class") is UnixDomainSocketConnection:
            _transport, connection = await loop.create_unix_connection(
                _PublishConnection, options["path"]
            )
        else:
            _transport, connection = await loop.create_connection(
                _PublishConnection,
                options.get("host", "localhost"),
                options.get("port", 6379),
                ssl=options.get("connection_class") is SSLConnection,
            )
        if options.get("password"):
            credentials = [options.get("username") or "default", options["password"]]
            try:
                await connection.command(b"AUTH", *(str(c).encode() for c in credentials))
            except Exception:
                connection.close()
                raise
        return connection

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class _PublishConnection(asyncio.Protocol):
    """One connection of a ``_Publisher``: commands whose replies are one line each."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.waiting: deque[asyncio.Future[None]] = deque()
        self.buffer = b""
        self.closed = False

    async def command(self, *parts: bytes) -> None:
        if self.closed or self.transport is None:
            raise ConnectionError("Redis closed the connection")
        replied: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting.append(replied)
        self.transport.write(_command(*parts))
        await replied

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        # Every reply to PUBLISH and AUTH is one line: ":<n>", "+OK" or "-<error>".
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\r\n")
        for line in lines:
            if not self.waiting:
                continue
            replied = self.waiting.popleft()
            if replied.done():  # its publisher gave up waiting
                continue
            if line.startswith(b"-"):
                replied.set_exception(ConnectionError(line[1:].decode(errors="replace")))
            else:
                replied.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        while self.waiting:
            replied = self.waiting.popleft()
            if not replied.done():
                replied.set_exception(ConnectionError("Redis closed the connection"))

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


def _command(*parts: bytes) -> bytes:
    out = [b"*%d\r\n" % len(parts)]
    for part in parts:
        out.append(b"$%d\r\n%s\r\n" % (len(part), part))
    return b"".join(out)


class PubSubChannelLayer(RedisPubSubChannelLayer):
    """channels_redis' publish/subscribe layer (subscriptions and delivery are its own), with
    wake-ups published through one lean connection per event loop (``_Publisher``): every
    message a chat stores is published once, so this is the layer's busiest path."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hosts = kwargs.get("hosts") or [{"address": "redis://localhost:6379"}]
        first = hosts[0]
        self._address = first["address"] if isinstance(first, dict) else str(first)
        self._publishers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Publisher] = (
            weakref.WeakKeyDictionary()
        )

    def _publisher(self) -> _Publisher:
        loop = asyncio.get_running_loop()
        publisher = self._publishers.get(loop)
        if publisher is None:
            publisher = self._publishers[loop] = _Publisher(self._address)
        return publisher

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        layer = self._get_layer()
        channel = layer._get_group_channel_name(group)
        await self._publisher().publish(channel, self.serialize(message))

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        await self._publisher().publish(channel, self.serialize(message))

    async def close_publisher(self) -> None:
        """Close this event loop's publishing connection (tests, at the end of each loop)."""
        publisher = self._publishers.pop(asyncio.get_running_loop(), None)
        if publisher is not None:
            publisher.close()

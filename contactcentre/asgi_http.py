"""Django's HTTP side under Daphne, with one thread hand-off per request.

Django's own ``ASGIHandler`` runs its middleware in async mode: every ``MiddlewareMixin``
middleware wraps its ``process_request`` and ``process_response`` in ``sync_to_async``, and a
sync-only middleware (WhiteNoise) makes the chain hop back with ``async_to_sync``, so one page
crosses between the event loop and a thread made for that request a dozen times or more, each
crossing paying for a wake-up and the GIL. This handler reads the body on the event loop (as
Django does), then runs everything else in one call on a worker thread: ``request_started``,
the synchronous middleware chain, the view, and ``response.close()`` (which sends
``request_finished`` and gives the database connection back to the pool), exactly as a
threaded WSGI server would. Only the finished response crosses back to the loop.

Streaming and file responses are sent from the worker thread chunk by chunk, each chunk waiting
for the loop to take it, so a large download never sits whole in memory; the request's thread,
and its database connection, stay with it until the last chunk, as under WSGI. A client that
goes away stops the stream at the next chunk.

Inside the worker, ``async_to_sync`` runs on Daphne's own loop (as it does under Django's
handler), so code that must reach the server's loop (the in-memory channel layer) still can.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any

from asgiref.sync import SyncToAsync
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseServerError
from django.http.response import HttpResponseBase
from django.urls import set_script_prefix

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def http_threads() -> int:
    """How many requests a process serves in Django at once: ``HTTP_THREADS`` (default 8), no
    more than the database pool holds, so a request never waits for a connection."""
    threads = int(settings.HTTP_THREADS)
    database: dict[str, Any] = settings.DATABASES["default"]
    pool = (database.get("OPTIONS") or {}).get("pool")
    if isinstance(pool, dict) and pool.get("max_size"):
        threads = min(threads, int(pool["max_size"]))
    return max(1, threads)


class OneHopHttpHandler(ASGIHandler):
    """An ASGI application serving Django HTTP requests, each in one call on a worker thread
    of a bounded pool (``threads``: at most that many requests are in Django at once, each
    holding one pooled database connection)."""

    def __init__(self, threads: int) -> None:
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)
        self.threads = threads
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # type: ignore[override]
        if scope["type"] != "http":
            raise ValueError(f"Django serves only HTTP here, not {scope['type']}.")
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        loop = asyncio.get_running_loop()
        gone = threading.Event()
        watcher = asyncio.create_task(_watch_for_disconnect(receive, gone))
        # A fresh context per request: nothing a request sets in a context variable (language,
        # URLconf, script prefix) can leak into the next request on the same thread.
        context = contextvars.Context()
        try:
            messages = await loop.run_in_executor(
                self.executor, context.run, self._serve, scope, body_file, send, loop, gone
            )
            for message in messages:
                await send(message)
        finally:
            gone.set()  # also stops a stream whose request was cancelled by the server
            watcher.cancel()

    def _serve(
        self,
        scope: Scope,
        body_file: IO[bytes],
        send: Send,
        loop: asyncio.AbstractEventLoop,
        gone: threading.Event,
    ) -> list[Message]:
        """On the worker thread: the whole request. Returns the messages the loop still has to
        send (none for a streaming response, which is sent from here)."""
        _use_server_loop_for_async_to_sync(loop)
        try:
            request: HttpRequest | None = None
            try:
                request, response = self._get_response_sync(scope, body_file)
            except Exception:
                # Django turns a view's errors into responses; this is for the rest (a failing
                # request_started receiver): answer 500 rather than leave the client hanging.
                logger.exception("Could not serve %s %s", scope["method"], scope["path"])
                response = self._ours(HttpResponseServerError("Internal Server Error"))
            if not response.streaming:
                messages = _response_messages(response)
                response.close()  # request_finished: the connection goes back to the pool
                return messages
            try:
                self._stream(response, send, loop, gone)
            finally:
                response.close()
            return []
        finally:
            body_file.close()
            if request is not None:
                # Django's request is a knot of reference cycles (the lazy user's closure, the
                # messages storage, the session and the resolver match all point back at it):
                # untied once it is answered, a request is freed at once instead of waiting
                # for the garbage collector, whose passes over it stopped every request in
                # the process for tens of milliseconds (GC_THRESHOLDS).
                request.__dict__.clear()

    def _get_response_sync(
        self, scope: Scope, body_file: IO[bytes]
    ) -> tuple[HttpRequest | None, HttpResponseBase]:
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, error_response = self.create_request(scope, body_file)
        if request is None:
            assert error_response is not None
            return None, self._ours(error_response)
        response = self._ours(self.get_response(request))
        if isinstance(response, FileResponse):
            # The server does its own chunking: read files in large blocks.
            response.block_size = self.chunk_size
        return request, response

    def _ours(self, response: HttpResponseBase) -> HttpResponseBase:
        """``request_finished`` names the handler, as Django's handlers do."""
        response._handler_class = self.__class__  # type: ignore[attr-defined]
        return response

    def _stream(
        self,
        response: HttpResponseBase,
        send: Send,
        loop: asyncio.AbstractEventLoop,
        gone: threading.Event,
    ) -> None:
        def send_now(message: Message) -> None:
            asyncio.run_coroutine_threadsafe(_forward(send, message), loop).result()

        send_now(_start_message(response))
        for part in response:
            for chunk, _last in self.chunk_bytes(part):
                if gone.is_set():
                    return
                send_now({"type": "http.response.body", "body": chunk, "more_body": True})
        send_now({"type": "http.response.body", "body": b"", "more_body": False})


async def _forward(send: Send, message: Message) -> None:
    await send(message)


async def _watch_for_disconnect(receive: Receive, gone: threading.Event) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            gone.set()
            return


def _use_server_loop_for_async_to_sync(loop: asyncio.AbstractEventLoop) -> None:
    """What ``sync_to_async`` sets in its threads: ``async_to_sync`` then schedules coroutines
    on the server's loop instead of starting a loop of its own for each call."""
    SyncToAsync.threadlocal.main_event_loop = loop
    SyncToAsync.threadlocal.main_event_loop_pid = os.getpid()


def _start_message(response: HttpResponseBase) -> Message:
    headers = [
        (header.encode("ascii"), value.encode("latin1")) for header, value in response.items()
    ]
    headers.extend(
        (b"Set-Cookie", cookie.output(header="").encode("ascii").strip())
        for cookie in response.cookies.values()
    )
    return {"type": "http.response.start", "status": response.status_code, "headers": headers}


def _response_messages(response: HttpResponseBase) -> list[Message]:
    assert isinstance(response, HttpResponse)
    messages = [_start_message(response)]
    messages.extend(
        {"type": "http.response.body", "body": chunk, "more_body": not last}
        for chunk, last in OneHopHttpHandler.chunk_bytes(response.content)
    )
    return messages

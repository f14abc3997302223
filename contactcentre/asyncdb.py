"""PostgreSQL from an event loop, for the few hot paths that run in websocket consumers.

Django's ORM is synchronous: a consumer reaches it through a worker thread, and under load every
such hop waits for a thread and for the GIL on the way there and back. A chat message is one SQL
statement (``chat.actions.store``), so the consumer runs it on an asynchronous psycopg
connection from this module's pool instead, without leaving its event loop.

One pool per event loop (Daphne has one; tests make one per test), opened whole on first use
from the same settings as Django's connection, in autocommit: each statement is its own
transaction.
A connection used within the last second is lent without a check; one idle for longer is
checked first (one round trip), so a restarted server costs no failed message, and a busy
process pays nothing. ``DATABASE_ASYNC_POOL_SIZE`` (default 10) caps each pool.
"""

from __future__ import annotations

import asyncio
import functools
import time
import weakref
from typing import Any

from django.conf import settings
from django.db import connection
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

# Used this recently, a connection is taken to be alive (as HikariCP's aliveBypassWindow does).
CHECK_AFTER_IDLE_SECONDS = 1.0

_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task[AsyncConnectionPool]] = (
    weakref.WeakKeyDictionary()
)
_last_used: weakref.WeakKeyDictionary[AsyncConnection, float] = weakref.WeakKeyDictionary()


@functools.cache
def available() -> bool:
    """Whether the database is PostgreSQL (the only one the async paths speak to). Asked for
    every chat message, and fixed for the life of the process: from an event loop, reaching
    Django's ``connection`` goes through a context-local lookup each time."""
    return connection.vendor == "postgresql"


async def _check(conn: AsyncConnection) -> None:
    if time.monotonic() - _last_used.get(conn, 0.0) > CHECK_AFTER_IDLE_SECONDS:
        await AsyncConnectionPool.check_connection(conn)


async def _returned(conn: AsyncConnection) -> None:
    _last_used[conn] = time.monotonic()


def _connection_kwargs() -> dict[str, Any]:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)  # Django's, synchronous
    params["autocommit"] = True
    # Django turns server-side prepared statements off (they do not survive a transaction
    # pooler); these connections are our own, and the few statements on them run thousands of
    # times: PostgreSQL parses and plans each once per connection instead of every time.
    params["prepare_threshold"] = 0
    return params


async def pool() -> AsyncConnectionPool:
    """This event loop's pool, opened on first use (once, however many ask at once)."""
    loop = asyncio.get_running_loop()
    opening = _pools.get(loop)
    if opening is None:
        opening = _pools[loop] = loop.create_task(_open())
    return await opening


async def _open() -> AsyncConnectionPool:
    created = AsyncConnectionPool(
        kwargs=_connection_kwargs(),
        # Every connection is opened at once, before the first statement: a pool that grows
        # one connection at a time while the first burst of messages waits for it made the
        # first seconds after a restart take seconds per message.
        min_size=int(settings.DATABASE_ASYNC_POOL_SIZE),
        max_size=int(settings.DATABASE_ASYNC_POOL_SIZE),
        timeout=float(settings.DATABASE_POOL_TIMEOUT),
        check=_check,
        reset=_returned,
        open=False,
        name="contactcentre-async",
    )
    await created.open(wait=True, timeout=float(settings.DATABASE_POOL_TIMEOUT))
    return created


async def close() -> None:
    """Close this event loop's pool (tests, at the end of each loop)."""
    loop = asyncio.get_running_loop()
    opening = _pools.pop(loop, None)
    if opening is not None:
        await (await opening).close()

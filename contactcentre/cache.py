"""The Redis cache (sessions, rate limits), with one client and connection pool per process.

Django keeps a cache object per thread and per ``contextvars`` context (``caches`` is an asgiref
``Local``), and its Redis client keeps its connection pools on that object. Under
``contactcentre.asgi_http`` every request runs in a fresh context, so every request made a new
cache object, a new pool and a new TCP connection to Redis, with redis-py's handshake (``HELLO``,
two ``CLIENT SETINFO``, ``SELECT``, and a read of the package's metadata for its version) before
its one ``GET`` of the session. And Django builds a new ``redis.Redis`` for every command, which
copies some 170 response callbacks each time. Here one client per server, with its pool, serves
every cache object of the process with the same location and options: redis-py's clients and
pools are thread-safe, and a pool starts afresh in a forked child.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property
from redis.connection import ConnectionPool

_clients: dict[str, SharedRedisCacheClient] = {}
_lock = threading.Lock()


class SharedRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one ``redis.Redis`` per connection pool."""

    # Django's own attributes, which its type stubs leave out.
    _servers: list[str]
    _pool_class: type[ConnectionPool]
    _pool_options: dict[str, Any]
    _client: Callable[..., Any]
    _get_connection_pool_index: Callable[[bool], int]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._redis: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._redis.get(index)
        if client is None:
            with _lock:
                client = self._redis.get(index)
                if client is None:
                    pool = self._pool_class.from_url(self._servers[index], **self._pool_options)
                    client = self._redis[index] = self._client(connection_pool=pool)
        return client


class SharedPoolRedisCache(RedisCache):
    """Django's ``RedisCache``, its client (and connection pools) shared in the process."""

    _servers: list[str]
    _options: dict[str, Any]

    @cached_property
    def _cache(self) -> RedisCacheClient:
        key = repr((self._servers, sorted(self._options.items())))
        with _lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = SharedRedisCacheClient(self._servers, **self._options)
        return client

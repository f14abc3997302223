"""The Redis cache (sessions, rate limits): one client and connection per process, not one per
request."""

from __future__ import annotations

import contextvars
from typing import Any

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.redis


def test_requests_share_the_processs_redis_client_and_connection(
    redis_server: str, settings: Any
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "contactcentre.cache.SharedPoolRedisCache",
            "LOCATION": redis_server,
            "KEY_PREFIX": "test-shared-cache",
        }
    }

    def one_request(n: int) -> tuple[Any, Any]:
        cache = caches["default"]
        cache.set("visits", n)
        return cache.get("visits"), cache._cache.get_client()

    # Each request runs in a fresh context (contactcentre.asgi_http), where Django's cache
    # handler makes a new cache object: the client and its connection are the process's.
    results = [contextvars.Context().run(one_request, n) for n in range(3)]
    assert [value for value, _client in results] == [0, 1, 2]
    clients = {id(client) for _value, client in results}
    assert len(clients) == 1
    assert results[0][1].connection_pool._created_connections == 1
    caches["default"].delete("visits")


def test_another_location_gets_a_client_of_its_own(redis_server: str) -> None:
    from contactcentre.cache import SharedPoolRedisCache

    first = SharedPoolRedisCache(redis_server, {})
    again = SharedPoolRedisCache(redis_server, {})
    elsewhere = SharedPoolRedisCache(redis_server.rsplit("/", 1)[0] + "/15", {})
    assert first._cache is again._cache
    assert elsewhere._cache is not first._cache

"""The per-IP limit: shared by every process through Redis, and never waited for."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest
from redis.asyncio import Redis

from chat.ratelimit import SharedIpCounts

pytestmark = pytest.mark.asyncio


async def settle(*counters: SharedIpCounts) -> None:
    for counter in counters:
        if counter.sender is not None:
            await counter.sender


async def test_one_process_allows_the_limit_then_refuses_without_waiting(redis_server: str):
    counts = SharedIpCounts(Redis.from_url(redis_server))
    ip = f"192.0.2.{uuid.uuid4().int % 250}-{uuid.uuid4().hex[:6]}"
    try:
        # Decided at once, all within one send to Redis.
        assert [counts.allows(ip, 3) for _ in range(5)] == [True, True, True, False, False]
        await settle(counts)
        assert counts.shared[ip] == 3
        assert counts.allows("198.51.100.1", 3)  # another address has its own allowance
    finally:
        await settle(counts)
        await counts.client.aclose()


async def test_processes_share_the_allowance_through_redis(redis_server: str):
    first = SharedIpCounts(Redis.from_url(redis_server))
    second = SharedIpCounts(Redis.from_url(redis_server))
    ip = f"203.0.113.{uuid.uuid4().hex[:8]}"
    accepted = {"first": 0, "second": 0}
    try:
        for _ in range(3):
            accepted["first"] += first.allows(ip, 5)
            await settle(first)
        for _ in range(5):
            accepted["second"] += second.allows(ip, 5)
            await settle(second)
        assert accepted == {"first": 3, "second": 2}
        assert not first.allows(ip, 5) or first.shared[ip] < 5
    finally:
        await settle(first, second)
        await first.client.aclose()
        await second.client.aclose()


async def test_redis_unreachable_never_fails_a_message(caplog: pytest.LogCaptureFixture):
    counts = SharedIpCounts(Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5))
    with caplog.at_level(logging.ERROR, logger="chat.ratelimit"):
        assert counts.allows("192.0.2.9", 2)
        await settle(counts)
        assert counts.allows("192.0.2.9", 2)
        assert not counts.allows("192.0.2.9", 2)  # still limited by what this process counted
        await settle(counts)
    assert "Could not share per-IP message counts" in caplog.text
    await counts.client.aclose()
    await asyncio.sleep(0)

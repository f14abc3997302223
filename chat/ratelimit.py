"""Rate limits on what a websocket client sends: per connection (a token bucket in the
consumer) and per IP address (a one-minute window shared by every process through Redis)."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import Counter

from django.conf import settings
from django.core.cache import cache
from redis.asyncio import Redis

logger = logging.getLogger(__name__)


class TokenBucket:
    """``burst`` frames at once, refilled at ``rate`` a second."""

    def __init__(self, burst: int, rate: float) -> None:
        self.burst = burst
        self.rate = rate
        self.tokens = float(burst)
        self.updated = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def retry_after(self) -> float:
        return round(max(0.0, (1 - self.tokens) / self.rate), 2)


def connection_bucket() -> TokenBucket:
    return TokenBucket(int(settings.CHAT_RATE_BURST), float(settings.CHAT_RATE_PER_SECOND))


# How long a count waits to be sent with the others: the shared limit lags by this much more.
SHARE_AFTER_SECONDS = 0.05


class SharedIpCounts:
    """This minute's messages per IP address, counted across every process in Redis, without
    a message ever waiting for Redis.

    A process counts what it accepts locally and sends the counts to Redis in one pipeline
    (``INCRBY`` and ``EXPIRE`` for each address counted since the last send), one send at a
    time; each reply is every process's count together. A message is allowed while the last
    shared count plus what this process has counted since stays within the limit, so the limit
    holds to within what other processes accept in ``SHARE_AFTER_SECONDS`` and one round trip.
    A busy process sends one round trip for many messages. If Redis fails, the counts are kept
    and sent again with the next message's, and this process goes on limiting by what it
    counted itself: a message is never refused or delayed because Redis is away.
    """

    def __init__(self, client: Redis) -> None:
        self.client = client
        self.minute = 0
        self.shared: dict[str, int] = {}  # as Redis last said, this process's sends included
        self.sending: Counter[str] = Counter()  # in the send under way
        self.pending: Counter[str] = Counter()  # counted here since
        self.sender: asyncio.Task[None] | None = None

    def allows(self, ip: str, limit: int) -> bool:
        minute = int(time.time() // 60)
        if minute != self.minute:
            self.minute = minute
            self.shared, self.sending, self.pending = {}, Counter(), Counter()
        if self.shared.get(ip, 0) + self.sending[ip] + self.pending[ip] >= limit:
            return False
        self.pending[ip] += 1
        if self.sender is None:
            self.sender = asyncio.get_running_loop().create_task(self.send())
        return True

    async def send(self) -> None:
        try:
            # Gather what arrives in the next moment into the same round trip: under load one
            # pipeline carries hundreds of messages' counts instead of a handful.
            await asyncio.sleep(SHARE_AFTER_SECONDS)
            while self.pending:
                minute = self.minute
                self.sending, self.pending = self.pending, Counter()
                async with self.client.pipeline(transaction=False) as pipe:
                    for ip, count in self.sending.items():
                        key = f"contactcentre:chat:ip:{ip}:{minute}"
                        pipe.incrby(key, count)
                        pipe.expire(key, 120)  # the key outlives its minute a little
                    replies = await pipe.execute()
                if minute == self.minute:
                    for ip, total in zip(self.sending, replies[::2], strict=True):
                        self.shared[ip] = int(total)
                self.sending = Counter()
        except Exception:
            logger.exception("Could not share per-IP message counts")
            # Kept, and sent again with the next message's counts.
            self.pending.update(self.sending)
            self.sending = Counter()
        finally:
            self.sender = None


# One per event loop (Daphne has one): a Redis client's connections belong to its loop.
_counts: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SharedIpCounts] = (
    weakref.WeakKeyDictionary()
)


def ip_allows(ip: str) -> bool:
    """Whether another message from ``ip`` fits in this minute's allowance: shared by every
    process through Redis (``SharedIpCounts``); without Redis, this process's own cache. Called
    from an event loop; never waits."""
    if not ip:
        return True
    limit = int(settings.CHAT_RATE_PER_IP_PER_MINUTE)
    if not settings.REDIS_URL:
        return _cache_allows(f"chat:ip:{ip}:{int(time.time() // 60)}", limit)  # in memory
    loop = asyncio.get_running_loop()
    counts = _counts.get(loop)
    if counts is None:
        counts = _counts[loop] = SharedIpCounts(Redis.from_url(settings.REDIS_URL))
    return counts.allows(ip, limit)


async def close() -> None:
    """Close this event loop's Redis client (tests, at the end of each loop)."""
    counts = _counts.pop(asyncio.get_running_loop(), None)
    if counts is not None:
        if counts.sender is not None:
            await counts.sender
        await counts.client.aclose()


def _cache_allows(key: str, limit: int) -> bool:
    try:
        # One round trip for every message but the first of the minute.
        count = cache.incr(key)
    except ValueError:  # the minute's first message (or its key expired)
        if cache.add(key, 1, timeout=120):
            return True
        count = cache.incr(key)  # another process added it first
    return count <= limit

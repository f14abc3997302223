"""Rate limits on what a websocket client sends: per connection (a token bucket in the
consumer) and per IP address (a one-minute window in the cache, shared by every process)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


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


def ip_allows(ip: str) -> bool:
    """Whether another message from ``ip`` fits in this minute's allowance."""
    if not ip:
        return True
    key = f"chat:ip:{ip}:{int(time.time() // 60)}"
    try:
        # One round trip for every message but the first of the minute.
        count = cache.incr(key)
    except ValueError:  # the minute's first message (or its key expired)
        if cache.add(key, 1, timeout=120):
            return True
        count = cache.incr(key)  # another process added it first
    return count <= int(settings.CHAT_RATE_PER_IP_PER_MINUTE)

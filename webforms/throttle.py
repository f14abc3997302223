"""Rate limits in the cache (Redis when configured): tracking lookups by reference and email
are limited per client address and per reference, against guessing."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def _hit(key: str) -> int:
    window = settings.WEBFORMS_TRACK_WINDOW_SECONDS
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def tracking_attempt_allowed(client: str, reference: str) -> bool:
    """Count a lookup; False once the client or the reference has used up its attempts."""
    limit = settings.WEBFORMS_TRACK_ATTEMPTS
    by_client = _hit(f"webforms:track:client:{client}")
    by_reference = _hit(f"webforms:track:ref:{reference}") if reference else 0
    return by_client <= limit and by_reference <= limit


def client_address(meta: dict[str, str]) -> str:
    return meta.get("REMOTE_ADDR", "") or "unknown"

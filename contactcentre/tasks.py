"""Housekeeping tasks run by Celery beat."""

from __future__ import annotations

from importlib import import_module

from celery import shared_task
from django.conf import settings


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def clear_expired_sessions() -> None:
    """Delete sessions past their expiry so the table does not grow for ever. Idempotent."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()

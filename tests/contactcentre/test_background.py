"""Background work: Celery tasks on a real worker and Redis broker, and realtime events that
fire only after the transaction commits."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import pytest
from channels.layers import get_channel_layer
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from contactcentre import realtime
from contactcentre.celery import app
from contactcentre.tasks import clear_expired_sessions


def make_sessions() -> tuple[str, str]:
    expired, live = SessionStore(), SessionStore()
    expired.set_expiry(timezone.now() - timedelta(days=1))
    live.set_expiry(timezone.now() + timedelta(days=1))
    expired.create()
    live.create()
    return str(expired.session_key), str(live.session_key)


@pytest.mark.django_db
def test_clearing_expired_sessions_keeps_live_ones() -> None:
    expired, live = make_sessions()
    clear_expired_sessions()
    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=live).exists()


def test_celery_is_configured_never_to_lose_a_task() -> None:
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert "clear-expired-sessions" in app.conf.beat_schedule


@pytest.mark.celery_worker
def test_a_real_worker_runs_tasks_from_the_redis_broker(
    celery_worker_process: None, settings: Any
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    try:
        expired, live = make_sessions()
        clear_expired_sessions.delay()
        deadline = time.monotonic() + 30
        while Session.objects.filter(session_key=expired).exists():
            assert time.monotonic() < deadline, "the worker did not run the task in 30 s"
            time.sleep(0.2)
        assert Session.objects.filter(session_key=live).exists()
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


@pytest.mark.django_db
def test_events_are_sent_only_after_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        realtime.send_event_on_commit("test-group", {"type": "contact.changed", "id": 7})
    assert len(callbacks) == 1

    async def listen_then_commit() -> dict[str, Any]:
        layer = get_channel_layer()
        assert layer is not None
        channel = await layer.new_channel()
        await layer.group_add("test-group", channel)
        try:
            await asyncio.to_thread(callbacks[0])  # the commit
            return dict(await asyncio.wait_for(layer.receive(channel), 5))
        finally:
            await layer.group_discard("test-group", channel)

    assert asyncio.run(listen_then_commit()) == {"type": "contact.changed", "id": 7}


def test_an_event_without_a_type_is_refused() -> None:
    with pytest.raises(ValueError, match="type"):
        realtime.send_event_on_commit("g", {"id": 1})

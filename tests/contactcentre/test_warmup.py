"""A web process's start-up work runs in the background, and readiness waits for it."""

from __future__ import annotations

import logging
import threading

import pytest
from django.test import Client

from contactcentre import warmup
from contactcentre.warmup import WarmUp


def test_start_up_steps_run_in_order_on_their_own_thread_then_the_follow_up_and_readiness_waits():
    warm = WarmUp()
    release = threading.Event()
    ran: list[tuple[str, str]] = []

    def slow() -> None:
        ran.append(("slow", threading.current_thread().name))
        release.wait(5)

    warm.register("slow", slow)
    warm.register("quick", lambda: ran.append(("quick", threading.current_thread().name)))
    assert warm.ready()  # nothing started, nothing to wait for
    thread = warm.start(then=lambda: ran.append(("then", threading.current_thread().name)))
    assert thread is not None
    assert not warm.ready()
    release.set()
    thread.join(5)
    assert warm.ready()
    assert ran == [("slow", "warm-up"), ("quick", "warm-up"), ("then", "warm-up")]
    assert warm.start() is None  # once a process


def test_a_failing_step_is_logged_and_the_others_still_run(caplog: pytest.LogCaptureFixture):
    warm = WarmUp()
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("model file missing")

    warm.register("broken", broken)
    warm.register("fine", lambda: ran.append("fine"))
    with caplog.at_level(logging.INFO, logger="contactcentre.warmup"):
        thread = warm.start()
        assert thread is not None
        thread.join(5)
    assert warm.ready()
    assert ran == ["fine"]
    assert "warming up broken failed" in caplog.text


def test_readyz_is_503_until_the_process_has_warmed_up(
    client: Client, db: None, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(warmup, "ready", lambda: False)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "warm_up" in response.json()["failed"]
    monkeypatch.setattr(warmup, "ready", lambda: True)
    response = client.get("/readyz")
    assert response.json()["checks"]["warm_up"] == {"status": "ok", "ms": pytest.approx(0, abs=50)}


def test_the_apps_register_their_start_up_work():
    assert {"assistant", "routing classifier"} <= set(warmup._process.steps)

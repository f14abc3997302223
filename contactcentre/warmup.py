"""Work a web process does once, in the background, as soon as it starts, instead of while the
first citizen waits: the apps register it (``register``, from their ``AppConfig.ready``), the
ASGI entry point starts it (``start``, when ``WARM_UP`` is on), and ``/readyz`` reports the
process not ready until it has finished, so a load balancer sends it nobody before then.

A step that fails is logged and left to happen on first use, as it would have without warming:
warming never stops a process from serving.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.db import connections

logger = logging.getLogger(__name__)


class WarmUp:
    def __init__(self) -> None:
        self.steps: dict[str, Callable[[], object]] = {}
        self.started = False
        self.finished = threading.Event()

    def register(self, name: str, step: Callable[[], object]) -> None:
        """Run ``step`` at start-up (once per name; the last registration wins)."""
        self.steps[name] = step

    def start(self, then: Callable[[], object] | None = None) -> threading.Thread | None:
        """Run every registered step, in order, on a thread of its own (once), and ``then``
        after the last of them."""
        if self.started:
            return None
        self.started = True
        thread = threading.Thread(target=self._run, args=(then,), name="warm-up", daemon=True)
        thread.start()
        return thread

    def ready(self) -> bool:
        """Whether the start-up work is done (true if it was never started: nothing to wait
        for)."""
        return not self.started or self.finished.is_set()

    def _run(self, then: Callable[[], object] | None) -> None:
        try:
            for name, step in list(self.steps.items()):
                started = time.monotonic()
                try:
                    step()
                except Exception:
                    logger.exception("warming up %s failed: it will happen on first use", name)
                else:
                    logger.info("warmed up %s in %.1f s", name, time.monotonic() - started)
            if then is not None:
                then()
        finally:
            connections.close_all()  # this thread's own, not a request's
            self.finished.set()


_process = WarmUp()
register = _process.register
start = _process.start
ready = _process.ready

"""What the benches share."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def database_url(name: str | None = None) -> str:
    """``DATABASE_URL`` for the processes a bench starts (Daphne, a Celery worker, a harness
    under callgrind): the server and user of the bench's own connection, and database ``name``
    (by default the one that connection uses: the bench's throwaway test database)."""
    from django.db import connection

    db = connection.settings_dict
    auth = db.get("USER") or ""
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{auth}{'@' if auth else ''}{host}{port}/{name or db['NAME']}"


def pause_collector() -> None:
    """Keep the bench's own garbage collector out of what it times. The clients are the
    measuring instrument: a pause of their collector (thousands of prepared citizens' or
    sockets' objects, a fraction of a second per full pass) would be counted as the server's
    latency. What exists now is frozen out of the collector's passes, and it does not run at
    all until ``resume_collector`` (what a timed round allocates fits in memory)."""
    gc.collect()
    gc.freeze()
    gc.disable()


def resume_collector() -> None:
    gc.enable()
    gc.unfreeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    pause_collector()
    try:
        yield
    finally:
        resume_collector()

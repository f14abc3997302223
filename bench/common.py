"""What the benches share."""

from __future__ import annotations


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

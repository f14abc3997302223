"""Django's PostgreSQL backend, with a cheaper check of the connections its pool lends.

With ``CONN_HEALTH_CHECKS`` on, Django has ``psycopg_pool`` check every connection it lends with
an empty query: a round trip on every request, PostgreSQL's work and a wake-up on each side,
to catch a connection the server ended while it sat in the pool (a restart, a failover,
``pg_terminate_backend``, ``idle_session_timeout``). A server ending a connection sends its
error and closes the socket, so such a connection has something to read; an idle one that is
still alive has nothing. Here a lent connection is looked at first (a zero-timeout ``poll`` of
its socket, no round trip), and only one with something to read, or not idle, gets the empty
query, and is replaced if that fails, as before. A connection cut without a word (the network
gone) would hang the empty query as long as the request's own, so the round trip guarded
nothing there.
"""

from __future__ import annotations

import select
from typing import Any

from django.db.backends.postgresql import base
from psycopg import Connection, pq
from psycopg_pool import ConnectionPool


def check_lent_connection(conn: Connection[Any]) -> None:
    """``ConnectionPool.check_connection``, only when the connection may be gone."""
    if not conn.closed and conn.pgconn.transaction_status == pq.TransactionStatus.IDLE:
        poller = select.poll()
        poller.register(conn.fileno(), select.POLLIN)
        if not poller.poll(0):  # nothing to read, no hang-up, no error: alive
            return
    ConnectionPool.check_connection(conn)


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self) -> ConnectionPool | None:
        pool = super().pool
        # Django passes its check when it makes the pool (CONN_HEALTH_CHECKS); swap in ours.
        if pool is not None and pool._check is ConnectionPool.check_connection:
            pool._check = check_lent_connection
        return pool

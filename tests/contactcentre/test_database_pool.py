"""The database pool lends a connection without a round trip unless it may be gone
(``contactcentre/postgresql/base.py``), and never lends one the server has ended."""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest
from django.db import connection
from psycopg_pool import ConnectionPool

from contactcentre.postgresql.base import check_lent_connection

pytestmark = pytest.mark.postgres


def _connect() -> psycopg.Connection[Any]:
    params = connection.get_connection_params()
    params.pop("context", None)
    params.pop("cursor_factory", None)
    return psycopg.connect(**params, autocommit=True)


def _terminate(pids: list[int]) -> None:
    with _connect() as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [pids])
    time.sleep(0.3)  # the server's goodbye reaches the sockets


def test_an_idle_connection_that_is_alive_is_lent_without_a_round_trip(
    postgres: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = []
    monkeypatch.setattr(ConnectionPool, "check_connection", checked.append)
    with _connect() as conn:
        check_lent_connection(conn)
    assert checked == []


def test_a_connection_the_server_ended_fails_the_check(postgres: None) -> None:
    with _connect() as conn:
        _terminate([conn.info.backend_pid])
        with pytest.raises(psycopg.OperationalError):
            check_lent_connection(conn)


@pytest.mark.django_db(transaction=True)
def test_requests_get_working_connections_after_the_server_ended_the_pooled_ones(
    postgres: None,
) -> None:
    """The settings' pool, as a Daphne has it (the test run's own connection has none)."""
    from contactcentre.postgresql.base import DatabaseWrapper

    pooled = {
        **connection.settings_dict,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"pool": {"min_size": 2, "max_size": 3, "timeout": 5}},
    }
    wrapper = DatabaseWrapper(pooled, alias="pool-check-test")
    try:
        assert wrapper.pool is not None
        assert wrapper.pool._check is check_lent_connection
        pids = set()
        for _ in range(4):
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids.add(cursor.fetchone()[0])
            wrapper.close()  # back to the pool, as at the end of a request
        _terminate(sorted(pids))
        for _ in range(4):
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                assert cursor.fetchone()[0] not in pids
            wrapper.close()
    finally:
        wrapper.close_pool()

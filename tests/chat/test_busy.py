"""Which failures a websocket client is told to retry ("busy") rather than "server_error"."""

from django.db import OperationalError
from psycopg_pool import PoolTimeout

from chat.consumers import _waited_for_database


def test_only_a_wait_for_a_database_connection_counts_as_busy():
    timeout = PoolTimeout("couldn't get a connection after 10.00 sec")
    wrapped = OperationalError("couldn't get a connection after 10.00 sec")
    wrapped.__cause__ = timeout  # as Django's wrap_database_errors raises it
    assert _waited_for_database(timeout)
    assert _waited_for_database(wrapped)
    assert not _waited_for_database(OperationalError("server closed the connection"))
    assert not _waited_for_database(ValueError("bug"))

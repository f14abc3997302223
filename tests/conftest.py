"""Shared test fixtures: real services, live servers, factories.

A test that needs PostgreSQL, Redis, a Celery worker, Daphne or Chromium asks for it through a
fixture here. When ``CI`` is set a missing service fails the test loudly; on a laptop without the
service the test is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
IN_CI = bool(os.environ.get("CI"))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """No connection pool in the test process itself. Channels' test communicator turns
    ``close_old_connections`` off while a consumer runs, so consumers' worker threads never
    give their connections back: with a pool, tests would leak them until it ran dry. The
    Daphne servers and Celery workers the tests start use the pool, as production does."""
    settings.DATABASES["default"].get("OPTIONS", {}).pop("pool", None)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate limits and one-time codes live in the cache (Redis in CI): start each test clean,
    since user ids repeat between test runs."""
    from django.core.cache import cache

    cache.clear()


def require_service(name: str, available: bool, how: str) -> None:
    """Fail (in CI) or skip (elsewhere) when a real service a test needs is missing."""
    if available:
        return
    message = f"{name} is not available: {how}"
    if IN_CI:
        pytest.fail(f"CI is set but {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def postgres() -> None:
    """The test runs on a real PostgreSQL server."""
    require_service(
        "PostgreSQL",
        connection.vendor == "postgresql",
        "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/contactcentre",
    )


def redis_reachable() -> bool:
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def redis_server() -> str:
    """The test talks to a real Redis server; returns its URL."""
    require_service("Redis", redis_reachable(), "set REDIS_URL=redis://127.0.0.1:6379/0")
    return str(settings.REDIS_URL)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url_for_children() -> str:
    """A DATABASE_URL that points child processes at the database the tests are using."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}{port}/{db['NAME']}"


def child_env(**extra: str) -> dict[str, str]:
    """Environment for a server or worker the tests start: same database and Redis."""
    env = dict(os.environ)
    env.update(
        DJANGO_ENV="test",
        DATABASE_URL=database_url_for_children(),
        PYTHONUNBUFFERED="1",
        CONN_MAX_AGE="0",
        WARM_UP="true",
    )
    if settings.REDIS_URL:
        env["REDIS_URL"] = str(settings.REDIS_URL)
    env.update(extra)
    return env


def wait_for_http(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} seconds")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def daphne_server(transactional_db: None) -> Iterator[str]:
    """A real Daphne serving the project over HTTP and websockets; yields its base URL.

    The server shares the test database, so data the test creates must be committed
    (``transactional_db``).
    """
    daphne = shutil.which("daphne", path=str(Path(sys.executable).parent))
    require_service("Daphne", daphne is not None, "pip install daphne")
    assert daphne is not None
    port = free_port()
    log = ROOT / "test-artifacts" / f"daphne-{port}.log"
    log.parent.mkdir(exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [daphne, "-b", "127.0.0.1", "-p", str(port), "contactcentre.asgi:application"],
            cwd=ROOT,
            env=child_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        # Ready, as a load balancer would wait for: warmed up too, so a first answer is quick.
        wait_for_http(f"{url}/readyz", process, timeout=90)
        yield url
    finally:
        stop(process)


@pytest.fixture
def celery_worker_process(transactional_db: None, redis_server: str) -> Iterator[None]:
    """A real Celery worker consuming from the Redis broker, sharing the test database."""
    celery = shutil.which("celery", path=str(Path(sys.executable).parent))
    require_service("Celery", celery is not None, "pip install celery")
    assert celery is not None
    log = ROOT / "test-artifacts" / f"celery-{os.getpid()}.log"
    log.parent.mkdir(exist_ok=True)
    hostname = f"test-{os.getpid()}-{time.monotonic_ns()}@%h"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [
                celery,
                "-A",
                "contactcentre",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
                "-n",
                hostname,
            ],
            cwd=ROOT,
            env=child_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_worker(process)
        yield
    finally:
        stop(process)


def wait_for_worker(process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    from contactcentre.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Celery worker exited with {process.returncode}")
        if app.control.ping(timeout=1.0):
            return
    raise RuntimeError(f"Celery worker did not answer a ping within {timeout} seconds")

"""/healthz says the process is alive; /readyz checks every store the web process needs."""

from __future__ import annotations

from unittest import mock

import pytest
from django.test import Client

from contactcentre import health


def test_healthz_answers_without_touching_the_database(client: Client) -> None:
    # No django_db mark: any query here would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_reports_each_check(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failed"] == []
    assert set(body["checks"]) == {"database", "channel_layer", "broker", "warm_up"}
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["channel_layer"]["status"] == "ok"


@pytest.mark.django_db
def test_readyz_names_what_failed_with_503(client: Client) -> None:
    def broken() -> str:
        raise ConnectionError("redis is down")

    with mock.patch.dict(health.CHECKS, {"broker": broken}):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["broker"]
    assert body["checks"]["broker"] == {
        "status": "failed",
        "error": "ConnectionError",
        "ms": body["checks"]["broker"]["ms"],
    }
    assert body["checks"]["database"]["status"] == "ok"
    # The exception's text may hold hostnames or credentials: it is logged, not published.
    assert "redis is down" not in response.content.decode()


@pytest.mark.django_db
def test_readyz_on_real_postgres_and_redis(
    client: Client, postgres: None, redis_server: str
) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    checks = response.json()["checks"]
    assert checks["broker"]["status"] == "ok"
    assert checks["channel_layer"]["status"] == "ok"


@pytest.mark.django_db
def test_readyz_fails_when_the_broker_is_unreachable(client: Client, redis_server: str) -> None:
    from contactcentre.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/readyz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]


def test_health_endpoints_refuse_other_methods(client: Client) -> None:
    assert client.post("/healthz").status_code == 405

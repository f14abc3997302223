"""The project served by a real Daphne process, as a load balancer would see it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest


def get(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_daphne_serves_health_and_readiness(daphne_server: str) -> None:
    assert get(f"{daphne_server}/healthz") == (200, {"status": "ok"})
    status, body = get(f"{daphne_server}/readyz")
    assert status == 200, body
    assert body["failed"] == []


def test_readiness_on_real_postgres_and_redis(
    daphne_server: str, postgres: None, redis_server: str
) -> None:
    status, body = get(f"{daphne_server}/readyz")
    assert status == 200, body
    checks = body["checks"]
    assert isinstance(checks, dict)
    assert {name: check["status"] for name, check in checks.items()} == {
        "database": "ok",
        "channel_layer": "ok",
        "broker": "ok",
        "warm_up": "ok",
    }


@pytest.mark.parametrize("path", ["/static/build/app.css", "/static/govuk/govuk-frontend.min.js"])
def test_static_files_are_served_by_whitenoise(daphne_server: str, path: str) -> None:
    with urllib.request.urlopen(f"{daphne_server}{path}", timeout=10) as response:
        assert response.status == 200
        assert len(response.read()) > 1000

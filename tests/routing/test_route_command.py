"""The ``route`` command operators use to try a policy change."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from routing.demo import load_demo_data

pytestmark = pytest.mark.django_db
EXAMPLES = (
    Path(__file__).resolve().parents[2] / "routing" / "demo_content" / "routing_examples.jsonl"
)


@pytest.fixture(autouse=True)
def _seeded() -> None:
    load_demo_data()


def run(monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = "") -> list[dict]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("route", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_batch_over_the_public_examples_matches_every_expected_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = EXAMPLES.read_text().splitlines()
    results = run(monkeypatch, "--batch", stdin="\n".join(lines))
    assert len(results) == len(lines)
    for line, result in zip(lines, results, strict=True):
        example = json.loads(line)
        assert set(result) == {"destination", "queue", "priority", "form", "offers", "reasons"}
        for field, expected in example["expected"].items():
            assert result[field] == expected, (example["text"], field, result)


def test_one_message_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    [result] = run(monkeypatch, "--json", "--at", "2026-12-01T10:00:00+00:00", "I want a person")
    assert result["destination"] == "agent"
    assert result["queue"] == "general"
    assert result["form"] is None


def test_no_agents_sends_agent_contacts_to_their_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    [result] = run(
        monkeypatch,
        "--json",
        "--no-agents",
        "--at",
        "2026-12-01T10:00:00+00:00",
        "I've been scammed",
    )
    assert (result["destination"], result["form"]) == ("chatbot", "fraud")
    assert "no agents signed in for the fraud queue" in result["reasons"]


def test_christmas_eve_closes_early(monkeypatch: pytest.MonkeyPatch) -> None:
    [result] = run(monkeypatch, "--json", "--at", "2026-12-24T16:30:00+00:00", "I want a person")
    assert result["destination"] == "webform"
    assert "agents closed: opens Tuesday 08:00" in result["reasons"]


def test_bad_lines_are_reported_and_the_rest_still_routed(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.StringIO('not json\n{"text": "how do I sign in"}\n'))
    with pytest.raises(CommandError, match="1 line"):
        call_command("route", "--batch", stdout=out)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert "error" in first
    assert second["destination"] == "chatbot"


def test_a_bad_time_is_refused() -> None:
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("route", "--at", "tomorrow", "hello", stdout=io.StringIO())

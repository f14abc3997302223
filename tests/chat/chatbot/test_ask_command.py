"""``manage.py ask``: operators check what the bot says after changing guidance."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.usefixtures("guidance")


def test_json_prints_one_object_with_the_documented_fields() -> None:
    out = io.StringIO()
    call_command("ask", "how do I change my email", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert set(result) == {"reply", "article", "alternatives", "confidence", "handoff", "intent"}
    assert result["article"] == "change-email-address"
    assert result["handoff"] is False
    assert 0 <= result["confidence"] <= 1


def test_batch_reads_json_lines_and_prints_one_line_each(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ['{"q": "forgot my password"}', "not json", '{"q": "speak to a person"}']
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    out = io.StringIO()
    call_command("ask", "--batch", stdout=out)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert results[0]["article"] == "reset-password"
    assert results[1] == {"line": 2, "error": 'expected a JSON object with "q"'}
    assert (results[2]["intent"], results[2]["handoff"]) == ("person", True)


def test_json_for_suggestions_has_no_article_and_lists_the_offers() -> None:
    out = io.StringIO()
    call_command("ask", "it says error", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["intent"] == "suggest"
    assert result["article"] is None
    assert "account-locked" in result["alternatives"]
    assert result["handoff"] is False


def test_json_for_a_hand_over_with_guidance_keeps_the_same_fields() -> None:
    out = io.StringIO()
    call_command("ask", "can i talk to someone, i forgot my password", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert set(result) == {"reply", "article", "alternatives", "confidence", "handoff", "intent"}
    assert (result["intent"], result["handoff"]) == ("person", True)
    assert result["article"] == "reset-password"

"""How the chatbot reads words: stems shared by a verb and its noun."""

from __future__ import annotations

import pytest

from chat.chatbot.text import stem


@pytest.mark.parametrize(
    ("noun", "verb"),
    [("verification", "verify"), ("identification", "identified"), ("notification", "notify")],
)
def test_a_noun_in_ification_matches_its_verb(noun: str, verb: str) -> None:
    assert stem(noun) == stem(verb)

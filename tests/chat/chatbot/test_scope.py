"""The in-scope test, apart from the confidence in one article (no database needed)."""

from __future__ import annotations

import pytest

from chat.chatbot.conversation import IN_SCOPE_CLOSENESS, MEANING_FROM, in_scope
from chat.chatbot.ranker import Ranked, Ranking


def ranking(
    closeness: float, *, has_meaning: bool = True, meaning: float = MEANING_FROM
) -> Ranking:
    return Ranking(
        [Ranked("a", 0.2, meaning=meaning), Ranked("b", 0.19)],
        coverage=1.0,
        content_words=3,
        key_words=("password",),
        has_meaning=has_meaning,
        closeness=closeness,
    )


@pytest.mark.parametrize(
    ("closeness", "expected"),
    [(IN_SCOPE_CLOSENESS, True), (0.9, True), (IN_SCOPE_CLOSENESS - 0.01, False), (0.0, False)],
)
def test_a_question_is_in_scope_when_its_meaning_is_close_to_the_guidance(
    closeness: float, expected: bool
) -> None:
    assert in_scope(ranking(closeness)) is expected


def test_close_to_one_sentence_but_near_no_article_as_a_whole_is_not_in_scope() -> None:
    """ "tell me a joke" may sit close to one short example question of unrelated guidance."""
    assert in_scope(ranking(0.9, meaning=MEANING_FROM))
    assert not in_scope(ranking(0.9, meaning=MEANING_FROM - 0.01))


def test_without_meaning_vectors_nothing_is_judged_in_scope_this_way() -> None:
    assert not in_scope(ranking(0.9, has_meaning=False))

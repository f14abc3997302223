"""The chatbot's meaning signal finds guidance for paraphrases, and is optional."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import pytest

from chat.chatbot import answer, semantic
from chat.chatbot.index import current_index, forget_index
from chat.chatbot.ranker import english_query, meaning_scores, rank
from chat.chatbot.text import document_terms
from selfhelp.actions import import_articles
from selfhelp.selectors import published_guidance

# Shares no content word with "Delete your GovSign account" (its title, summary, example
# questions or body): only what the words mean connects them.
PARAPHRASE = "how do i wipe my profile"
ARTICLE = "delete-your-account"


@pytest.fixture
def guidance(db: None) -> Iterator[None]:
    """The demo articles, published, and an index built from them (dropped afterwards)."""
    import_articles()
    forget_index()
    yield
    forget_index()


@pytest.fixture
def without_the_model(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As if the ``tokenizers`` package (which the model needs) were not installed."""
    monkeypatch.setitem(sys.modules, "tokenizers", None)
    semantic.forget_model()
    forget_index()
    yield
    monkeypatch.undo()
    semantic.forget_model()
    forget_index()


@pytest.mark.usefixtures("guidance")
def test_a_paraphrase_with_no_shared_words_finds_the_article() -> None:
    article = next(t for t in published_guidance() if t.slug == ARTICLE and t.language == "en")
    article_terms = set(document_terms(" ".join([article.title, article.summary, article.body])))
    article_terms.update(document_terms(" ".join(article.examples)))
    assert not set(document_terms(PARAPHRASE)) & article_terms

    english = current_index().languages["en"]
    closeness = meaning_scores(english, english_query(english, PARAPHRASE))
    assert english.slugs[int(closeness.argmax())] == ARTICLE

    # Meaning ranks the article first; it is not evidence enough for the bot to be sure.
    ranking = rank(current_index(), PARAPHRASE, "en")
    assert [r.slug for r in ranking.results[:1]] == [ARTICLE]


@pytest.mark.usefixtures("guidance", "without_the_model")
def test_without_the_model_the_bot_answers_from_words_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="chat.chatbot.semantic"):
        first = answer("how do I change my email")
        second = answer("forgot my pasword")

    assert first.article == "change-email-address"
    assert second.article == "reset-password"
    assert current_index().languages["en"].meaning is None
    assert [r.slug for r in rank(current_index(), PARAPHRASE, "en").results[:1]] != [ARTICLE]
    warnings = [r for r in caplog.records if r.name == "chat.chatbot.semantic"]
    assert len(warnings) == 1
    assert "unavailable" in warnings[0].getMessage()

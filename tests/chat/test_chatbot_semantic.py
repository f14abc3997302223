"""The chatbot's meaning signal finds guidance for paraphrases, and is optional."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import pytest

from chat.chatbot import answer, semantic, sentence_model
from chat.chatbot.conversation import strength_of
from chat.chatbot.index import current_index, forget_index, sentences_of
from chat.chatbot.ranker import english_query, meaning_scores, rank
from chat.chatbot.text import document_terms
from selfhelp.selectors import published_guidance

# Shares no content word with "Delete your GovSign account" (its title, summary, example
# questions or body): only what the words mean connects them.
PARAPHRASE = "how do i wipe my profile"
ARTICLE = "delete-your-account"


@pytest.fixture
def without_the_model(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As if the ``tokenizers`` package (which the models need) were not installed: neither
    the word vectors nor the sentence model load."""
    monkeypatch.setitem(sys.modules, "tokenizers", None)
    semantic.forget_model()
    sentence_model.forget_model()
    forget_index()
    yield
    monkeypatch.undo()
    semantic.forget_model()
    sentence_model.forget_model()
    forget_index()


@pytest.mark.usefixtures("guidance", "without_the_sentence_model")
def test_a_paraphrase_with_no_shared_words_finds_the_article() -> None:
    article = next(t for t in published_guidance() if t.slug == ARTICLE and t.language == "en")
    article_terms = set(document_terms(" ".join([article.title, article.summary, article.body])))
    article_terms.update(document_terms(" ".join(article.examples)))
    assert not set(document_terms(PARAPHRASE)) & article_terms

    english = current_index().languages["en"]
    assert english.sentence_meaning is None
    closeness = meaning_scores(english, english_query(english, PARAPHRASE))
    assert english.slugs[int(closeness.argmax())] == ARTICLE

    # Meaning ranks the article first (and, see below, counts towards how sure the bot is).
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


@pytest.mark.usefixtures("guidance")
def test_a_paraphrase_sharing_no_words_is_answered_not_declined() -> None:
    # Meaning and words agree on the article, so the bot gives it rather than saying it is
    # not sure (it used to hand these over as "low confidence").
    reply = answer(PARAPHRASE)

    assert reply.article == ARTICLE
    assert reply.intent in {"answer", "unsure"}
    assert not reply.handoff


@pytest.mark.usefixtures("guidance")
def test_a_detail_in_one_line_of_the_body_is_found_by_its_meaning() -> None:
    # "braille" is one item of a list in the accessibility article's body.
    reply = answer("can I get info in braille")

    assert reply.article == "accessibility-help"
    top = rank(current_index(), "can I get info in braille", "en").top
    assert top is not None
    assert top.slug == "accessibility-help"
    assert top.meaning > 0


@pytest.mark.usefixtures("guidance")
@pytest.mark.parametrize(
    "question",
    [
        "how do i get rid of ants in the kitchen",
        "whats a good name for a dog",
        "who won the match last night",
    ],
)
def test_out_of_scope_questions_sharing_a_word_are_still_declined(question: str) -> None:
    reply = answer(question)

    assert reply.article is None
    assert reply.intent in {"out_of_scope", "low_confidence"}


def test_words_without_meaning_are_doubted_and_meaning_alone_can_be_enough() -> None:
    # A clear match by words to an article that means something else (as when a question
    # shares everyday words with unrelated guidance) is worth less than half a clear match.
    assert strength_of(1.0, 0.0) < 0.5
    # A paraphrase close in meaning is a fair match with no words in common...
    assert strength_of(0.0, 0.45) > 0.7
    # ...and both together are surer than either.
    assert strength_of(0.5, 0.3) > max(strength_of(0.5, 0.0), strength_of(0.0, 0.3))
    # Without the model, words decide alone.
    assert strength_of(0.6, 0.0, has_meaning=False) == 0.6


def test_the_body_is_split_into_sentences_and_list_items_under_their_heading() -> None:
    body = (
        "Intro sentence one. Intro two!\n\n## Alternative formats\n\nYou can ask for:\n\n"
        "- large print\n- braille\n\n1. First step.\n"
    )

    assert sentences_of(body) == [
        "Intro sentence one.",
        "Intro two!",
        "Alternative formats: You can ask for:",
        "Alternative formats: large print",
        "Alternative formats: braille",
        "Alternative formats: First step.",
    ]


@pytest.mark.usefixtures("guidance")
def test_a_word_the_guidance_never_uses_reaches_its_nearest_guidance_words() -> None:
    from chat.chatbot.ranker import nearest_guidance_words

    english = current_index().languages["en"]
    assert "wedding" not in english.words
    neighbours = dict(nearest_guidance_words(english, "wedding"))
    assert "marriage" in neighbours
    assert all(0.5 <= similarity <= 1.0 for similarity in neighbours.values())
    query = english_query(english, "after my wedding")
    # A neighbour ranks, for less than a typed word, and does not make "wedding" known.
    assert 0 < query.weights[english.vocabulary["marriag"]] < 1.0
    assert "wed" not in query.expanded
    assert "wedding" not in query.expanded


@pytest.mark.usefixtures("guidance", "without_the_model")
def test_without_the_model_there_are_no_neighbours() -> None:
    from chat.chatbot.ranker import nearest_guidance_words

    assert nearest_guidance_words(current_index().languages["en"], "gmail") == []


@pytest.mark.usefixtures("guidance")
def test_closeness_finds_the_one_sentence_that_says_what_the_question_says() -> None:
    # (The model reads the question as typed: "bsl" alone it knows less well than the words.)
    near = rank(current_index(), "need a british sign language interpreter", "en")
    far = rank(current_index(), "give me stock tips", "en")
    assert near.closeness >= 0.55
    assert far.closeness < 0.4
    # The article as a whole is far from the question: its blended meaning alone would not
    # show that the question is about the service.
    assert near.closeness > max(r.meaning for r in near.results[:3]) + 0.3


@pytest.mark.usefixtures("guidance", "without_the_model")
def test_without_the_model_closeness_is_zero_and_nothing_is_suggested() -> None:
    ranking = rank(current_index(), "need a bsl interpreter", "en")
    assert ranking.closeness == 0.0
    assert answer("need a bsl interpreter").intent != "suggest"

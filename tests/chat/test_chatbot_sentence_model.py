"""The chatbot's sentence model: loads offline, reads meaning, is cached by text, is optional."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command

from chat.chatbot import answer, ranker, sentence_model
from chat.chatbot.index import current_index, forget_index
from chat.chatbot.ranker import english_query, rank, sentence_scores
from chat.chatbot.text import document_terms
from selfhelp.actions import add_example_question
from selfhelp.models import Article, TextMeaning
from selfhelp.selectors import published_guidance


def _cosine(a: str, b: str) -> float:
    vectors = sentence_model.encode_question([a, b])
    assert vectors is not None
    return float(vectors[0] @ vectors[1])


def test_the_model_loads_from_the_installed_package_and_matches_the_reference() -> None:
    # Similarities published for all-MiniLM-L6-v2 by sentence-transformers (its quickstart):
    # the numpy forward pass reproduces the reference model, not just something like it.
    assert sentence_model.encoder() is not None
    assert _cosine("The weather is lovely today.", "It's so sunny outside!") == pytest.approx(
        0.6660, abs=0.002
    )
    assert _cosine("The weather is lovely today.", "He drove to the stadium.") == pytest.approx(
        0.1046, abs=0.002
    )
    vectors = sentence_model.encode_question(["a", "a much longer sentence than the first"])
    assert vectors is not None
    assert vectors.shape == (2, sentence_model.DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_similar_sentences_are_closer_than_unrelated_ones() -> None:
    stolen = "someone nicked my mobile"
    assert _cosine(stolen, "my phone was stolen") > _cosine(stolen, "how do I cook pasta") + 0.3
    assert _cosine("I forgot my password", "how do I reset my password") > _cosine(
        "I forgot my password", "what is the capital of Australia"
    )


def test_a_batch_gives_the_same_vectors_as_one_text_at_a_time() -> None:
    # Padding in a batch must not change a text's vector.
    texts = ["short one", "a rather longer sentence about security codes by text message"]
    batch = sentence_model.encode_question(texts)
    alone = [sentence_model.encode_question([text]) for text in texts]
    assert batch is not None
    for row, single in zip(batch, alone, strict=True):
        assert single is not None
        assert np.allclose(row, single[0], atol=1e-5)


# Shares no content word with the article on deleting an account (its title, summary, example
# questions or body): only what the words mean connects them.
PARAPHRASE = "how do i wipe my profile"
ARTICLE = "delete-your-account"


@pytest.mark.usefixtures("guidance")
def test_a_paraphrase_with_no_shared_words_finds_the_right_article() -> None:
    article = next(t for t in published_guidance() if t.slug == ARTICLE and t.language == "en")
    article_terms = set(document_terms(" ".join([article.title, article.summary, article.body])))
    article_terms.update(document_terms(" ".join(article.examples)))
    assert not set(document_terms(PARAPHRASE)) & article_terms

    english = current_index().languages["en"]
    assert english.sentence_meaning is not None
    query = english_query(english, PARAPHRASE)
    assert query.sentence is not None
    closeness = sentence_scores(english, query.sentence)
    assert english.slugs[int(closeness.argmax())] == ARTICLE
    ranking = rank(current_index(), PARAPHRASE, "en")
    assert ranking.by_sentences
    assert [r.slug for r in ranking.results[:1]] == [ARTICLE]


class _Counting:
    """Records every text the model is asked to compute (not served from a cache)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.texts: list[str] = []
        model = sentence_model.encoder()
        assert model is not None
        compute = model.compute

        def counting(texts: Sequence[str]) -> np.ndarray:
            self.texts.extend(texts)
            return compute(texts)

        monkeypatch.setattr(model, "compute", counting)


@pytest.mark.usefixtures("guidance")
def test_a_long_message_is_read_once_clause_by_clause(monkeypatch: pytest.MonkeyPatch) -> None:
    current_index()
    counting = _Counting(monkeypatch)

    reply = answer(
        "Hi there, sorry to bother you, I've been trying all morning to get into the tax thing "
        "and it keeps asking me for a code that's meant to come by text but nothing ever shows "
        "up on my phone, I've restarted it twice and waited ages, what am I supposed to do?"
    )

    assert reply.article == "security-code-not-arriving"
    # One batch of its clauses (the whole message is their average, not read again).
    assert len(counting.texts) == 5
    assert "nothing ever shows up on my phone" in counting.texts
    assert not any(text.startswith("hi there") for text in counting.texts)


@pytest.mark.usefixtures("guidance")
def test_the_model_reads_the_citizens_own_words_with_misspellings_fixed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    current_index()
    counting = _Counting(monkeypatch)

    answer("whats your phone numbr")

    # Not the lexicon's keywords ("contact phone number"): the model knows how people say it.
    assert counting.texts == ["whats your phone number"]


def test_a_misspelling_in_an_example_question_is_still_a_misspelling() -> None:
    """Managers copy citizens' questions as typed; a rare word one edit from a common one is
    taken for its misspelling, not for a word of the guidance's own."""
    speller = ranker.Speller([("password", 40), ("pasword", 1), ("foi", 1), ("for", 90)])

    assert not speller.known("pasword")
    assert speller.correct("pasword") == "password"
    assert speller.correct("passwrd") == "password"  # not to the misspelling
    assert speller.known("foi")  # short: a word of its own (freedom of information)


@pytest.mark.usefixtures("guidance")
def test_a_misspelt_question_finds_the_article_although_an_example_has_the_misspelling() -> None:
    # The demo's reset-password article has the example "forgotten my pasword".
    reply = answer("i cant remember my pasword for govsign")

    assert reply.article == "reset-password"


def test_a_long_messages_vector_is_its_clauses_averaged_by_their_tokens() -> None:
    parts = ["my phone was stolen on friday night", "i cannot get the security codes"]
    vectors = sentence_model.encode_message_parts(parts)
    alone = sentence_model.encode_question(parts)
    assert vectors is not None
    assert alone is not None

    assert vectors.shape == (3, sentence_model.DIMENSIONS)
    assert np.allclose(vectors[1:], alone, atol=1e-5)
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0, abs=1e-5)
    # Closer to each clause than the clauses are to each other.
    assert min(vectors[0] @ alone[0], vectors[0] @ alone[1]) > alone[0] @ alone[1]


@pytest.mark.usefixtures("guidance")
def test_a_managers_edit_embeds_only_the_new_text(monkeypatch: pytest.MonkeyPatch) -> None:
    current_index()
    counting = _Counting(monkeypatch)
    article = Article.objects.get(slug="reset-password")

    add_example_question(article, "my secret word has gone out of my head", language="en")
    current_index()

    # The article's other texts, and every other article's, came from the cache.
    assert counting.texts == ["my secret word has gone out of my head"]


@pytest.mark.usefixtures("guidance")
def test_a_new_process_reads_the_vectors_kept_in_the_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The first process to see the guidance computes its vectors and keeps them.
    sentence_model.forget_vectors()
    current_index()
    assert TextMeaning.objects.count() > 100
    # As in a new process: nothing in memory, the model loaded again.
    sentence_model.forget_model()
    sentence_model.forget_vectors()
    forget_index()
    counting = _Counting(monkeypatch)

    current_index()

    assert counting.texts == []
    # The vectors read back work as well as computed ones.
    assert [r.slug for r in rank(current_index(), PARAPHRASE, "en").results[:1]] == [ARTICLE]


@pytest.mark.usefixtures("guidance")
def test_a_process_that_already_knows_the_vectors_still_keeps_them_in_a_new_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # This process computed the vectors before (for another database, say: a test run or a
    # restored backup) and has them all in memory; this database has none of them.
    current_index()
    TextMeaning.objects.all().delete()
    forget_index()
    counting = _Counting(monkeypatch)

    current_index()

    # Kept from memory, nothing computed: Daphne's first answer can read them back.
    assert counting.texts == []
    assert TextMeaning.objects.count() > 100


@pytest.mark.usefixtures("guidance")
def test_an_unchanged_index_takes_the_vectors_this_process_now_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The guidance is the same, but the vector this process holds for one of its texts is not
    # the one the index was built with (forgotten and read back from elsewhere, say).
    english = current_index().languages["en"]
    assert english.sentence_meaning is not None
    title = english.titles[0]
    held = english.sentence_meaning.short[0].copy()
    monkeypatch.setitem(sentence_model._vectors, sentence_model.digest(title), -held)
    forget_index()

    rebuilt = current_index().languages["en"]

    assert rebuilt.sentence_meaning is not None
    assert np.array_equal(rebuilt.sentence_meaning.short[0], -held)
    assert rebuilt.slugs == english.slugs


@pytest.mark.usefixtures("guidance")
def test_prepare_assistant_keeps_every_vector_before_the_first_question() -> None:
    TextMeaning.objects.all().delete()
    out = StringIO()

    call_command("prepare_assistant", stdout=out)

    assert "Assistant ready: " in out.getvalue()
    kept = TextMeaning.objects.count()
    assert kept > 100
    # Run again, it finds everything kept and adds nothing.
    call_command("prepare_assistant", stdout=StringIO())
    assert TextMeaning.objects.count() == kept


@pytest.mark.usefixtures("guidance", "without_the_sentence_model")
def test_without_the_model_the_bot_still_answers_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="chat.chatbot.sentence_model"):
        first = answer("how do I change my email")
        second = answer("forgot my pasword")
        third = answer("what's the weather tomorrow")

    assert first.article == "change-email-address"
    assert second.article == "reset-password"
    assert third.intent == "out_of_scope"
    english = current_index().languages["en"]
    assert english.sentence_meaning is None
    assert english.meaning is not None  # the word vectors still rank
    assert not rank(current_index(), "how do I change my email", "en").by_sentences
    warnings = [r for r in caplog.records if r.name == "chat.chatbot.sentence_model"]
    assert len(warnings) == 1
    assert "unavailable" in warnings[0].getMessage()


@pytest.mark.usefixtures("guidance")
def test_words_the_guidance_does_not_use_do_not_rule_out_a_question_the_model_understood() -> None:
    """Most of "hurt my credit rating" is not in the guidance's words, but its meaning is close
    to the online check's sentence about credit scores: in scope, so the bot offers articles
    instead of saying it only helps with GovSign."""
    reply = answer("will this hurt my credit rating")

    assert reply.intent != "out_of_scope"
    assert "prove-identity-online" in [reply.article, *reply.alternatives][:3]


@pytest.mark.usefixtures("guidance")
def test_close_articles_are_told_apart_by_what_they_do_not_share(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ "number to call you" shares "number" with the article on the phone number for security
    codes, and its plain cosines are close to both; with what the best articles have in common
    set aside, what is left (calling someone) is the contact article's. (The article classifier
    also learns what sets them apart, so it is left out here to see this on its own.)"""
    question = "number to call you"
    monkeypatch.setattr(ranker, "CLASSIFIER_WEIGHT", 0.0)
    assert rank(current_index(), question, "en").results[0].slug == "contact-us"

    monkeypatch.setattr(ranker, "SIBLING_WEIGHT", 0.0)
    assert rank(current_index(), question, "en").results[0].slug != "contact-us"


@pytest.mark.usefixtures("guidance")
def test_telling_siblings_apart_changes_only_their_order(monkeypatch: pytest.MonkeyPatch) -> None:
    # A question the plain scores put in the wrong order, so that the step has something to do.
    # ("waiting ages for the text with the number" was one until the security-code article got
    # more citizen-style example questions: plain scores now put that article first already.)
    # The article classifier is left out: it puts this one right on its own.
    question = "number to call you"
    monkeypatch.setattr(ranker, "CLASSIFIER_WEIGHT", 0.0)
    apart = rank(current_index(), question, "en").results
    monkeypatch.setattr(ranker, "SIBLING_WEIGHT", 0.0)
    plain = rank(current_index(), question, "en").results

    assert apart[0].slug != plain[0].slug
    first = ranker.SIBLINGS
    assert {r.slug for r in apart[:first]} == {r.slug for r in plain[:first]}
    # The bot's certainty (the scores' gaps) is unchanged: the same scores, best first.
    assert [r.score for r in apart] == [r.score for r in plain]
    assert apart[first:] == plain[first:]
    by_slug = {r.slug: r for r in plain}
    assert all((r.evidence, r.meaning) == (by_slug[r.slug].evidence, by_slug[r.slug].meaning)
               for r in apart)  # fmt: skip


@pytest.mark.usefixtures("guidance")
def test_each_article_has_the_average_of_its_sentence_vectors() -> None:
    english = current_index().languages["en"]
    meaning = english.sentence_meaning
    assert meaning is not None
    assert meaning.centroids.shape == (len(english.slugs), sentence_model.DIMENSIONS)
    np.testing.assert_allclose(np.linalg.norm(meaning.centroids, axis=1), 1.0, rtol=1e-5)
    article = english.slugs.index("reset-password")
    texts = np.vstack(
        [
            meaning.short[english.short_article == article],
            meaning.summaries[article : article + 1],
            meaning.sentences[english.sentence_article == article],
        ]
    ).mean(axis=0)
    np.testing.assert_allclose(meaning.centroids[article], texts / np.linalg.norm(texts), atol=1e-5)

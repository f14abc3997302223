"""The article classifier: which article a question is about, learnt from all of each article's
titles, summaries and example questions at once (``chat.chatbot.articles``)."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.cache import cache
from sklearn.linear_model import LogisticRegression

from chat.chatbot import articles, ranker, sentence_model
from chat.chatbot.index import current_index
from chat.chatbot.ranker import rank
from selfhelp.actions import add_example_question
from selfhelp.models import Article


def _unit_rows(rows: int, dimensions: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(rows, dimensions))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.mark.parametrize("classes", [2, 4])
def test_its_probabilities_are_the_fitted_models_placed_on_the_indexs_articles(
    classes: int,
) -> None:
    vectors = _unit_rows(40, 8, seed=classes)
    # Articles 0, 2, ... of an index of 2 * classes: the others have nothing to learn from.
    owners = np.repeat(np.arange(classes) * 2, 40 // classes)
    reference = LogisticRegression(C=articles.REGULARISATION, max_iter=articles.MAX_ITERATIONS)
    reference.fit(vectors, owners)

    slugs = [f"article-{classes}-{i}" for i in range(2 * classes)]
    articles.forget_fits()  # fitted from nothing, as the reference is
    cache.delete(articles._cache_key(vectors, owners, slugs))
    model = articles.fit(vectors, owners, slugs)

    assert model is not None
    got = model.probabilities(vectors[3], 2 * classes)
    assert got.sum() == pytest.approx(1.0)
    assert np.allclose(got[::2], reference.predict_proba(vectors[3:4])[0], atol=1e-5)
    assert not got[1::2].any()


def test_one_article_has_nothing_to_tell_apart() -> None:
    assert articles.fit(_unit_rows(5, 8, seed=1), np.zeros(5, dtype=np.int64), ["only"]) is None


def test_a_model_fitted_once_is_read_back_from_the_shared_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another process with the same guidance (a restart, a second Daphne) does not fit it
    again; different guidance is a different model."""
    vectors, owners = _unit_rows(30, 8, seed=7), np.repeat([0, 1, 2], 10)
    slugs = ["cached-a", "cached-b", "cached-c"]
    cache.delete(articles._cache_key(vectors, owners, slugs))
    fitted = articles.fit(vectors, owners, slugs)
    assert fitted is not None

    def no_fitting(*args: object, **kwargs: object) -> None:
        raise AssertionError("fitted again")

    monkeypatch.setattr(LogisticRegression, "fit", no_fitting)
    articles.forget_fits()  # as a new process
    again = articles.fit(vectors, owners, slugs)

    assert again is not None
    assert np.array_equal(again.weights, fitted.weights)
    # A refit after an edit starts from the model read back, as from one fitted here.
    start = articles._starting_point(slugs)
    assert start is not None
    assert np.allclose(start[0], fitted.weights.T)
    with pytest.raises(AssertionError, match="fitted again"):
        articles.fit(vectors, owners, ["cached-a", "cached-b", "renamed"])


def test_a_refit_after_an_edit_starts_from_the_last_fit() -> None:
    """Each article keeps its weights from the last fit; a new article starts from nothing."""
    vectors, owners = _unit_rows(30, 8, seed=8), np.repeat([0, 1, 2], 10)
    articles.forget_fits()
    assert articles._starting_point(["warm-a", "warm-b", "warm-c"]) is None
    cache.delete(articles._cache_key(vectors, owners, ["warm-a", "warm-b", "warm-c"]))
    fitted = articles.fit(vectors, owners, ["warm-a", "warm-b", "warm-c"])
    assert fitted is not None

    start = articles._starting_point(["warm-b", "new", "warm-a"])

    assert start is not None
    coef, intercept = start
    assert np.allclose(coef[0], fitted.weights[:, 1])
    assert np.allclose(coef[2], fitted.weights[:, 0])
    assert not coef[1].any()
    assert intercept[1] == 0
    assert intercept[0] == pytest.approx(fitted.bias[1])


@pytest.mark.usefixtures("guidance")
def test_every_published_english_article_is_a_class() -> None:
    english = current_index().languages["en"]

    assert english.article_model is not None
    assert list(english.article_model.articles) == list(range(len(english.slugs)))
    assert current_index().languages["cy"].article_model is None


@pytest.mark.usefixtures("guidance")
def test_it_puts_right_what_the_nearest_text_gets_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    """ "number to call you" is nearest, text by text, to the article on the phone number for
    security codes; learnt from all their texts, the contact article is the likelier (the
    siblings step, which also fixes it, is left out to see the classifier alone)."""
    question = "number to call you"
    monkeypatch.setattr(ranker, "SIBLING_WEIGHT", 0.0)
    assert rank(current_index(), question, "en").results[0].slug == "contact-us"

    monkeypatch.setattr(ranker, "CLASSIFIER_WEIGHT", 0.0)
    assert rank(current_index(), question, "en").results[0].slug != "contact-us"


@pytest.mark.usefixtures("guidance")
def test_a_managers_new_example_question_is_learnt_at_once() -> None:
    question = "the robot gave me a riddle instead of a form"
    vector = sentence_model.encode_question([question])
    assert vector is not None

    def likelihood() -> float:
        english = current_index().languages["en"]
        assert english.article_model is not None
        position = english.slugs.index("freedom-of-information-request")
        return float(english.article_model.probabilities(vector[0], len(english.slugs))[position])

    before = likelihood()
    add_example_question(Article.objects.get(slug="freedom-of-information-request"), question)

    assert likelihood() > max(0.5, before)

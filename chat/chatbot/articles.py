"""Which article a question is about, by a classifier on the sentence model's vectors.

The nearest title or example question (``ranker._sentence_scores``) judges a question by one
text at a time: a question worded like one example of the wrong article beats the right one,
whose twenty examples each share only part of it. A classifier learns from all of an article's
texts at once what sets it apart from the others: logistic regression, one class an article, on
the vectors of its title, summary and example questions. On questions written the way citizens
type, it put the right article first more often than the nearest text did (on the tuning sets'
held-out questions 0.97 against 0.89, on fresh questions 0.90 against 0.88), and its errors are
different ones, so the ranker adds it to the other signals.

It is fitted when the English index is built (a manager's new example question counts at once)
and costs one small matrix product per question. Fitting takes about 0.2 s for the demo's 30
articles and about 12 s of one core for 1,000, so it is not done more often than it must:

- a process that fits it keeps it in the shared cache (Redis in production), under a digest of
  what it learnt from, and another process, or a restart, with the same guidance reads it back;
- after an edit, the fit starts from the last one made in this process (each article keeps its
  weights, a new one starts from nothing), and a few steps take it to the new answer.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import sklearn
from django.core.cache import cache

if TYPE_CHECKING:
    from sklearn.linear_model import LogisticRegression

logger = logging.getLogger(__name__)

# Regularisation (scikit-learn's C, inverse). The vectors are of unit length, so the weights
# must be large to separate articles at all; 8 to 32 score alike on the tuning sets.
REGULARISATION = 16.0
MAX_ITERATIONS = 500
# How long a fitted model stays in the shared cache: guidance that changed has a new digest,
# and the old model is left to expire.
CACHE_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class ArticleModel:
    """A fitted linear classifier: a column of weights and a bias per article."""

    weights: np.ndarray  # float32, (dimensions, articles)
    bias: np.ndarray  # float32, (articles,)
    # The index's article (its row) each class stands for.
    articles: np.ndarray

    def probabilities(self, vector: np.ndarray, size: int) -> np.ndarray:
        """0 to 1 per article of the index (``size`` of them, adding up to 1): how likely
        the question (its unit-length sentence vector) is about each."""
        logits = np.einsum("i,ij->j", vector.astype(np.float32), self.weights) + self.bias
        logits = logits.astype(np.float64)
        exp = np.exp(logits - logits.max())
        result = np.zeros(size)
        result[self.articles] = exp / exp.sum()
        return result


def fit(vectors: np.ndarray, owners: np.ndarray, slugs: Sequence[str]) -> ArticleModel | None:
    """The classifier of ``vectors`` (unit-length rows) by ``owners`` (each row's article, a
    row of ``slugs``); None with fewer than two articles, where there is nothing to tell apart.
    """
    classes = np.unique(owners)
    if len(classes) < 2:
        return None
    key = _cache_key(vectors, owners, slugs)
    cached = _cached(key)
    if cached is not None:
        _remember(cached, slugs)  # a refit after an edit starts from it, as from one made here
        return cached
    model = classifier()
    model.warm_start = True
    start = _starting_point([slugs[c] for c in classes]) if len(classes) > 2 else None
    if start is not None:
        model.coef_, model.intercept_ = start
    model.fit(vectors, owners)
    coef = np.asarray(model.coef_, dtype=np.float32)
    intercept = np.asarray(model.intercept_, dtype=np.float32)
    if len(classes) == 2:  # scikit-learn keeps one row for two classes: the second's odds
        coef = np.vstack([-coef / 2, coef / 2])
        intercept = np.r_[-intercept / 2, intercept / 2].astype(np.float32)
    fitted = ArticleModel(np.ascontiguousarray(coef.T), intercept, classes.astype(np.int64))
    _remember(fitted, slugs)
    _keep(key, fitted)
    return fitted


def classifier() -> LogisticRegression:
    """A new, unfitted classifier with the settings the article model is fitted with."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=REGULARISATION, max_iter=MAX_ITERATIONS)


def _cache_key(vectors: np.ndarray, owners: np.ndarray, slugs: Sequence[str]) -> str:
    """A digest of everything the fit depends on: the rows, whose each is, the articles'
    slugs, the settings and scikit-learn's version."""
    digest = hashlib.sha1(usedforsecurity=False)
    settings = f"{REGULARISATION}|{MAX_ITERATIONS}|{sklearn.__version__}|{vectors.dtype}"
    for part in (settings, "\n".join(slugs)):
        digest.update(part.encode())
    digest.update(np.ascontiguousarray(vectors).tobytes())
    digest.update(np.ascontiguousarray(owners, dtype=np.int64).tobytes())
    return f"chatbot:article-model:{digest.hexdigest()}"


def _cached(key: str) -> ArticleModel | None:
    try:
        found = cache.get(key)
    except Exception:  # the cache is a shortcut: without it, the model is fitted here
        logger.warning("Could not read the article classifier from the cache", exc_info=True)
        return None
    return found if isinstance(found, ArticleModel) else None


def _keep(key: str, model: ArticleModel) -> None:
    try:
        cache.set(key, model, CACHE_SECONDS)
    except Exception:
        logger.warning("Could not keep the article classifier in the cache", exc_info=True)


# The last fit in this process, by slug: (weights, bias) of each article.
_last: dict[str, tuple[np.ndarray, float]] = {}
_last_lock = threading.Lock()


def _remember(model: ArticleModel, slugs: Sequence[str]) -> None:
    weights = {
        slugs[article]: (model.weights[:, i].copy(), float(model.bias[i]))
        for i, article in enumerate(model.articles)
    }
    with _last_lock:
        _last.clear()
        _last.update(weights)


def _starting_point(classes: Sequence[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """(coefficients, intercepts) in scikit-learn's shapes for ``classes`` (slugs): each
    article's from the last fit, zeros for an article it did not have; None without one."""
    with _last_lock:
        last = dict(_last)
    if not last or not any(slug in last for slug in classes):
        return None
    dimensions = next(iter(last.values()))[0].shape[0]
    coef = np.zeros((len(classes), dimensions))
    intercept = np.zeros(len(classes))
    for i, slug in enumerate(classes):
        if slug in last:
            coef[i], intercept[i] = last[slug]
    return coef, intercept


def forget_fits() -> None:
    """Start the next fit from nothing (tests use this to act as a new process)."""
    with _last_lock:
        _last.clear()

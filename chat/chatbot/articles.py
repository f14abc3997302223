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
and costs one small matrix product per question.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Regularisation (scikit-learn's C, inverse). The vectors are of unit length, so the weights
# must be large to separate articles at all; 8 to 32 score alike on the tuning sets.
REGULARISATION = 16.0
MAX_ITERATIONS = 500


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


def fit(vectors: np.ndarray, owners: np.ndarray) -> ArticleModel | None:
    """The classifier of ``vectors`` (unit-length rows) by ``owners`` (each row's article);
    None with fewer than two articles, where there is nothing to tell apart."""
    classes = np.unique(owners)
    if len(classes) < 2:
        return None
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=REGULARISATION, max_iter=MAX_ITERATIONS)
    model.fit(vectors, owners)
    coef = np.asarray(model.coef_, dtype=np.float32)
    intercept = np.asarray(model.intercept_, dtype=np.float32)
    if len(classes) == 2:  # scikit-learn keeps one row for two classes: the second's odds
        coef = np.vstack([-coef / 2, coef / 2])
        intercept = np.r_[-intercept / 2, intercept / 2].astype(np.float32)
    return ArticleModel(np.ascontiguousarray(coef.T), intercept, model.classes_.astype(np.int64))

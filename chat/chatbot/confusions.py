"""Which articles the chatbot mixes up, and on which of their example questions.

Managers teach the bot with example questions; this says where more are needed. Each title and
example question is set aside in turn (in ``FOLDS`` groups), the article classifier
(``articles``) is fitted on the rest, and asked which article the set-aside text is about. A
question taken for another article is one that citizens asking it that way are likely to get
the wrong answer to: the two articles need examples that tell them apart, hinging on what only
one of them says. Most pairs are siblings (proving your identity and the check that failed;
fraud and scam messages).

This is how the demo's sibling examples were chosen (docs/chatbot.md), and it is an operator's
check, not a page: it fits the classifier ``FOLDS`` times, about a second for the demo's
articles and about a minute for 1,000. Reads only; nothing is stored.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from . import articles
from .index import current_index

FOLDS = 5


class ConfusionsUnavailable(Exception):
    """The English guidance has no sentence vectors (the model is missing) or too few articles."""


@dataclass(frozen=True)
class Confusion:
    """Questions of ``article`` that the bot would take for ``taken_for``."""

    article: str
    taken_for: str
    questions: tuple[str, ...]


def confused_articles() -> list[Confusion]:
    """Every (article, taken for) pair with at least one question, most questions first."""
    index = current_index().languages.get("en")
    meaning = index.sentence_meaning if index is not None else None
    if index is None or meaning is None or len(set(index.short_article.tolist())) < 2:
        raise ConfusionsUnavailable(
            "Needs English guidance with at least two published articles and the sentence model."
        )
    predicted = _held_out_predictions(meaning.short, index.short_article)
    mixed: dict[tuple[str, str], list[str]] = defaultdict(list)
    for text, owner, guess in zip(index.short_texts, index.short_article, predicted, strict=True):
        if guess != owner:
            mixed[index.slugs[owner], index.slugs[guess]].append(text)
    return sorted(
        (Confusion(a, b, tuple(questions)) for (a, b), questions in mixed.items()),
        key=lambda c: (-len(c.questions), c.article, c.taken_for),
    )


def _held_out_predictions(vectors: np.ndarray, owners: np.ndarray) -> np.ndarray:
    """Each row's article as the classifier fitted without its fold predicts it."""
    from sklearn.model_selection import KFold, cross_val_predict

    folds = KFold(n_splits=min(FOLDS, len(owners)), shuffle=True, random_state=0)
    return np.asarray(cross_val_predict(articles.classifier(), vectors, owners, cv=folds))

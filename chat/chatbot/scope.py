"""Is a question about GovSign at all? A classifier on the sentence model's vectors.

Words and closeness cannot tell "my bank card has been blocked" from "my account is locked":
both are short, share everyday words with the guidance and sit as close to its example
questions as a slang question about the service does. So the index also learns, by logistic
regression on the questions' sentence vectors, what GovSign questions look like (the published
guidance's titles and example questions) against what they do not (``data/out_of_scope.txt``:
questions about banks, parcels, phone bills, councils, the NHS, driving, travel, benefits and
chit-chat that citizens send to the wrong service, many sharing the guidance's words). It is
fitted when the English index is built, in a few tens of milliseconds, and costs one dot
product per question.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

NOT_GOVSIGN = Path(__file__).parent / "data" / "out_of_scope.txt"
# Regularisation (scikit-learn's C, inverse): the vectors are of unit length, so weights must
# be large to separate them at all; fitted on the tuning sets.
REGULARISATION = 4.0


@lru_cache(maxsize=1)
def not_govsign_questions() -> tuple[str, ...]:
    """The questions the bot knows are not about GovSign (comments and blank lines left out)."""
    lines = NOT_GOVSIGN.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@dataclass(frozen=True)
class ScopeModel:
    """A fitted linear boundary between GovSign questions and others."""

    weights: np.ndarray  # float32, one per dimension of the sentence vectors
    bias: float

    def probability(self, vector: np.ndarray) -> float:
        """0 to 1: how likely the question (its unit-length sentence vector) is about GovSign."""
        return float(1.0 / (1.0 + np.exp(-(float(vector @ self.weights) + self.bias))))


def fit(govsign: np.ndarray, others: np.ndarray) -> ScopeModel | None:
    """The boundary between ``govsign`` rows and ``others`` rows, each class weighed alike
    (the guidance may have ten times as many questions as the list of others, or a tenth)."""
    if not len(govsign) or not len(others):
        return None
    from sklearn.linear_model import LogisticRegression

    vectors = np.vstack([govsign, others])
    labels = np.r_[np.ones(len(govsign)), np.zeros(len(others))]
    model = LogisticRegression(C=REGULARISATION, class_weight="balanced", max_iter=1000)
    model.fit(vectors, labels)
    return ScopeModel(np.asarray(model.coef_[0], dtype=np.float32), float(model.intercept_[0]))

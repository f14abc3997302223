"""The trained topic classifier: TF-IDF over words and characters, then logistic regression.

It learns from the labelled messages in ``routing/training/*.jsonl`` (one JSON object a line:
``text``, ``topic`` and optionally ``language``). Training is deterministic, offline and takes
well under two seconds, so each process trains once, lazily, on first use.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from routing.choices import Topic
from routing.rules import normalise, without_negated

TRAINING_DIR = Path(__file__).resolve().parent / "training"


@dataclass(frozen=True)
class Example:
    text: str
    topic: str
    language: str = "en"


def load_examples(directory: Path = TRAINING_DIR) -> list[Example]:
    examples = []
    for path in sorted(directory.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if row["topic"] not in Topic.values:
                raise ValueError(f"{path.name}:{number}: unknown topic {row['topic']!r}")
            examples.append(Example(row["text"], row["topic"], row.get("language", "en")))
    return examples


def meaning(text: str) -> str:
    """What the model reads: the normalised text without the topics the citizen rules out."""
    return without_negated(normalise(text))


class TextTopicModel:
    """Topic probabilities for texts. Build with ``train``."""

    def __init__(self, pipeline: Any) -> None:
        self._pipeline = pipeline
        self.labels: list[str] = [str(label) for label in pipeline.classes_]

    @classmethod
    def train(cls, examples: Iterable[Example]) -> TextTopicModel:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        rows = list(examples)
        features = make_union(
            TfidfVectorizer(preprocessor=meaning, ngram_range=(1, 2), sublinear_tf=True, min_df=1),
            TfidfVectorizer(
                preprocessor=meaning, analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True
            ),
        )
        # Newton-CG reaches the same (convex) optimum as the default solver, several times faster.
        model = LogisticRegression(
            C=50.0, max_iter=3000, class_weight="balanced", solver="newton-cg"
        )
        pipeline = make_pipeline(features, model)
        pipeline.fit([row.text for row in rows], [row.topic for row in rows])
        return cls(pipeline)

    def probabilities(self, texts: list[str]) -> list[dict[str, float]]:
        matrix = self._pipeline.predict_proba(texts)
        return [dict(zip(self.labels, map(float, row), strict=True)) for row in matrix]

    def predict(self, texts: list[str]) -> list[str]:
        return [str(label) for label in self._pipeline.predict(texts)]


_lock = threading.Lock()
_model: TextTopicModel | None = None


def default_model() -> TextTopicModel:
    """The model trained on the examples in the repository, trained once per process."""
    global _model
    with _lock:
        if _model is None:
            _model = TextTopicModel.train(load_examples())
        return _model

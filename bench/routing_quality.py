"""Routing quality: how often the classifier and the policy get a citizen's first message right.

Measured on ``routing/evaluation/holdout.jsonl``, messages written independently of the training
examples (never copy them into ``routing/training/``), and by 5-fold cross-validation of the
trained classifier on the training examples. Pure: the demo policy, rules and opening hours,
with the scheduled staff signed in during opening hours (as ``manage.py route`` assumes), so no
database is needed. Prints one JSON object; ``--misses`` also lists the wrong decisions.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcentre.settings")

import django

django.setup()

from routing.evaluation import HOLDOUT, demo_policy, evaluate  # noqa: E402


def cross_validated_accuracy(folds: int = 5) -> float:
    """Topic accuracy of the trained model alone, each example predicted by a model that did not
    learn from it (stratified folds, fixed seed)."""
    from sklearn.model_selection import StratifiedKFold

    from routing.classifier import TextTopicModel, load_examples

    examples = load_examples()
    topics = [e.topic for e in examples]
    right = 0
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train, test in splitter.split(examples, topics):
        model = TextTopicModel.train([examples[i] for i in train])
        predicted = model.predict([examples[i].text for i in test])
        right += sum(p == examples[i].topic for p, i in zip(predicted, test, strict=True))
    return right / len(examples)


def main() -> int:
    from routing.classifier import TextTopicModel, load_examples

    started = time.perf_counter()
    TextTopicModel.train(load_examples())
    training_seconds = time.perf_counter() - started
    report = evaluate(HOLDOUT, demo_policy())
    by_topic: dict[str, Counter[str]] = defaultdict(Counter)
    for result in report.results:
        by_topic[result.expected_topic][result.topic] += 1
    accuracy = {
        topic: round(counts[topic] / sum(counts.values()), 3) for topic, counts in by_topic.items()
    }
    worst = sorted(accuracy, key=accuracy.__getitem__)[:4]
    figures: dict[str, Any] = {
        "holdout_messages": len(report.results),
        "topic_accuracy": round(report.topic_accuracy, 3),
        "decision_match_rate": round(report.decision_match_rate, 3),
        "field_match_rate": {k: round(v, 3) for k, v in report.field_match_rates.items()},
        "topic_accuracy_by_topic": dict(sorted(accuracy.items())),
        "worst_topics_confusion": {topic: dict(by_topic[topic].most_common()) for topic in worst},
        "cross_validated_model_accuracy": round(cross_validated_accuracy(), 3),
        "training_examples": len(load_examples()),
        "training_seconds": round(training_seconds, 2),
    }
    print(json.dumps(figures))
    if "--misses" in sys.argv:
        for result in report.results:
            if not result.decision_matches:
                at = datetime.fromisoformat(result.case["at"])
                print(
                    f"{result.expected_topic:>13} -> {result.topic:<13} {at:%a %d %b %H:%M%z} "
                    f"{result.case['text'][:90]!r} got {result.got}",
                    file=sys.stderr,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""An honest measure of routing quality: first messages written apart from the training examples.

``holdout.jsonl`` holds one case a line, in the format of ``routing_examples.jsonl``: ``text``,
``at``, optionally ``language``, ``form``, ``needs`` and ``repeat_contact``, the ``topic`` whose
route should decide, and the ``expected`` decision fields. Never copy these messages (or near
copies) into ``routing/training/``: then the figures would measure memory, not understanding.

Pure: the demo policy, rules and opening hours, with the scheduled staff signed in during opening
hours, as ``manage.py route`` assumes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any

from routing.hours import Closure, OpeningHours, Session, is_open, next_opening
from routing.policy import (
    DEFAULT_ROUTES,
    Availability,
    ContactDescription,
    PolicyConfig,
    QueueAvailability,
    decide,
)
from routing.rules import Rule

HOLDOUT = Path(__file__).resolve().parent / "holdout.jsonl"
DECISION_FIELDS = ("destination", "queue", "priority", "form")


def load_cases(path: Path = HOLDOUT) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def demo_hours() -> OpeningHours:
    """The demo's live-agent hours: weekdays 08:00-20:00 UK time, closing early on 24 December."""
    from routing.demo import EARLY_CLOSES, WORKING_DAYS

    return OpeningHours(
        timezone="Europe/London",
        sessions=tuple(Session(day, time(8), time(20)) for day in WORKING_DAYS),
        closures=tuple(Closure(starts, ends) for starts, ends in EARLY_CLOSES),
    )


def demo_policy() -> PolicyConfig:
    from routing.classifier import default_model
    from routing.demo import DEMO_RULES

    rules = tuple(Rule(name, kind, pattern, topic) for name, kind, topic, pattern in DEMO_RULES)
    return PolicyConfig(routes=DEFAULT_ROUTES, rules=rules, model=default_model())


def staffed_availability(hours: OpeningHours, now: datetime) -> Availability:
    """Every queue with one agent signed in while open, as the ``route`` command assumes."""
    open_now = is_open(hours, now)
    opening = None if open_now else next_opening(hours, now)
    return Availability(
        {
            route.queue: QueueAvailability(
                route.queue, open_now, opening, agents_available=1 if open_now else 0
            )
            for route in DEFAULT_ROUTES.values()
            if route.queue
        }
    )


@dataclass(frozen=True)
class CaseResult:
    case: dict[str, Any]
    topic: str
    got: dict[str, Any]

    @property
    def expected_topic(self) -> str:
        return str(self.case["topic"])

    def field_matches(self, name: str) -> bool | None:
        expected = self.case["expected"]
        return expected[name] == self.got[name] if name in expected else None

    @property
    def decision_matches(self) -> bool:
        return all(self.field_matches(name) is not False for name in DECISION_FIELDS)


@dataclass(frozen=True)
class Report:
    results: list[CaseResult]

    @property
    def topic_accuracy(self) -> float:
        return sum(r.topic == r.expected_topic for r in self.results) / len(self.results)

    @property
    def decision_match_rate(self) -> float:
        return sum(r.decision_matches for r in self.results) / len(self.results)

    @property
    def field_match_rates(self) -> dict[str, float]:
        rates = {}
        for name in DECISION_FIELDS:
            checked = [r.field_matches(name) for r in self.results]
            counted = [match for match in checked if match is not None]
            rates[name] = sum(counted) / len(counted)
        return rates


def evaluate(cases: Iterable[dict[str, Any]] | Path, config: PolicyConfig) -> Report:
    """Decide each case with ``config`` and the demo hours, and compare with what it expects."""
    rows = load_cases(cases) if isinstance(cases, Path) else list(cases)
    hours = demo_hours()
    results = []
    for case in rows:
        now = datetime.fromisoformat(case["at"])
        description = ContactDescription(
            text=case["text"],
            language=case.get("language", "en"),
            form=case.get("form", ""),
            repeat_contact=bool(case.get("repeat_contact", False)),
            needs=frozenset(case.get("needs", ())),
        )
        decision = decide(description, now, staffed_availability(hours, now), config)
        results.append(CaseResult(case, decision.topic, decision.as_dict()))
    return Report(results)

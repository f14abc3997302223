"""Manager-written classification rules, as plain data: phrases and patterns that name a topic.

Pure: the rules come from the database through ``selectors.policy_config``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from routing.choices import RuleKind


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    pattern: str
    topic: str
    compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "compiled", compile_rule(self.kind, self.pattern))

    def matches(self, normalised_text: str) -> bool:
        return self.compiled.search(normalised_text) is not None


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, single spaces: what rules and the classifier see."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return " ".join(text.split())


# "not a complaint, just a question", "I don't need a person", "I don't think it's fraud but":
# the words a citizen rules out, up to the end of the clause. Only these forms count: "can't
# sign in" or "never asked for a code" are the problem itself, not a topic ruled out.
_CLAUSE = r"(?:(?!\b(?:but|just|only|though|however)\b)[^.,;:!?])*"
_NEGATED = re.compile(
    r"\b(?:do not|does not|did not|don't|doesn't|didn't|dont)\s+(?:really\s+)?"
    r"(?:need|want|think|believe|mean)\b"
    + _CLAUSE
    + r"|\bno need (?:for|to)\b"
    + _CLAUSE
    + r"|\bnot (?:a|an|about|asking|complaining|reporting|trying|looking|after)\b"
    + _CLAUSE
)


def without_negated(normalised_text: str) -> str:
    """The text without the clauses that rule a topic out (on ``normalise``d text)."""
    return _NEGATED.sub(" ", normalised_text)


@lru_cache(maxsize=1024)
def compile_rule(kind: str, pattern: str) -> re.Pattern[str]:
    """A phrase rule holds one phrase a line; each matches as whole words in any case."""
    if kind == RuleKind.PHRASE:
        phrases = [normalise(line) for line in pattern.splitlines() if line.strip()]
        if not phrases:
            return re.compile(r"(?!)")
        alternatives = "|".join(re.escape(phrase) for phrase in phrases)
        return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
    return re.compile(pattern, re.IGNORECASE)


def matching_rules(rules: tuple[Rule, ...], text: str) -> list[Rule]:
    meaning = without_negated(normalise(text))
    return [rule for rule in rules if rule.matches(meaning)]

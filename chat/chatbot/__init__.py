"""The chatbot: answers citizens from published self-help guidance, and knows when to hand over.

This is the interface the chat flow calls. ``answer`` is pure with respect to the conversation:
it reads published articles, never writes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from selfhelp.models import ArticleStatus, ArticleTranslation


@dataclass(frozen=True)
class BotTurn:
    """One earlier exchange in the conversation, so the bot can tell a second "no"."""

    question: str
    reply: BotReply


@dataclass(frozen=True)
class BotReply:
    text: str
    article: str | None = None
    alternatives: list[str] = field(default_factory=list)
    confidence: float = 0.0
    handoff: bool = False
    intent: str = "answer"


_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP = {
    "the",
    "a",
    "an",
    "i",
    "my",
    "to",
    "how",
    "do",
    "can",
    "is",
    "it",
    "of",
    "and",
    "in",
    "for",
    "what",
    "you",
    "me",
    "with",
    "on",
    "be",
    "are",
    "have",
    "your",
}


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1}


def answer(question: str, *, language: str = "en", previous: Sequence[BotTurn] = ()) -> BotReply:
    """Best guidance for ``question``: a simple word-overlap match over published articles."""
    words = _words(question)
    candidates = ArticleTranslation.objects.filter(
        article__status=ArticleStatus.PUBLISHED, language=language
    ).select_related("article")
    scored = sorted(
        (
            (len(words & _words(f"{t.title} {t.summary}")) / (len(words) or 1), t)
            for t in candidates
        ),
        key=lambda pair: pair[0],
        reverse=True,
    )
    if not scored or scored[0][0] < 0.34:
        return BotReply(
            text="I'm not sure I can answer that. I can put you through to an adviser.",
            confidence=scored[0][0] if scored else 0.0,
            handoff=True,
            intent="unknown",
        )
    score, best = scored[0]
    return BotReply(
        text=f"{best.summary} Read more: /help/{best.article.slug}/",
        article=best.article.slug,
        alternatives=[t.article.slug for _s, t in scored[1:3]],
        confidence=round(score, 2),
    )

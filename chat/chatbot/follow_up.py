"""Questions that follow on from the bot's last answer: "how long does it take?", "what if I
don't get the email?", "can I get it back after?".

On their own they name no subject, or the wrong one ("the email" alone is the change-of-email
guidance; after a password reset it is the reset email). The conversation says what they are
about: the citizen's last question that the bot answered, and the article it gave.
``conversation`` uses that in two ways:

- a message that opens as a follow-up does ("what if", "and", "what about") and has that
  article among its own best three is about that article;
- a short message the bot could not answer on its own, all of whose words the guidance uses
  (vague, not about something else), is ranked again together with that question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from chat.chatbot.ranker import Ranking

if TYPE_CHECKING:
    from chat.chatbot.conversation import BotTurn

# A message of at most this many content words can lean on the conversation for its subject.
FOLLOW_UP_WORDS = 6
# The conversation is about its last answer while the citizen is still answering or asking
# about it: after any of these replies (an answer, offers, a "yes, thanks").
_ABOUT_AN_ARTICLE = frozenset({"answer", "unsure", "not_answered", "suggest", "resolved"})
# Replies that give one article as the answer, sure or not.
ANSWERED = frozenset({"answer", "unsure"})
# How far back the question the conversation is about may be (a "no" and the next best
# offered, then a follow-up).
_LOOK_BACK = 3

# Opens the way a follow-up does, in English or Welsh: "what if", "and ...", "what about".
ASKS_MORE = re.compile(
    r"^\W*((and|but|ok|okay|so|also|then|right)\W+)*(what if|what about|how about|and if|"
    r"if so|if not|in that case|then what|what happens (if|when|after|next)|after that|"
    r"what else|do i still|can i still|will i still|beth os|beth am|a beth am|ac os)\b"
    r"|^\W*(and|but|also|ac|a hefyd)\b"
)


@dataclass(frozen=True)
class Context:
    """What the conversation is about: the citizen's questions and the article last given."""

    question: str
    article: str


def context_of(previous: Sequence[BotTurn]) -> Context | None:
    """The conversation's subject when its last reply was about an article; else None."""
    if not previous or previous[-1].reply.intent not in _ABOUT_AN_ARTICLE:
        return None
    recent = list(previous)[-_LOOK_BACK:]
    article = next((t.reply.article for t in reversed(recent) if t.reply.article), None)
    answered = [t for t in recent if t.reply.intent in ANSWERED]
    if article is None or not answered:
        return None
    # Every question answered with the article: a follow-up answered in context ("can I get
    # it back after?") says little without the question it followed.
    about = [t.question for t in answered if t.reply.article == article] or [answered[-1].question]
    return Context("\n".join(about), article)


def asks_more(folded: str) -> bool:
    return ASKS_MORE.search(folded) is not None


def with_article_first(ranking: Ranking, slug: str, among: int = 3) -> Ranking | None:
    """``ranking`` with ``slug`` moved first, when it is among the first ``among`` and not
    first already; the scores stay in order (best first), as ``ranker.siblings_apart`` keeps
    them: the conversation decides which article, not how sure the bot is of the best."""
    slugs = [r.slug for r in ranking.results[:among]]
    if slug not in slugs[1:]:
        return None
    at = slugs.index(slug)
    order = [ranking.results[at], *ranking.results[:at], *ranking.results[at + 1 :]]
    results = [replace(r, score=s.score) for r, s in zip(order, ranking.results, strict=True)]
    return replace(ranking, results=results)


def could_follow_on(ranking: Ranking, coverage: float, min_coverage: float) -> bool:
    """Short, and every bit as much the guidance's words as a question the bot answers: a
    vague question about the same subject ("is there a cost"), not one about something else
    ("what's the weather like")."""
    return 0 < ranking.content_words <= FOLLOW_UP_WORDS and coverage >= min_coverage

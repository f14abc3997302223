"""What the chatbot says: the rules for answering, offering alternatives and handing over.

Order matters and is the policy: attempts to change the bot's instructions and abuse get a fixed
reply; a request for a person, frustration, a second "no" and anything routing calls urgent are
handed over; otherwise the best published guidance is offered with the honesty its score
deserves. Only published guidance is ever quoted, so the bot cannot invent facts.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from dataclasses import replace as dataclass_replace
from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext as _

from chat.chatbot import follow_up, patterns
from chat.chatbot.index import GuidanceIndex, current_index
from chat.chatbot.ranker import Passage, Ranking, passage, rank
from chat.chatbot.text import content_stems, english_words, fold
from routing.language import looks_welsh

if TYPE_CHECKING:
    from routing.policy import Classification, PolicyConfig

MAX_QUESTION_CHARS = 1000
# Confidence bands (see ``confidence_of``): below LOW the bot says it does not know.
CONFIDENT = 0.55
LOW = 0.3
# Coverage (``coverage_of``: the share of the question's words the guidance knows or, with the
# sentence model, how close its meaning is to the best article's); below it, out of scope. The
# same coverage as confidence uses: slang the model understood ("hurt my credit rating") no
# longer rules a question out that confidence would count as understood.
MIN_COVERAGE = 0.5
# Closeness (``Ranking.closeness``): a question at least this close in meaning to something the
# best articles say is about the service, even when the bot cannot tell which article it needs.
IN_SCOPE_CLOSENESS = 0.55
# The scope classifier (``Ranking.about_govsign``, 0 to 1): under NOT_GOVSIGN the question is
# declined as out of scope unless the best article's meaning (``Ranked.meaning``) or the
# closeness of one of the best articles' texts vouches for it. Fitted on the tuning sets: the
# in-scope questions' lowest probability is 0.16, and those under 0.3 are near in meaning.
NOT_GOVSIGN = 0.15
MEANING_OVERRULES_SCOPE = 0.35
CLOSENESS_OVERRULES_SCOPE = 0.75
# How many articles the bot offers when it is unsure which one the citizen needs.
SUGGESTIONS = 3
ANSWER_INTENTS = frozenset({"answer", "unsure", "not_answered", "suggest"})
ANSWERED = follow_up.ANSWERED


@dataclass(frozen=True)
class BotReply:
    text: str
    article: str | None = None
    alternatives: list[str] = field(default_factory=list)
    confidence: float = 0.0
    handoff: bool = False
    intent: str = "answer"
    # Added fields (all defaulted, so older callers keep working):
    language: str = "en"
    link: str | None = None
    title: str | None = None
    asks_feedback: bool = False
    reason: str = ""


@dataclass(frozen=True)
class BotTurn:
    """One earlier exchange in the conversation, so the bot can tell a second "no"."""

    question: str
    reply: BotReply


def answer(question: str, *, language: str = "en", previous: Sequence[BotTurn] = ()) -> BotReply:
    """The chatbot's reply to ``question``, given the conversation so far. Reads only."""
    original = question.strip()[:MAX_QUESTION_CHARS]
    welsh = looks_welsh(original)
    reply_language = "cy" if welsh or language == "cy" else "en"
    with translation.override(reply_language):
        return _answer(original, "cy" if welsh else "en", reply_language, list(previous))


def _answer(text: str, query_language: str, language: str, previous: list[BotTurn]) -> BotReply:
    folded = fold(text)
    if not folded:
        return _fixed(_("Please type your question."), "empty", language)
    if patterns.INJECTION.search(folded):
        return _fixed(
            _(
                "I can only answer questions about GovSign, using our published guidance. "
                "What do you need help with?"
            ),
            "injection",
            language,
        )
    if patterns.ABUSE.search(folded):
        return _fixed(
            _(
                "I'm here to help with GovSign. Please keep our conversation respectful. "
                "What do you need help with?"
            ),
            "abuse",
            language,
        )
    if patterns.ABOUT_BOT.search(folded) and not patterns.is_person_request_only(folded):
        return _fixed(
            _("I'm the GovSign digital assistant: a computer program, not a person. My answers "
              "come from our published help guidance. I can pass you to an adviser if you need "
              "one."),
            "about_bot", language,
        )  # fmt: skip
    if patterns.is_person_request(folded):
        handoff = _handoff(
            _("I'll pass you to an adviser. They will see this conversation, so you will not "
              "need to repeat yourself."),
            "person", language, "asked for a person",
        )  # fmt: skip
        return _with_guidance_meanwhile(
            handoff,
            patterns.without_people(folded),
            patterns.without_person_request(folded),
            query_language,
            previous,
        )
    feedback = _feedback(folded, previous, language)
    if feedback is not None:
        return feedback
    if patterns.is_frustrated(folded, text) or _repeated(folded, previous):
        handoff = _handoff(
            _("I'm sorry this has been frustrating. I'll pass you to an adviser, who will see "
              "this conversation."),
            "frustrated", language, "the citizen is frustrated",
        )  # fmt: skip
        rest = patterns.without_frustration(folded)
        return _with_guidance_meanwhile(handoff, rest, rest, query_language, previous)
    small_talk = _small_talk(folded, previous, language)
    if small_talk is not None:
        return small_talk
    if patterns.OTHER_TASK.search(folded):
        return _out_of_scope(0.0, language)
    index = current_index()
    if query_language == "en" and _about_another_organisation(folded, index):
        return _out_of_scope(0.0, language)
    ranking = rank(index, text, query_language, limit=8)
    if _is_urgent(text, query_language, index, ranking):
        return _urgent(index, ranking, language)
    reply = _reply_to(index, folded, ranking, language)
    context = follow_up.context_of(previous)
    followed = (
        None
        if context is None
        else _in_context(index, text, ranking, reply, context, query_language, language)
    )
    return followed if followed is not None else _with_detail(index, reply, ranking)


def _reply_to(index: GuidanceIndex, folded: str, ranking: Ranking, language: str) -> BotReply:
    if _classified_not_govsign(folded, ranking):
        return _out_of_scope(confidence_of(ranking), language)
    return _from_ranking(index, ranking, language)


def _in_context(
    index: GuidanceIndex,
    text: str,
    ranking: Ranking,
    reply: BotReply,
    context: follow_up.Context,
    query_language: str,
    language: str,
) -> BotReply | None:
    """The reply to a message that follows on from the last answer (``follow_up``): about the
    article last given when it opens as a follow-up and that article is among its own best
    three; else, when the bot could not answer it alone and it is short and vague, the answer
    to it together with the questions it follows, when that is an answer. None when the
    message is taken on its own."""
    folded = fold(text)
    if follow_up.asks_more(folded) and reply.article != context.article:
        promoted = follow_up.with_article_first(ranking, context.article)
        if promoted is not None:
            reply = _from_ranking(index, promoted, language)
    elif reply.intent not in ANSWERED and follow_up.could_follow_on(
        ranking, coverage_of(ranking), MIN_COVERAGE
    ):
        together = f"{context.question}\n{text}"
        ranked_together = rank(index, together, query_language, limit=8)
        in_context = _reply_to(index, fold(together), ranked_together, language)
        if in_context.intent not in ANSWERED:
            return None
        if in_context.article != context.article:
            return _with_detail(index, in_context, ranking)
        # The article the citizen has already read, again: only with a passage of it on what
        # they now ask; without one, it is no answer to the follow-up.
        return _with_passage(index, in_context, ranking) or reply
    if reply.article == context.article and reply.intent in ANSWERED:
        return _with_passage(index, reply, ranking) or reply
    return None


# A follow-up answered with the article already given quotes the sentence of it nearest in
# meaning to the follow-up, when at least this close (raw cosine): on the demo's follow-ups
# the right sentence came at 0.32 and above ("how long for" -> "What to do: Wait 2 hours."),
# unrelated ones under 0.12.
PASSAGE_CLOSENESS = 0.3
# A sure answer to a first question also quotes the sentence that answers it ("can I make a
# complaint in this chat?" -> "We cannot take formal complaints by phone, web chat or through
# the chatbot."), when it is this close, this much closer than the summary (it says what the
# summary does not) and this many words long (a step such as "Enter your password." means
# little out of its list).
DETAIL_CLOSENESS = 0.6
DETAIL_OVER_SUMMARY = 0.2
DETAIL_WORDS = 5
# A question that is one of the article's own example questions (or as good as) asks what the
# article is about as a whole ("my account is locked"): its summary is the answer.
DETAIL_AS_EXAMPLE = 0.95
_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def _with_passage(index: GuidanceIndex, reply: BotReply, ranking: Ranking) -> BotReply | None:
    """``reply`` (the article already given) led by the sentence of the article that answers
    the follow-up (the question ``ranking`` ranked), quoted as published, instead of the
    summary the citizen has read; None when no sentence of it is close enough. A Welsh reply
    is left as it is: the sentence model reads English only."""
    if reply.article is None or reply.language != "en":
        return reply
    found = passage(index, reply.article, ranking)
    if found is None or found.closeness < PASSAGE_CLOSENESS:
        return None
    lines = [_("The same guidance says:"), _quoted(found)]
    return _answer_text(index, reply, lines)


def _with_detail(index: GuidanceIndex, reply: BotReply, ranking: Ranking) -> BotReply:
    """A sure English answer with the sentence of its article that answers the question
    (``ranking``'s) after the summary, when there is one (``DETAIL_*``); else ``reply``."""
    if reply.intent != "answer" or reply.article is None or reply.language != "en":
        return reply
    found = passage(index, reply.article, ranking)
    if (
        found is None
        or found.closeness < DETAIL_CLOSENESS
        or found.closeness - found.summary_closeness < DETAIL_OVER_SUMMARY
        or found.example_closeness >= DETAIL_AS_EXAMPLE
        or len(found.text.split(": ", 1)[-1].split()) < DETAIL_WORDS  # after its heading
    ):
        return reply
    lines = [
        _summary(index, reply.article, reply.language),
        _("The guidance says:"),
        _quoted(found),
    ]
    return _answer_text(index, reply, lines)


def _quoted(found: Passage) -> str:
    plain = _MARKDOWN_LINK.sub(r"\1", found.text).replace("**", "").replace("`", "")
    return f"\u201c{plain}\u201d"


def _answer_text(index: GuidanceIndex, reply: BotReply, lines: list[str]) -> BotReply:
    """``reply`` saying ``lines``, then the link to its article and "Did that answer…?"."""
    assert reply.article is not None
    ending = [_link_line(index, reply.article, reply.language), _("Did that answer your question?")]
    return dataclass_replace(reply, text="\n".join([*lines, *ending]))


def _classified_not_govsign(folded: str, ranking: Ranking) -> bool:
    """Does the scope classifier (``scope``) say the question is about something else, with
    nothing to say otherwise: no strong match in meaning with the best article or with one of
    the best articles' texts, and no mention of GovSign? "my bank card has been blocked" shares
    words with the locked-account guidance and sits as close to it as slang about the service
    does, but reads as a question about banking."""
    top = ranking.top
    return (
        top is not None
        and ranking.about_govsign < NOT_GOVSIGN
        and top.meaning < MEANING_OVERRULES_SCOPE
        and ranking.closeness < CLOSENESS_OVERRULES_SCOPE
        and patterns.ABOUT_GOVSIGN.search(folded) is None
    )


def _about_another_organisation(folded: str, index: GuidanceIndex) -> bool:
    """Does the message name another organisation or service ("my Amazon account", "universal
    credit payment") that no article is about? A title or example question naming it (a
    manager published guidance on it) wins over the fixed list: naming it whole, as a phrase,
    since with many articles each of its words ("tax", "refund") is in some title or other."""
    named = patterns.other_organisation(folded)
    if named is None:
        return False
    english = index.languages.get("en")
    headlines = english.headlines if english is not None else ()
    # Its own words, not rewritten through the lexicon ("universal credit" means benefits).
    name = re.compile(rf"(?<![a-z0-9]){re.escape(fold(named))}(?![a-z0-9])")
    return not any(name.search(headline) for headline in headlines)


# --- Fixed replies and hand-overs --------------------------------------------------------


def _fixed(text: str, intent: str, language: str) -> BotReply:
    return BotReply(text=text, intent=intent, language=language)


def _handoff(text: str, intent: str, language: str, reason: str) -> BotReply:
    return BotReply(text=text, intent=intent, handoff=True, language=language, reason=reason)


# A message that asks for a person, or is frustrated, asks a question as well only when at least
# this many of its other words carry meaning ("can I talk to someone now please" asks nothing
# more; "what time do you shut" does). One word rarely says enough to be sure of an article.
QUESTION_WORDS = 1
# The bot's best guess (intent "unsure") is also given to read while waiting when it leads the
# runner-up by at least this much (``Ranking.margin``, where confidence counts full separation):
# a frustrated message says more than its question ("the answer I got was rubbish"), which
# lowers the coverage the bot's confidence counts, not which article it is about. An adviser
# follows either way, and the reply says only that it "may help".
CLEAR_LEAD = 0.1


def _with_guidance_meanwhile(
    handoff: BotReply, question: str, rest: str, query_language: str, previous: list[BotTurn]
) -> BotReply:
    """``handoff``, with the article that answers the ``question`` the message also asks, to
    read while waiting. Only when the message asks more than for a person or than how it feels
    (``rest``, the message without that), when the bot would answer the question on its own,
    and not when the article was offered earlier in the conversation (it did not help then).
    Still a hand-over, with the same intent and reason."""
    if len(content_stems(english_words(rest))) < QUESTION_WORDS:
        return handoff
    index = current_index()
    found = _answer_meanwhile(index, question, query_language, handoff.language)
    if found is None or found.article is None:
        return handoff
    if any(found.article == turn.reply.article for turn in previous):
        return handoff
    lines = [
        handoff.text,
        _("While you wait, this may help:"),
        _link_line(index, found.article, handoff.language),
        _summary(index, found.article, handoff.language),
    ]
    return dataclass_replace(
        handoff,
        text="\n".join(lines),
        article=found.article,
        link=found.link,
        title=found.title,
        confidence=found.confidence,
    )


def _answer_meanwhile(
    index: GuidanceIndex, question: str, query_language: str, language: str
) -> BotReply | None:
    """The normal answer path's reply to ``question`` when it answers it, sure or with a best
    guess that clearly leads (``CLEAR_LEAD``); else None. A question about another organisation
    or that the scope classifier rules out gets nothing, as it would on its own."""
    folded = fold(question)
    if query_language == "en" and _about_another_organisation(folded, index):
        return None
    ranking = rank(index, question, query_language, limit=8)
    if _classified_not_govsign(folded, ranking):
        return None
    reply = _from_ranking(index, ranking, language)
    if reply.intent == "answer":
        return reply
    clear = ranking.margin() >= CLEAR_LEAD and not _runner_up_as_likely(ranking)
    return reply if reply.intent == "unsure" and clear else None


def _small_talk(folded: str, previous: list[BotTurn], language: str) -> BotReply | None:
    if patterns.GREETING.match(folded):
        return _fixed(
            _("Hello. I'm the GovSign digital assistant. Ask me a question about your account, "
              "signing in, security codes or proving your identity."),
            "greeting", language,
        )  # fmt: skip
    if patterns.THANKS.match(folded):
        answered = bool(previous) and previous[-1].reply.intent in ANSWER_INTENTS
        return _fixed(
            _("You're welcome. Is there anything else I can help with?"),
            "resolved" if answered else "thanks",
            language,
        )
    return None


def _feedback(folded: str, previous: list[BotTurn], language: str) -> BotReply | None:
    """A yes or no to "Did that answer your question?"."""
    if not previous or previous[-1].reply.intent not in ANSWER_INTENTS:
        return None
    last = previous[-1].reply
    for pattern, said_yes in ((patterns.YES, True), (patterns.NO, False)):
        match = pattern.match(folded)
        if match is None or _says_more(folded[match.end() :]):
            continue
        if said_yes:
            return _fixed(
                _("Good, I'm glad that helped. Is there anything else I can help with?"),
                "resolved",
                language,
            )
        # After suggestions, everything the bot could offer was offered at once.
        offered_all = last.intent == "suggest"
        if offered_all or any(turn.reply.intent == "not_answered" for turn in previous):
            return _handoff(
                _("Sorry I could not find the answer. I'll pass you to an adviser, who will see "
                  "what we have talked about."),
                "second_no", language,
                "none of the guidance the bot suggested answered the question" if offered_all
                else "the guidance offered did not answer the question twice",
            )  # fmt: skip
        return _not_answered(last, language)
    return None


_FEEDBACK_FILLER = frozenset(
    {"not", "either", "neither", "that", "this", "one", "all", "at", "help", "helped", "work",
     "worked", "right", "quite", "realli", "much", "sorri", "afraid", "wasn", "didn", "doe"}
)  # fmt: skip


def _says_more(rest: str) -> bool:
    """Does a "yes" or "no" come with a new question ("no, I meant my phone number")?"""
    return any(term not in _FEEDBACK_FILLER for term in content_stems(english_words(rest)))


def _not_answered(last: BotReply, language: str) -> BotReply:
    index = current_index()
    others = [slug for slug in last.alternatives if slug != last.article][:2]
    if not others:
        return BotReply(
            text=_("Sorry about that. Could you tell me a bit more, in different words? "
                   "Or I can pass you to an adviser."),
            intent="not_answered", language=language, asks_feedback=False,
        )  # fmt: skip
    lines = [_("Sorry about that. These might help instead:")]
    lines += [_link_line(index, slug, language) for slug in others]
    lines.append(_("Did one of those answer your question?"))
    return BotReply(
        text="\n".join(lines),
        article=others[0],
        alternatives=others[1:],
        intent="not_answered",
        language=language,
        link=f"/help/{others[0]}/",
        asks_feedback=True,
    )


def _repeated(folded: str, previous: list[BotTurn]) -> bool:
    """Asking the very same question again after an answer is a sign of frustration."""
    return (
        any(
            fold(turn.question) == folded and turn.reply.intent in ANSWER_INTENTS
            for turn in previous[-3:]
        )
        and len(folded.split()) > 2
    )


# --- Urgency, as routing decides it ---------------------------------------------------------

_config_lock = threading.Lock()
_config_cache: tuple[float, object] | None = None
CONFIG_SECONDS = 30.0


def _routing_config() -> object:
    """Routing's policy (managers' rules and the trained classifier), re-read every 30 s."""
    global _config_cache
    from routing.selectors import policy_config

    with _config_lock:
        now = time.monotonic()
        if _config_cache is None or now - _config_cache[0] > CONFIG_SECONDS:
            _config_cache = (now, policy_config())
        return _config_cache[1]


def _is_urgent(text: str, language: str, index: GuidanceIndex, ranking: Ranking) -> bool:
    """Would routing treat this as urgent (suspected fraud goes straight to a person)?

    A manager's rule is trusted as it is. The trained classifier is trusted when it is fairly
    sure and the guidance agrees: the best article is about fraud. (On its own it calls some
    everyday problems fraud, "my phone was nicked" or "can't remember my password", which would
    send them to the fraud queue instead of answering them.)

    The classifier costs several milliseconds a message, and unless the best article is about
    fraud only a rule can make a message urgent: then the rules are checked first, without it,
    and the classifier is asked only when a rule names an urgent topic (it may still raise the
    subject to a more pressing one, as routing would).
    """
    from routing.policy import PolicyConfig

    config = _routing_config()
    assert isinstance(config, PolicyConfig)
    top = ranking.top
    about_fraud = top is not None and index.topics().get(top.slug) == "fraud"
    if not about_fraud:
        # Only a rule can make it urgent now, and the rules alone find the same one.
        by_rules = _classified_urgent(text, language, dataclass_replace(config, model=None))
        if by_rules is None or not by_rules.source.startswith("rule"):
            return False
    classified = _classified_urgent(text, language, config)
    if classified is None:
        return False
    if classified.source.startswith("rule"):
        return True
    return classified.confidence >= 0.5 and about_fraud


def _classified_urgent(text: str, language: str, config: PolicyConfig) -> Classification | None:
    """Routing's classification of ``text`` when its subject has an urgent route, else None."""
    from routing.policy import ContactDescription, classify

    classified = classify(ContactDescription(text=text, language=language), config)
    route = config.routes.get(classified.subject)
    return classified if route is not None and route.urgent else None


def _urgent(index: GuidanceIndex, ranking: Ranking, language: str) -> BotReply:
    """Hand over, showing fraud guidance to read while waiting: the article the question is
    about when the best match is about fraud ("is this text a scam?"), otherwise the guidance
    routing names for urgent cases."""
    from routing.policy import PolicyConfig

    config = _routing_config()
    assert isinstance(config, PolicyConfig)
    topics = index.topics()
    named = [route.guidance for route in config.routes.values() if route.urgent]
    ranked = [r.slug for r in ranking.results if topics.get(r.slug) == "fraud"]
    named = [slug for slug in named if slug in topics]
    top = ranking.top
    best_first = top is not None and topics.get(top.slug) == "fraud"
    fraud = list(dict.fromkeys(ranked + named if best_first else named + ranked))
    # True whether or not advisers are working: the chat flow then says how long the wait is,
    # or when they open and which form to use meanwhile.
    lines = [_("This sounds urgent: it needs an adviser.")]
    if fraud:
        lines.append(_("This guidance says what to do now:"))
        lines.append(_link_line(index, fraud[0], language))
    return BotReply(
        text="\n".join(lines),
        article=fraud[0] if fraud else None,
        alternatives=fraud[1:3],
        confidence=round(confidence_of(ranking), 2),
        handoff=True,
        intent="urgent",
        language=language,
        link=f"/help/{fraud[0]}/" if fraud else None,
        reason="routing treats this as urgent (suspected fraud)",
    )


# --- Answers from guidance ------------------------------------------------------------------


# How the meaning of the best article counts (``Ranked.meaning``, 0 to 1): from MEANING_FROM it
# starts to make the bot surer, at MEANING_FULL it is as good as a clear match by words. Under
# MEANING_TRUSTED, words alone are doubted: guidance that shares a few words with a question but
# means something else (and, with many articles, any article using everyday words) is not an
# answer however the words score.
MEANING_FROM = 0.1
MEANING_FULL = 0.5
MEANING_TRUSTED = 0.2
DOUBT_FLOOR = 0.4
# The sentence model vouches for a question whose words the guidance does not know (``understood``)
# when the best article's meaning is at least MEANING_VOUCHES and one of its pieces is at least
# VOUCH_CLOSENESS close (raw cosine). No out-of-scope development question came near both.
MEANING_VOUCHES = 0.4
VOUCH_CLOSENESS = 0.6


def strength_of(words: float, meaning: float, *, has_meaning: bool = True) -> float:
    """0 to 1: how well the best article fits, by words (``words``, scaled so that a clear match
    is 1) and by meaning.

    Either signal alone can make the bot sure (a paraphrase sharing no word, or the guidance's
    own words); both together make it surer than either. Without the model, words alone.
    """
    if not has_meaning:
        return words
    by_meaning = min(max((meaning - MEANING_FROM) / (MEANING_FULL - MEANING_FROM), 0.0), 1.0)
    together = 1 - (1 - words) * (1 - by_meaning)
    doubt = DOUBT_FLOOR + (1 - DOUBT_FLOOR) * min(meaning / MEANING_TRUSTED, 1.0)
    return together * doubt


def confidence_of(ranking: Ranking) -> float:
    """0 to 1: how sure the bot is of its best article.

    How well it fits (by words and by meaning, see ``strength_of``), lowered when the question
    has words the guidance does not know, when the runner-up is nearly as good, and for one-word
    questions.
    """
    top = ranking.top
    if top is None:
        return 0.0
    strength = strength_of(
        min(top.support / 0.45, 1.0), top.meaning, has_meaning=ranking.has_meaning
    )
    separation = min(ranking.margin() / 0.1, 1.0)
    # One meaningful word ("problem", "app") rarely says enough to be sure.
    vagueness = 0.7 if ranking.content_words <= 1 else 1.0
    confidence = strength * coverage_of(ranking) ** 2 * (0.75 + 0.25 * separation) * vagueness
    if _runner_up_as_likely(ranking):
        return min(confidence, TORN)
    return confidence


# The bot is torn between its two best articles when the runner-up scores within NEAR_TIE of
# the first, or is closer in meaning (by CLOSER_IN_MEANING) and within RUNNER_UP_NEAR: it then
# says "I think this guidance may help" and offers the runner-up too (confidence TORN, under
# CONFIDENT), rather than answering as if sure. Fitted on the development sets: of the answers
# given as sure, 30 of 372 were wrong, 14 of 344 now; right answers shown as unsure 8 -> 20.
NEAR_TIE = 0.05
CLOSER_IN_MEANING = 0.03
RUNNER_UP_NEAR = 0.1
TORN = 0.5


def _runner_up_as_likely(ranking: Ranking) -> bool:
    if len(ranking.results) < 2:
        return False
    first, second = ranking.results[0], ranking.results[1]
    margin = first.score - second.score
    closer = ranking.has_meaning and second.meaning - first.meaning > CLOSER_IN_MEANING
    return margin < NEAR_TIE or (closer and margin < RUNNER_UP_NEAR)


def coverage_of(ranking: Ranking) -> float:
    """How much of the question the bot understood: the share of its words the guidance knows
    or, with the sentence model, how close its meaning is to the best article's, whichever is
    more. The sentence model reads slang and words the guidance never uses ("do I actually
    need it", "moan about how I was treated"); averaged word vectors are not trusted so far."""
    top = ranking.top
    if not ranking.by_sentences or top is None:
        return ranking.coverage
    return max(ranking.coverage, min(top.meaning / MEANING_FULL, 1.0))


def understood(ranking: Ranking) -> bool:
    """Does the sentence model vouch for the question being about the best article, whatever
    its words? Close in meaning as a whole and to one title, example or sentence of it."""
    top = ranking.top
    return (
        ranking.by_sentences
        and top is not None
        and top.meaning >= MEANING_VOUCHES
        and ranking.closeness >= VOUCH_CLOSENESS
    )


def _from_ranking(index: GuidanceIndex, ranking: Ranking, language: str) -> BotReply:
    confidence = confidence_of(ranking)
    top = ranking.top
    if (
        top is None
        or ranking.content_words == 0
        or (
            (coverage_of(ranking) < MIN_COVERAGE or not ranking.key_words)
            and not understood(ranking)
        )
    ):
        return _out_of_scope(confidence, language)
    if confidence < LOW and in_scope(ranking):
        return _suggest(index, ranking, confidence, language)
    if confidence < LOW:
        return BotReply(
            text=_("I'm sorry, I'm not sure I can answer that from our guidance, and I do not "
                   "want to guess. I can pass you to an adviser, or you can search our help "
                   "pages at /help/search/."),
            confidence=round(confidence, 2), handoff=True, intent="low_confidence",
            language=language, reason="the bot could not answer with confidence",
        )  # fmt: skip
    alternatives = [r.slug for r in ranking.results[1:3] if r.score >= top.score * 0.3]
    summary = _summary(index, top.slug, language)
    if confidence >= CONFIDENT:
        lines = [summary, _link_line(index, top.slug, language)]
        intent = "answer"
    else:
        lines = [_("I think this guidance may help:"), _link_line(index, top.slug, language),
                 summary]  # fmt: skip
        if alternatives:
            lines.append(_("If not, you could try:"))
            lines += [_link_line(index, slug, language) for slug in alternatives]
        intent = "unsure"
    lines.append(_("Did that answer your question?"))
    return BotReply(
        text="\n".join(lines),
        article=top.slug,
        alternatives=alternatives,
        confidence=round(confidence, 2),
        intent=intent,
        language=language,
        link=f"/help/{top.slug}/",
        title=_title(index, top.slug, language),
        asks_feedback=True,
    )


def in_scope(ranking: Ranking) -> bool:
    """Is the question about the service, whichever article it needs?

    A separate test from the confidence in one article: the question's meaning is close to
    something the best articles say (``Ranking.closeness``). The word tests (coverage and the
    guidance's characteristic words) are made before this. Welsh questions, with no meaning
    vectors, are never judged in scope this way: the bot says it cannot answer instead.

    One of those articles must also be somewhat near as a whole (its blended meaning past
    ``MEANING_FROM``): a short, generic question ("tell me a joke") can sit close to one short
    example question of unrelated guidance without being near any article's subject.
    """
    if not ranking.has_meaning or ranking.closeness < IN_SCOPE_CLOSENESS:
        return False
    return max(r.meaning for r in ranking.results[:3]) >= MEANING_FROM


def _suggest(index: GuidanceIndex, ranking: Ranking, confidence: float, language: str) -> BotReply:
    """In scope, but unsure which article: say so, offer the best few and an adviser, and
    answer nothing on the bot's own authority (``article`` is None)."""
    # All three, even when the first scores far above the rest: the bot is unsure of the
    # first, so the ranking's gap is not to be trusted either.
    offers = [r.slug for r in ranking.results[:SUGGESTIONS] if r.score > 0]
    lines = [_("I'm not sure which of these you need:")]
    lines += [_link_line(index, slug, language) for slug in offers]
    lines.append(_("Did one of those answer your question? If not, I can pass you to an adviser."))
    return BotReply(
        text="\n".join(lines),
        alternatives=offers,
        confidence=round(confidence, 2),
        intent="suggest",
        language=language,
        asks_feedback=True,
    )


def _out_of_scope(confidence: float, language: str) -> BotReply:
    return BotReply(
        text=_("I can only help with GovSign: signing in, security codes, proving your "
               "identity and your account. For anything else, please contact the "
               "organisation concerned."),
        confidence=round(confidence, 2), intent="out_of_scope", language=language,
    )  # fmt: skip


def _text_of(index: GuidanceIndex, slug: str, language: str) -> tuple[str, str, bool]:
    """(title, summary, fell back to English) of an article for the reply's language."""
    titles = index.titles()
    if (slug, language) in titles:
        return (*titles[(slug, language)], False)
    title, summary = titles.get((slug, "en"), (slug, ""))
    return title, summary, language != "en"


def _title(index: GuidanceIndex, slug: str, language: str) -> str:
    return _text_of(index, slug, language)[0]


def _summary(index: GuidanceIndex, slug: str, language: str) -> str:
    _title_text, summary, fell_back = _text_of(index, slug, language)
    if fell_back:
        return f"{summary} " + _("(This guidance is not available in Welsh yet.)")
    return summary


def _link_line(index: GuidanceIndex, slug: str, language: str) -> str:
    return f"{_title(index, slug, language)}: /help/{slug}/"

"""Turning what a citizen typed into terms the index understands.

English: lower case, contractions spelled out, everyday phrases rewritten (``lexicon``), words
split, misspellings corrected against the guidance's own vocabulary, Snowball stems. Welsh:
mutation-free keys (``selfhelp.welsh``), plus English meanings from a small glossary.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

from chat.chatbot.lexicon import PHRASES, QUESTION_PHRASES, WELSH_GLOSSARY_WORDS, WORDS
from selfhelp.welsh import welsh_key, welsh_words

_STEMMER = snowballstemmer.stemmer("english")
_WORD = re.compile(r"[a-z0-9]+")
_CONTRACTIONS = (
    (r"\bcan'?t\b", "cannot"),
    (r"\bwon'?t\b", "will not"),
    (r"\b(do|does|did|is|are|was|were|has|have|had|could|would|should)n'?t\b", r"\1 not"),
    (r"\bi'?m\b", "i am"),
    (r"\bi'?ve\b", "i have"),
    (r"\b(you|we|they)'?re\b", r"\1 are"),
    (r"'s\b", ""),
    (r"'ll\b", " will"),
    (r"'d\b", " would"),
)
_COMPILED_CONTRACTIONS = [(re.compile(p), r) for p, r in _CONTRACTIONS]

# Words that carry no meaning for matching (kept short: "not", "no", "new" carry meaning here).
_STOPWORDS_TEXT = """
    a an the i me my mine myself we us our you your yours he she it its they them their this
    that these those is am are was were be been being do does did doing have has had having to
    of in on at by for with from as and or but if so than then there here what which who whom
    whose when where why how can could would should will shall may might must just very really
    please pls plz hi hello hey thanks thank cheers ok okay yes any some all also about into
    out up down over again still even get got getting go going want wanted need needs needed
    trying tried try keep keeps kept says said say tell told know thing things stuff one lot
    lots bit way im ive dont cant wont didnt doesnt isnt wasnt havent hasnt couldnt shouldnt
    wouldnt ur u y r it's i'm whats hows wheres whens thats theres youre theyre ive id
    anyone anybody someone's lol
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


def fold(text: str) -> str:
    """Lower case, straight apostrophes, no accents, single spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(text.split())


def _rewrite_phrases(text: str, *, question: bool = False) -> str:
    if question:
        text = _phrase_pattern(True).sub(lambda match: QUESTION_PHRASES[match.group(0)], text)
    return _phrase_pattern(False).sub(lambda match: PHRASES[match.group(0)], text)


@lru_cache(maxsize=2)
def _phrase_pattern(question: bool) -> re.Pattern[str]:
    """One pattern for every phrase, longest first, matched as whole words in one pass."""
    ordered = sorted(QUESTION_PHRASES if question else PHRASES, key=len, reverse=True)
    alternatives = "|".join(re.escape(phrase) for phrase in ordered)
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


def english_words(text: str, *, question: bool = False) -> list[str]:
    """Words of an English text after contractions and everyday phrases are rewritten.

    A citizen's ``question`` also has the phrases that only make sense said to the service
    ("what time do you close", "your number") rewritten first.
    """
    text = fold(text)
    for pattern, replacement in _COMPILED_CONTRACTIONS:
        text = pattern.sub(replacement, text)
    text = _rewrite_phrases(text, question=question)
    return _WORD.findall(text)


def plain_words(text: str) -> list[str]:
    """Words of a text as typed: contractions spelled out, no phrase rewritten. What the
    sentence model reads: it knows "your phone number" and "log on" as people say them, and
    the lexicon's keyword rewrites ("contact phone number") read to it as a different sentence.
    """
    text = fold(text)
    for pattern, replacement in _COMPILED_CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return _WORD.findall(text)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    # Snowball stems "verification" to "verif" but "verify" and "verified" to "verifi" (and so
    # for identify, notify, clarify): the noun is stemmed as its verb.
    if word.endswith("ification"):
        word = word[: -len("ification")] + "ify"
    return str(_STEMMER.stemWord(word))


def content_stems(words: Iterable[str]) -> list[str]:
    return [stem(w) for w in words if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


def document_terms(text: str) -> list[str]:
    """Terms of a guidance text (no spelling correction, no expansion)."""
    return content_stems(english_words(text))


@lru_cache(maxsize=4096)
def expansion_of(word: str) -> tuple[str, ...]:
    """Stems an everyday word stands for in the guidance's words (empty when none)."""
    meaning = WORDS.get(word)
    if not meaning:
        return ()
    words = _WORD.findall(_rewrite_phrases(meaning))
    return tuple(content_stems(words))


@lru_cache(maxsize=1)
def _welsh_glossary() -> dict[str, str]:
    return {welsh_key(key): value for key, value in WELSH_GLOSSARY_WORDS.items()}


def welsh_terms(text: str) -> list[str]:
    """Mutation-free keys of a Welsh text."""
    return [welsh_key(w) for w in welsh_words(fold(text)) if len(w) > 1]


def welsh_to_english(text: str) -> str:
    """A word-for-word English gloss of a Welsh question, for guidance only in English."""
    glossary = _welsh_glossary()
    meanings = [glossary.get(welsh_key(w), "") for w in welsh_words(fold(text))]
    return " ".join(m for m in meanings if m)

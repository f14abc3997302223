"""Turning what a citizen typed into terms the index understands.

English: lower case, contractions spelled out, everyday phrases rewritten (``lexicon``), words
split, misspellings corrected against the guidance's own vocabulary, Snowball stems. Welsh:
informal forms made standard, mutation-free keys (``selfhelp.welsh``), plus English meanings
from a glossary (``welsh_lexicon``), English words typed inside Welsh kept as they are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Iterable
from functools import lru_cache

import snowballstemmer

from chat.chatbot.lexicon import PHRASES, QUESTION_PHRASES, WORDS
from chat.chatbot.welsh_lexicon import (
    WELSH_GLOSSARY_PHRASES,
    WELSH_GLOSSARY_WORDS,
    WELSH_STANDARD_FORMS,
    WELSH_VERB_ENDINGS,
    WELSH_VERB_NOUN_ENDINGS,
)
from routing.language import WELSH_WORDS
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


def _welsh_standard(words: Iterable[str]) -> list[str]:
    """Words in the spelling the Welsh guidance uses: "isio" is "eisiau", "efo" is "gyda"."""
    return [WELSH_STANDARD_FORMS.get(word, word) for word in words]


def welsh_terms(text: str) -> list[str]:
    """Mutation-free keys of a Welsh text, informal and dialect forms made standard."""
    words = _welsh_standard(welsh_words(fold(text)))
    return [welsh_key(w) for w in words if len(w) > 1]


def welsh_to_english(text: str, english_vocabulary: Container[str] = ()) -> str:
    """A word-for-word English gloss of a Welsh question, for guidance only in English.

    Citizens mix English into Welsh ("isio newid fy password", "y codes"): a word that is no
    Welsh word the glossary or ``routing.language`` knows, and whose stem the English guidance
    uses (``english_vocabulary``), is kept as it is.
    """
    words = _welsh_standard(welsh_words(fold(text)))
    keys = [welsh_key(w) for w in words]
    meanings: list[str] = []
    at = 0
    while at < len(words):
        length, meaning = _welsh_phrase_at(keys, at)
        if not length:
            meaning = _welsh_word_meaning(words[at], english_vocabulary)
            length = 1
        meanings.append(meaning)
        at += length
    return " ".join(m for m in meanings if m)


def _welsh_phrase_at(keys: list[str], at: int) -> tuple[int, str]:
    """(words, meaning) of the longest glossary phrase starting at ``keys[at]``; (0, "") if none."""
    for phrase, meaning in _welsh_phrases():
        if tuple(keys[at : at + len(phrase)]) == phrase:
            return len(phrase), meaning
    return 0, ""


def _welsh_word_meaning(word: str, english_vocabulary: Container[str]) -> str:
    """A Welsh word as typed or mutated, then an English word, then a Welsh word mutated in a
    way the keys do not undo, or a verb's inflected form ("anghofiais")."""
    glossary = _welsh_glossary()
    key = welsh_key(word)
    meaning = _welsh_glossary_as_typed().get(word, glossary.get(key))
    if meaning is not None:
        return meaning
    if len(word) > 2 and word not in WELSH_WORDS and stem(word) in english_vocabulary:
        return word
    # Mutations the index's keys leave as they are: a soft mutation drops an initial g
    # ("wybod" is "gwybod"), a nasal one makes d an n ("fy nata" is "data").
    for radical in ("g" + word, "d" + word[1:] if word.startswith("n") else ""):
        mutated = glossary.get(welsh_key(radical)) if radical else None
        if mutated is not None:
            return mutated
    verbs = _welsh_verb_stems()
    for ending in WELSH_VERB_ENDINGS:
        if key.endswith(ending) and len(key) - len(ending) >= 3:
            verb = key[: -len(ending)]
            meaning = glossary.get(verb, verbs.get(verb))
            if meaning is not None:
                return meaning
    return ""


@lru_cache(maxsize=1)
def _welsh_glossary() -> dict[str, str]:
    return {welsh_key(fold(key)): value for key, value in WELSH_GLOSSARY_WORDS.items()}


@lru_cache(maxsize=1)
def _welsh_glossary_as_typed() -> dict[str, str]:
    return {fold(key): value for key, value in WELSH_GLOSSARY_WORDS.items()}


@lru_cache(maxsize=1)
def _welsh_verb_stems() -> dict[str, str]:
    """The glossary's verbs by stem: "anghofio" as "anghof", so "anghofiais" finds it."""
    stems: dict[str, str] = {}
    for key, meaning in _welsh_glossary().items():
        for ending in WELSH_VERB_NOUN_ENDINGS:
            if key.endswith(ending) and len(key) - len(ending) >= 3:
                stems.setdefault(key[: -len(ending)], meaning)
                break
    return stems


@lru_cache(maxsize=1)
def _welsh_phrases() -> tuple[tuple[tuple[str, ...], str], ...]:
    """The glossary's phrases as keys, longest first."""
    phrases = [
        (tuple(welsh_key(w) for w in _welsh_standard(welsh_words(fold(phrase)))), meaning)
        for phrase, meaning in WELSH_GLOSSARY_PHRASES.items()
    ]
    return tuple(sorted(phrases, key=lambda item: len(item[0]), reverse=True))

"""Ranking articles for a question by combining several signals.

- BM25 over title, summary, example questions and body (each weighted), on Snowball stems, with
  misspellings corrected against the guidance's own words and everyday words expanded through
  the lexicon (expanded words count for less than typed ones);
- character n-gram similarity to each article's title, summary and examples, which survives
  spelling the chatbot could not correct;
- the nearest single title or example question, by words and by characters, so questions that
  managers and agents attached are matched closely;
- meaning (see ``semantic``): how close the question is, as a whole, to each article's titles
  and example questions, summary and body sections, which finds paraphrases that share no
  word with the guidance. It ranks, and it is evidence of its own (``Ranked.meaning``): the
  bot is sure of a close paraphrase, and doubts a match by words whose meaning is far off.
  Without the model the other signals rank alone.

``coverage`` says how much of the question the guidance's vocabulary knows at all: low coverage
means the question is about something else, however the articles happen to score.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
from scipy import sparse

from chat.chatbot import semantic, sentence_model
from chat.chatbot.index import (
    FIELD_WEIGHTS,
    K1,
    GuidanceIndex,
    LanguageIndex,
)
from chat.chatbot.lexicon import PHRASES, WORDS
from chat.chatbot.text import (
    STOPWORDS,
    content_stems,
    english_words,
    expansion_of,
    fold,
    plain_words,
    stem,
    welsh_terms,
    welsh_to_english,
)

EXPANSION_WEIGHT = 0.5
# The first four add up to 1; sections and meaning add to them (a clear match on several is
# surer, and meaning alone is not enough to be sure).
WEIGHTS = {
    "bm25": 0.45,
    "char": 0.15,
    "example_words": 0.25,
    "example_chars": 0.15,
    "section_words": 0.2,
    "meaning": 0.3,
}
# How the meaning signal mixes its parts, and the cosine below which it says nothing: unrelated
# texts are rarely closer than that.
MEANING_PARTS = {"short": 0.4, "summary": 0.2, "sections": 0.2, "sentences": 0.2}
MEANING_FLOOR = 0.2
# The sentence model (``sentence_model``), when it is there, is the meaning signal instead: the
# nearest title or example question, the summary and the nearest body sentence, by cosine;
# under SENTENCE_FLOOR unrelated texts are rarely apart. Weights fitted on the development
# sets (chatbot_questions, held-out 1 and 2). SENTENCE_WEIGHT: from 0.85 to 1.6 the tuning sets
# score within a question or two of each other (0.7 and 2.0 a few less); questions put in other
# words than the guidance's gain most at 1.3 (61 written from the articles the way citizens
# type: top-1 0.918 at 0.7, 0.934 at 1.0 and 1.3, and with 1,000 articles 0.836, 0.836, 0.852),
# so meaning counts for more than a clear match by words.
SENTENCE_PARTS = {"short": 0.5, "summary": 0.25, "sentences": 0.25}
SENTENCE_FLOOR = 0.3
SENTENCE_WEIGHT = 1.3
# Sibling articles (prove your identity, with the app, online; a check that failed) are close
# to a question in everything they share, so the plain cosines barely tell them apart. The
# best SIBLINGS are compared again with what they have in common set aside (see
# ``siblings_apart``), and each loses SIBLING_WEIGHT times how far it falls behind the one
# nearest the question that way. Fitted on the tuning sets with and without 1,000 articles
# (weights 1 to 3 gain alike; 2 loses no question's top three).
SIBLINGS = 3
SIBLING_WEIGHT = 2.0
# The article classifier's probability (``articles``) counts this much in the score.
CLASSIFIER_WEIGHT = 1.0


@dataclass(frozen=True)
class Ranked:
    slug: str
    score: float
    # The score without the body-section and meaning signals: the evidence of words. A question
    # sharing a word or two with one section ranks that article higher, but is not by itself
    # evidence enough to be sure; meaning is weighed separately (see ``conversation``).
    evidence: float = -1.0
    # How close the article's meaning is to the question's (0 to 1; 0 without the model).
    meaning: float = 0.0

    @property
    def support(self) -> float:
        return self.score if self.evidence < 0 else self.evidence


@dataclass(frozen=True)
class Ranking:
    results: list[Ranked]
    coverage: float
    content_words: int
    corrected: dict[str, str] = field(default_factory=dict)
    # Words of the question that are characteristic of the guidance (see ``key_words``).
    key_words: tuple[str, ...] = ()
    # Whether the meaning signal was there (the model loaded, English guidance).
    has_meaning: bool = False
    # Raw cosine of the question's meaning with the closest single piece (a title, an example
    # question, a sentence) of the best three articles: how near the question is to what the
    # guidance talks about at all, whichever article it turns out to need (see ``closeness``).
    closeness: float = 0.0
    # Whether meaning came from the sentence model (``sentence_model``) rather than the
    # averaged word vectors: a reading of the whole question, good enough to vouch for words
    # the guidance does not use (see ``conversation.confidence_of``).
    by_sentences: bool = False
    # How likely the question is about GovSign at all, by the scope classifier (``scope``) on
    # its sentence vector; 1 when there is none (no sentence model, Welsh).
    about_govsign: float = 1.0
    # The sentence model's vector of the question (None without it, and for Welsh): what the
    # passage that answers it is looked up by (``passage``).
    sentence: np.ndarray | None = field(default=None, compare=False, repr=False)

    @property
    def top(self) -> Ranked | None:
        return self.results[0] if self.results else None

    def margin(self) -> float:
        if len(self.results) < 2:
            return self.results[0].score if self.results else 0.0
        return self.results[0].score - self.results[1].score


# --- Spelling ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _lexicon_words() -> frozenset[str]:
    words: set[str] = set(WORDS)
    for phrase in PHRASES:
        words.update(phrase.replace("-", " ").split())
    return frozenset(words)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class Speller:
    """Corrects a word to the closest word the guidance (or the lexicon) uses."""

    # Corrections already worked out (a clause's words are its message's words again).
    REMEMBERED = 20_000

    # Managers copy citizens' questions as typed ("forgotten my pasword"): a word of at least
    # MISSPELT_LENGTH letters that the guidance uses at most MISSPELT_AT_MOST times, that is no
    # English word and is one edit from a word it uses at least MISSPELT_RATIO times as often,
    # is taken for a misspelling of that word, not for a word of the guidance's own (known, it
    # would never be corrected, and would lead only to the one article whose example has it).
    # Shorter words are too near others to judge ("foi", "sar", "gmail" are words of their own).
    MISSPELT_LENGTH = 6
    MISSPELT_AT_MOST = 2
    MISSPELT_RATIO = 5

    def __init__(self, vocabulary: Iterable[tuple[str, int]]) -> None:
        self.frequency: dict[str, int] = {}
        self.by_delete: dict[str, list[str]] = {}
        self.corrections: dict[str, str | None] = {}
        for word, count in vocabulary:
            if not word.isalpha() or len(word) < 3:
                continue
            self.frequency[word] = count
            for key in {word} | _deletes(word):
                self.by_delete.setdefault(key, []).append(word)
        rare = [
            w
            for w, n in self.frequency.items()
            if n <= self.MISSPELT_AT_MOST and len(w) >= self.MISSPELT_LENGTH
        ]
        for word in rare:
            if not is_english_word(word) and self._far_more_common_neighbour(word):
                del self.frequency[word]
                for key in {word} | _deletes(word):
                    self.by_delete[key].remove(word)

    def _far_more_common_neighbour(self, word: str) -> bool:
        enough = self.MISSPELT_RATIO * self.frequency[word]
        return any(
            self.frequency.get(candidate, 0) >= enough and _damerau(word, candidate) == 1
            for candidate in self._candidates(word)
        )

    def known(self, word: str) -> bool:
        return word in self.frequency

    def correct(self, word: str) -> str | None:
        if len(word) < 4 or not word.isalpha() or word in self.frequency:
            return None
        if word not in self.corrections:
            if len(self.corrections) >= self.REMEMBERED:
                self.corrections.clear()
            self.corrections[word] = self._correct(word)
        return self.corrections[word]

    def _candidates(self, word: str) -> set[str]:
        candidates: set[str] = set(self.by_delete.get(word, ()))
        for key in _deletes(word):
            candidates.update(self.by_delete.get(key, ()))
            if key in self.frequency:
                candidates.add(key)
        return candidates

    def _correct(self, word: str) -> str | None:
        limit = 1 if len(word) <= 5 else 2
        best: tuple[int, int, str] | None = None
        for candidate in self._candidates(word):
            distance = _damerau(word, candidate)
            if distance <= limit:
                ranked = (distance, -self.frequency.get(candidate, 0), candidate)
                best = ranked if best is None or ranked < best else best
        return best[2] if best else None


def _damerau(a: str, b: str) -> int:
    """Optimal string alignment distance (edits, with adjacent swaps counting once)."""
    if abs(len(a) - len(b)) > 2:
        return 3
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


COMMON_WORD_FREQUENCY = 100


@lru_cache(maxsize=1)
def _english_dictionary() -> dict[str, int]:
    """Word frequencies of general English (pyspellchecker's list, shipped in the package)."""
    from spellchecker import SpellChecker

    return dict(SpellChecker(language="en", distance=1).word_frequency.dictionary)


def is_english_word(word: str) -> bool:
    """A correctly spelt everyday English word: never "corrected" into a guidance word."""
    return _english_dictionary().get(word, 0) >= COMMON_WORD_FREQUENCY


def speller_for(index: LanguageIndex) -> Speller:
    if index.speller is None:
        counts = dict(index.words)
        for word in _lexicon_words():
            counts.setdefault(word, 1)
        index.speller = Speller(counts.items())
    speller: Speller = index.speller
    return speller


KEYNESS = 2.0
# A word in a title or example question is characteristic too, unless it is everyday English.
HEADLINE_COMMON = 300_000


def key_words(index: LanguageIndex) -> frozenset[str]:
    """Words far more common in the guidance than in general English ("password", "code",
    "passport", "scam"; not "time" or "apply"), and the less common words of titles and example
    questions (so a new article's subject counts at once). A question with none of them, typed
    or through the lexicon, is about something else."""
    if index.key_words is not None:
        return index.key_words
    general = _english_dictionary()
    general_total = sum(general.values())
    guidance_total = sum(index.words.values()) or 1
    keys = frozenset(
        word
        for word, count in index.words.items()
        if word.isalpha()
        and word not in STOPWORDS
        and (
            math.log(count / guidance_total) - math.log((general.get(word, 0) + 1) / general_total)
            > KEYNESS
            or (word in index.headline_words and general.get(word, 0) < HEADLINE_COMMON)
        )
    )
    index.key_words = keys
    return keys


# --- Query terms --------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    weights: dict[int, float]  # vocabulary column to weight
    typed_stems: list[str]
    expanded: dict[str, list[str]]
    chars_text: str
    corrected: dict[str, str]
    key_words: tuple[str, ...] = ()
    meaning: np.ndarray | None = None
    # The sentence model's vector of the question (None without the model).
    sentence: np.ndarray | None = None


def english_query(index: LanguageIndex, question: str, sentence: np.ndarray | None = None) -> Query:
    """The question's terms, weights and meaning for ``index``; ``sentence`` is its sentence
    vector when the caller computed it already (``rank`` does, for all clauses at once)."""
    speller = speller_for(index)
    corrected: dict[str, str] = {}
    words = []
    for word in english_words(question, question=True):
        fixed = _correction(speller, word)
        if fixed:
            corrected[word] = fixed
            word = fixed
        words.append(word)
    typed = content_stems(words)
    expanded = {stem(w): list(expansion_of(w)) for w in words if expansion_of(w)}
    similar: dict[str, float] = {}
    for word in words:
        if word in STOPWORDS or speller.known(word) or word in WORDS or stem(word) in expanded:
            continue
        for neighbour, similarity in nearest_guidance_words(index, word):
            similar[stem(neighbour)] = max(similar.get(stem(neighbour), 0.0), similarity)
    weights: dict[int, float] = {}
    for term in typed:
        if term in index.vocabulary:
            column = index.vocabulary[term]
            weights[column] = weights.get(column, 0.0) + 1.0
    # Neighbours in meaning rank, but do not make the question's words known (``coverage_of``):
    # a question about something else has neighbours too.
    extra = [(t, EXPANSION_WEIGHT) for terms in expanded.values() for t in terms]
    extra += [(t, EXPANSION_WEIGHT * similarity) for t, similarity in similar.items()]
    for term, weight in extra:
        if term in index.vocabulary:
            column = index.vocabulary[term]
            weights[column] = max(weights.get(column, 0.0), weight)
    keys = key_words(index)
    meant = set(words)
    for word in words:
        meant.update(_lexicon_meaning(word))
    found = tuple(sorted(w for w in meant if w in keys))
    # The words after spelling correction and the lexicon: the model knows "email", not "emial",
    # and an everyday word is followed by what it means in the guidance ("selfie face scan").
    meaning = semantic.embed([_meaning_text(words)]) if index.meaning is not None else None
    if sentence is None and index.sentence_meaning is not None:
        vectors = sentence_model.encode_question([sentence_text(question, corrected)])
        sentence = vectors[0] if vectors is not None else None
    return Query(
        weights,
        typed,
        expanded,
        " ".join(words),
        corrected,
        found,
        meaning[0] if meaning is not None else None,
        sentence,
    )


def sentence_text(question: str, corrected: dict[str, str] | None = None) -> str:
    """What the sentence model reads of a question: its words as typed, spelling corrected."""
    words = plain_words(question)
    if corrected is None:
        corrected = {}
    return " ".join(corrected.get(w, w) for w in words)


# A word the guidance never uses stands for the guidance's words whose meaning vectors are at
# least this close ("gmail" for "email", "wedding" for "marriage"), at most NEIGHBOURS of them.
NEIGHBOUR_SIMILARITY = 0.5
NEIGHBOURS = 2


def nearest_guidance_words(index: LanguageIndex, word: str) -> list[tuple[str, float]]:
    """The guidance's words closest in meaning to ``word`` (none without the model)."""
    if index.language != "en" or not word.isalpha() or len(word) < 3:
        return []
    table = _neighbour_table(index)
    if table is None:
        return []
    words, vectors = table
    vector = semantic.embed([word])
    if vector is None or not vectors.shape[0]:
        return []
    similarities = np.einsum("ij,j->i", vectors, vector[0])
    best = np.argsort(-similarities)[:NEIGHBOURS]
    own = stem(word)
    return [
        (words[i], float(similarities[i]))
        for i in best
        if similarities[i] >= NEIGHBOUR_SIMILARITY and stem(words[i]) != own
    ]


def _neighbour_table(index: LanguageIndex) -> tuple[list[str], np.ndarray] | None:
    if index.neighbours is None:
        words = sorted(w for w in index.words if w.isalpha() and len(w) > 2 and w not in STOPWORDS)
        vectors = semantic.embed(words)
        index.neighbours = (words, vectors) if vectors is not None else ()
    return index.neighbours or None


def _meaning_text(words: list[str]) -> str:
    said: list[str] = []
    for word in words:
        said.append(word)
        said.extend(w for w in _lexicon_meaning(word) if w != word)
    return " ".join(said)


@lru_cache(maxsize=4096)
def _lexicon_meaning(word: str) -> tuple[str, ...]:
    meaning = WORDS.get(word)
    return tuple(english_words(meaning)) if meaning else ()


def welsh_query(index: LanguageIndex, question: str) -> Query:
    typed = [t for t in welsh_terms(question) if len(t) > 2]
    weights: dict[int, float] = {}
    for term in typed:
        if term in index.vocabulary:
            column = index.vocabulary[term]
            weights[column] = weights.get(column, 0.0) + 1.0
    return Query(weights, typed, {}, fold(question), {})


# --- Scoring -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SentenceCosines:
    """The question's cosine (float64) with each of an index's sentence vectors: its titles and
    example questions, its summaries, its body sentences (see ``SentenceMeaning``)."""

    short: np.ndarray
    summaries: np.ndarray
    sentences: np.ndarray


def sentence_cosines(index: LanguageIndex, vector: np.ndarray) -> SentenceCosines:
    meaning = index.sentence_meaning
    assert meaning is not None
    return SentenceCosines(
        _cosines(meaning.short, vector),
        _cosines(meaning.summaries, vector),
        _cosines(meaning.sentences, vector),
    )


def score_articles(index: LanguageIndex, query: Query) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(score, evidence, meaning) per article; see ``Ranked``."""
    scored = _score(index, query)
    return scored.score, scored.evidence, scored.meaning


@dataclass(frozen=True)
class _ArticleScores:
    score: np.ndarray
    evidence: np.ndarray
    meaning: np.ndarray
    # The sentence model's cosines, when it scored (``closeness`` reads them again).
    cosines: SentenceCosines | None = None
    # What meaning added to the score: the meaning signal and the article classifier, weighted.
    by_meaning: np.ndarray | None = None


def _score(index: LanguageIndex, query: Query) -> _ArticleScores:
    n = len(index.slugs)
    if n == 0:
        return _ArticleScores(np.zeros(0), np.zeros(0), np.zeros(0))
    sections = np.zeros(n)
    columns = np.fromiter(query.weights, np.int64, len(query.weights))
    values = np.fromiter(query.weights.values(), np.float64, len(query.weights))
    scores = np.zeros(n)
    if columns.size:
        ideal = float((values * index.idf[columns]).sum() * (K1 + 1))
        bm25 = column_scores(index.bm25, columns, values)
        bm25 /= ideal * (FIELD_WEIGHTS["title"] + FIELD_WEIGHTS["examples"]) or 1.0
        scores += WEIGHTS["bm25"] * np.minimum(bm25, 1.0)
        # The question as a unit-length idf-weighted vector, like each short text and section.
        term_weights = values * index.idf[columns]
        term_weights /= np.linalg.norm(term_weights) or 1.0
        nearest = column_scores(index.short_words, columns, term_weights)
        scores += WEIGHTS["example_words"] * _max_per_article(index, nearest)
        if index.section_words.shape[0]:
            in_section = column_scores(index.section_words, columns, term_weights)
            sections = WEIGHTS["section_words"] * _max_per_article(
                index, in_section, index.section_article
            )
    char_columns, char_weights = index.chars.weights(fold(query.chars_text))
    scores += WEIGHTS["char"] * column_scores(index.profiles, char_columns, char_weights)
    nearest_chars = column_scores(index.short_chars, char_columns, char_weights)
    scores += WEIGHTS["example_chars"] * _max_per_article(index, nearest_chars)
    if index.sentence_meaning is not None and query.sentence is not None:
        cosines = sentence_cosines(index, query.sentence)
        meaning = _sentence_scores(index, cosines)
        by_meaning = SENTENCE_WEIGHT * meaning
        if index.article_model is not None:
            likely = index.article_model.probabilities(query.sentence, n)
            by_meaning = by_meaning + CLASSIFIER_WEIGHT * likely
        return _ArticleScores(scores + sections + by_meaning, scores, meaning, cosines, by_meaning)
    meaning = meaning_scores(index, query)
    by_meaning = WEIGHTS["meaning"] * meaning
    return _ArticleScores(scores + sections + by_meaning, scores, meaning, None, by_meaning)


def column_scores(matrix: sparse.csc_matrix, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``matrix[:, columns] @ values`` (float64), reading only those columns' stored values: a
    question has a few terms or n-grams among thousands, and scipy's general sparse product and
    column slicing cost many times more than the arithmetic."""
    starts = matrix.indptr[columns].astype(np.int64)
    lengths = matrix.indptr[columns + 1] - starts
    total = int(lengths.sum())
    if not total:
        return np.zeros(matrix.shape[0])
    # Where each column's stored values are, one column after another.
    where = np.arange(total) + np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    weights = matrix.data[where].astype(np.float64) * np.repeat(values, lengths)
    return np.bincount(matrix.indices[where], weights=weights, minlength=matrix.shape[0])


def sentence_scores(index: LanguageIndex, vector: np.ndarray) -> np.ndarray:
    """0 to 1 per article: how close the question is, by the sentence model, to the article's
    nearest title or example question, its summary and its nearest body sentence."""
    return _sentence_scores(index, sentence_cosines(index, vector))


def _sentence_scores(index: LanguageIndex, cosines: SentenceCosines) -> np.ndarray:
    blend = (
        SENTENCE_PARTS["short"] * _max_per_article(index, cosines.short)
        + SENTENCE_PARTS["summary"] * cosines.summaries
    )
    if cosines.sentences.shape[0]:
        blend += SENTENCE_PARTS["sentences"] * _max_per_article(
            index, cosines.sentences, index.sentence_article
        )
    return np.clip((blend - SENTENCE_FLOOR) / (1 - SENTENCE_FLOOR), 0.0, 1.0)


def meaning_scores(index: LanguageIndex, query: Query) -> np.ndarray:
    """0 to 1 per article: how close the question's meaning is to the article's."""
    meaning = index.meaning
    if meaning is None or query.meaning is None:
        return np.zeros(len(index.slugs))
    short = _cosines(meaning.short, query.meaning)
    sections = _cosines(meaning.sections, query.meaning)
    closeness = (
        MEANING_PARTS["short"] * _max_per_article(index, short)
        + MEANING_PARTS["summary"] * _cosines(meaning.summaries, query.meaning)
        + MEANING_PARTS["sections"] * _max_per_article(index, sections, index.section_article)
    )
    if meaning.sentences.shape[0]:
        sentences = _cosines(meaning.sentences, query.meaning)
        closeness += MEANING_PARTS["sentences"] * _max_per_article(
            index, sentences, index.sentence_article
        )
    return np.clip((closeness - MEANING_FLOOR) / (1 - MEANING_FLOOR), 0.0, 1.0)


def _cosines(rows: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Each unit-length row's cosine with ``vector``, as float64.

    einsum, not ``@``: the matrix-vector product goes to OpenBLAS, whose threads spin against
    everything else on a busy server (answers were several times slower on two shared cores).
    float64 because np.maximum.at is many times slower when it has to convert.
    """
    return np.einsum("ij,j->i", rows, vector).astype(np.float64)


def _max_per_article(
    index: LanguageIndex, row_scores: np.ndarray, rows_article: np.ndarray | None = None
) -> np.ndarray:
    best = np.zeros(len(index.slugs))
    np.maximum.at(best, index.short_article if rows_article is None else rows_article, row_scores)
    return best


def coverage_of(index: LanguageIndex, query: Query) -> float:
    """Share of the question's content words that the guidance's vocabulary (or the lexicon's
    meanings) knows: low when the question is about something else."""
    if not query.typed_stems:
        return 0.0
    known = sum(
        1
        for term in query.typed_stems
        if term in index.vocabulary
        or any(t in index.vocabulary for t in query.expanded.get(term, []))
    )
    return known / len(query.typed_stems)


def rank(guidance: GuidanceIndex, question: str, language: str, limit: int = 5) -> Ranking:
    """Articles best first for ``question``; Welsh questions also search English guidance.

    A long, rambling message is also ranked clause by clause: the clause that names the problem
    is usually clearer than the whole.
    """
    clauses = [c for c in _CLAUSE.split(question) if len(c.split()) >= 4]
    long_message = (
        len(clauses) > 1 and len(content_stems(english_words(question))) > LONG_MESSAGE_WORDS
    )
    sentences = (
        _sentence_vectors(guidance, question, clauses if long_message else [])
        if language == "en"
        else {}
    )
    whole = _rank_text(guidance, question, language, sentences.get(question))
    best = _Best(whole.score.copy(), whole.evidence.copy(), whole.meaning.copy())
    coverage = whole.coverage
    if whole.content_words > LONG_MESSAGE_WORDS and len(clauses) > 1:
        for clause in clauses:
            part = _rank_text(guidance, clause, language, sentences.get(clause, whole.sentence))
            if part.content_words >= 3:
                coverage = max(coverage, part.coverage)
            # Each article keeps the better of the whole message and of the whole mixed half
            # and half with a clause that scores it at all.
            best.keep_better(
                part.score > 0,
                0.5 * whole.score + 0.5 * part.score,
                0.5 * whole.evidence + 0.5 * part.evidence,
                np.maximum(whole.meaning, part.meaning),
            )
    ordered = best.ordered(limit)
    english = guidance.languages.get("en")
    results = [
        Ranked(
            guidance.slugs[i],
            round(float(best.score[i]), 4),
            round(float(best.evidence[i]), 4),
            round(float(best.meaning[i]), 4),
        )
        for i in ordered
    ]
    if english is not None and whole.sentence is not None and language == "en":
        results = siblings_apart(english, whole.sentence, results)
    about_govsign = 1.0
    if english is not None and english.scope_model is not None and whole.sentence is not None:
        about_govsign = english.scope_model.probability(whole.sentence)
    near = 0.0
    if english is not None and whole.has_meaning:
        best_slugs = [r.slug for r in results[:SCOPE_ARTICLES]]
        near = (
            _sentence_closeness(english, whole.cosines, best_slugs)
            if english.sentence_meaning is not None
            else closeness(english, whole.meaning_vector, best_slugs)
        )
    return Ranking(
        results,
        coverage,
        whole.content_words,
        whole.corrected,
        whole.key_words,
        whole.has_meaning,
        round(near, 4),
        whole.has_meaning and english is not None and english.sentence_meaning is not None,
        round(about_govsign, 4),
        whole.sentence if language == "en" else None,
    )


def siblings_apart(index: LanguageIndex, vector: np.ndarray, results: list[Ranked]) -> list[Ranked]:
    """``results`` with the best SIBLINGS scored again on what sets them apart.

    Their average meaning (of their centroids) is what they have in common: taken out of the
    question's vector and of each of their texts, what is left of a question "verify my id
    with my phone" is the phone, near the app article's texts and far from the general one's.
    Each is scored as ``sentence_scores`` does (nearest title or example, summary, nearest
    sentence) on those differences; they are put in order again by their score less
    SIBLING_WEIGHT times how far each falls behind the best of them that way. The same
    articles stay first, and keep the scores they had in order (first the best score).
    """
    meaning = index.sentence_meaning
    if meaning is None or not meaning.centroids.shape[0] or len(results) < 2:
        return results
    positions = {slug: i for i, slug in enumerate(index.slugs)}
    siblings = results[:SIBLINGS]
    if any(r.slug not in positions for r in siblings):
        return results
    articles = np.array([positions[r.slug] for r in siblings], dtype=np.int64)
    common = meaning.centroids[articles].astype(np.float64).mean(axis=0)
    question = _apart(vector.astype(np.float64), common)
    apart = np.array([_apart_score(index, article, common, question) for article in articles])
    behind = apart - apart.max()
    order = sorted(
        range(len(siblings)), key=lambda i: (-(siblings[i].score + SIBLING_WEIGHT * behind[i]), i)
    )
    # The siblings keep their scores, best first, in the new order: which one comes first
    # changes, how sure the bot is of the first (the scores' gaps) does not.
    reordered = [replace(siblings[i], score=r.score) for i, r in zip(order, siblings, strict=True)]
    return reordered + results[SIBLINGS:]


def _apart(vectors: np.ndarray, common: np.ndarray) -> np.ndarray:
    """``vectors`` (a row or rows) less ``common``, of unit length."""
    left = vectors - common
    norms = np.linalg.norm(left, axis=-1, keepdims=left.ndim > 1)
    return left / np.where(norms > 0, norms, 1.0)


def _apart_score(
    index: LanguageIndex, article: int, common: np.ndarray, question: np.ndarray
) -> float:
    meaning = index.sentence_meaning
    assert meaning is not None
    short = meaning.short[index.short_article == article].astype(np.float64)
    sentences = meaning.sentences[index.sentence_article == article].astype(np.float64)
    score = SENTENCE_PARTS["summary"] * float(
        _apart(meaning.summaries[article].astype(np.float64), common) @ question
    )
    if short.shape[0]:
        score += SENTENCE_PARTS["short"] * float((_apart(short, common) @ question).max())
    if sentences.shape[0]:
        score += SENTENCE_PARTS["sentences"] * float((_apart(sentences, common) @ question).max())
    return score


@dataclass
class _Best:
    """Per article of the whole guidance (``GuidanceIndex.slugs``): its best (score, evidence,
    meaning) so far, compared in that order."""

    score: np.ndarray
    evidence: np.ndarray
    meaning: np.ndarray

    def keep_better(
        self, where: np.ndarray, score: np.ndarray, evidence: np.ndarray, meaning: np.ndarray
    ) -> None:
        tied = score == self.score
        better = where & (
            (score > self.score)
            | (tied & (evidence > self.evidence))
            | (tied & (evidence == self.evidence) & (meaning > self.meaning))
        )
        self.score[better] = score[better]
        self.evidence[better] = evidence[better]
        self.meaning[better] = meaning[better]

    def ordered(self, limit: int) -> list[int]:
        """The best ``limit`` articles scoring at all, best first (ties by slug)."""
        scoring = np.flatnonzero(self.score > 0)
        order = np.lexsort((scoring, -self.score[scoring]))[:limit]
        return [int(i) for i in scoring[order]]


# How many of the best articles the question's closeness is measured against.
SCOPE_ARTICLES = 3


@dataclass(frozen=True)
class Passage:
    """A sentence of an article's body (after its section's heading, as written)."""

    text: str
    # Raw cosines with the question: of the sentence, and of the article's summary.
    closeness: float
    summary_closeness: float
    # And of the article's nearest title or example question.
    example_closeness: float


def passage(guidance: GuidanceIndex, slug: str, ranking: Ranking) -> Passage | None:
    """The sentence of the English article ``slug``'s body nearest in meaning to the question
    ``ranking`` ranked (by the vector the ranking read), or None without the sentence model or
    a body. Sentences that say nothing on their own are left out: one that leads into a list
    ("You can choose how to prove your identity:") and one whose subject is the sentence before
    ("This does not use a face scan.")."""
    english = guidance.languages.get("en")
    if english is None or english.sentence_meaning is None or slug not in english.slugs:
        return None
    article = english.slugs.index(slug)
    rows = np.flatnonzero(english.sentence_article == article)
    rows = rows[[_stands_alone(english.sentence_texts[r]) for r in rows]]
    vector = ranking.sentence
    if vector is None or not rows.size:
        return None
    cosines = _cosines(english.sentence_meaning.sentences[rows], vector)
    best = int(np.argmax(cosines))
    summary = float(_cosines(english.sentence_meaning.summaries[[article]], vector)[0])
    short = _cosines(english.sentence_meaning.short[english.short_article == article], vector)
    nearest = float(short.max()) if short.size else 0.0
    return Passage(english.sentence_texts[rows[best]], float(cosines[best]), summary, nearest)


# A sentence whose subject is the one before it: "It will have been sent…", "This can happen…".
_LEANS_BACK = re.compile(
    r"^(it|they|this|that|these|those)\s+(is|are|was|were|will|does|do|did|can|may|might|has|"
    r"have|had|should|would|could|means?)\b",
    re.IGNORECASE,
)


def _stands_alone(sentence: str) -> bool:
    """Does a body sentence (after its section's heading) say something on its own?"""
    text = sentence.split(": ", 1)[-1].strip()
    return not text.endswith(":") and _LEANS_BACK.match(text) is None


def _sentence_vectors(
    guidance: GuidanceIndex, question: str, clauses: list[str]
) -> dict[str, np.ndarray]:
    """The sentence model's vectors of a question and, for a long message, of its clauses, in
    one batch (English guidance only; empty without the model). A long message is read clause
    by clause only, and its own vector is theirs averaged (``encode_message_parts``)."""
    english = guidance.languages.get("en")
    if english is None or english.sentence_meaning is None:
        return {}
    speller = speller_for(english)
    texts = [" ".join(_corrected_words(speller, text)) for text in clauses or [question]]
    if clauses:
        vectors = sentence_model.encode_message_parts(texts)
    else:
        vectors = sentence_model.encode_question(texts)
    if vectors is None:
        return {}
    return dict(zip([question, *clauses], vectors, strict=True))


def _corrected_words(speller: Speller, text: str) -> list[str]:
    """What the sentence model reads of a text: its words as typed, spelling corrected."""
    return [_correction(speller, word) or word for word in plain_words(text)]


def _correction(speller: Speller, word: str) -> str | None:
    """The guidance word a typed word is a misspelling of, if it is one: not a stopword, not a
    word the guidance, the lexicon or English already knows."""
    if word in STOPWORDS or speller.known(word) or word in WORDS or is_english_word(word):
        return None
    return speller.correct(word) or None


def _sentence_closeness(
    index: LanguageIndex, cosines: SentenceCosines | None, slugs: list[str]
) -> float:
    """As ``closeness``, by the sentence model: the highest cosine between the question and any
    title, example question or body sentence of the articles ``slugs``."""
    if cosines is None or not slugs:
        return 0.0
    return _closest_of(index, cosines.short, cosines.sentences, slugs)


def sentence_closeness(index: LanguageIndex, vector: np.ndarray | None, slugs: list[str]) -> float:
    """As ``closeness``, by the sentence model."""
    if vector is None or index.sentence_meaning is None:
        return 0.0
    return _sentence_closeness(index, sentence_cosines(index, vector), slugs)


def closeness(index: LanguageIndex, vector: np.ndarray | None, slugs: list[str]) -> float:
    """The highest cosine between ``vector`` and any title, example question or sentence of
    the articles ``slugs``.

    Unlike ``Ranked.meaning`` (a blend of the article's parts, made to rank), this looks for one
    piece that says what the question says: "need a BSL interpreter" is far from the accessibility
    article as a whole but very close to its sentence about interpreters, while "give me stock
    tips" is close to nothing the guidance says. Only the best articles are looked at, so a
    large body of other guidance cannot make any question look close by chance.
    """
    meaning = index.meaning
    if meaning is None or vector is None or not slugs:
        return 0.0
    return _closest_of(
        index, _cosines(meaning.short, vector), _cosines(meaning.sentences, vector), slugs
    )


def _closest_of(
    index: LanguageIndex, short: np.ndarray, sentences: np.ndarray, slugs: list[str]
) -> float:
    """The highest of the cosines ``short`` (row for row with ``index.short_article``) and
    ``sentences`` (with ``index.sentence_article``) among the rows of the articles ``slugs``."""
    positions = {slug: i for i, slug in enumerate(index.slugs)}
    wanted = np.array([positions[s] for s in slugs if s in positions], dtype=np.int64)
    best = 0.0
    for cosines, owners in ((short, index.short_article), (sentences, index.sentence_article)):
        mask = np.isin(owners, wanted)
        if cosines.shape[0] and mask.any():
            best = max(best, float(cosines[mask].max()))
    return best


LONG_MESSAGE_WORDS = 8
_CLAUSE = re.compile(r"[.,;:!?\n]+|\b(?:but|because|so|and then|although)\b")


@dataclass
class _Scored:
    """One text's scores, per article of the whole guidance (``GuidanceIndex.slugs``)."""

    score: np.ndarray
    evidence: np.ndarray
    meaning: np.ndarray
    coverage: float
    content_words: int
    corrected: dict[str, str]
    key_words: tuple[str, ...] = ()
    has_meaning: bool = False
    meaning_vector: np.ndarray | None = None  # the (English) question's averaged word vectors
    sentence: np.ndarray | None = None  # and its sentence-model vector
    cosines: SentenceCosines | None = None  # with the English guidance's sentence vectors


def _rank_text(
    guidance: GuidanceIndex, question: str, language: str, sentence: np.ndarray | None = None
) -> _Scored:
    size = len(guidance.slugs)
    combined = _Best(np.zeros(size), np.zeros(size), np.zeros(size))
    coverage = 0.0
    content_words = 0
    corrected: dict[str, str] = {}
    keys: tuple[str, ...] = ()
    vector: np.ndarray | None = None
    cosines: SentenceCosines | None = None
    english = guidance.languages.get("en")
    if language == "cy":
        coverage, content_words, keys = _rank_welsh(guidance, question, combined)
    elif english is not None:
        query = english_query(english, question, sentence)
        scored = _score(english, query)
        _merge(combined, guidance.positions["en"], scored)
        coverage = coverage_of(english, query)
        content_words = len(query.typed_stems)
        corrected = query.corrected
        keys = query.key_words
        vector = query.meaning
        sentence = query.sentence
        cosines = scored.cosines
    # Welsh guidance has no meaning vectors, so for Welsh questions words decide alone.
    has_meaning = (
        language != "cy"
        and english is not None
        and (english.meaning is not None or english.sentence_meaning is not None)
    )
    return _Scored(
        combined.score,
        combined.evidence,
        combined.meaning,
        coverage,
        content_words,
        corrected,
        keys,
        has_meaning,
        vector,
        sentence,
        cosines,
    )


def _rank_welsh(
    guidance: GuidanceIndex, question: str, combined: _Best
) -> tuple[float, int, tuple[str, ...]]:
    """Score a Welsh question into ``combined``: by its words against the Welsh guidance, and
    through its English gloss against the English guidance. (coverage, content words, keys.)

    The Welsh guidance has no meaning vectors, so its articles would score on words alone
    against English ones scored on words and the gloss's meaning: an article in both languages
    also takes the meaning its English version has for the gloss. A question that says in Welsh
    what a Welsh article says ("rhoddais fy nghod i rywun") is then not outranked by an
    English-only article the looser gloss comes near.
    """
    coverage, content_words = 0.0, 0
    keys: tuple[str, ...] = ()
    english, welsh = guidance.languages.get("en"), guidance.languages.get("cy")
    gloss = welsh_to_english(question, english.vocabulary if english is not None else ())
    glossed: _ArticleScores | None = None
    if english is not None and gloss:
        query = english_query(english, gloss)
        scored = _score(english, query)
        glossed = _ArticleScores(
            0.9 * scored.score, 0.9 * scored.evidence, scored.meaning, None, scored.by_meaning
        )
        coverage, content_words = coverage_of(english, query), len(query.typed_stems)
        keys = query.key_words
    if welsh is not None:
        query = welsh_query(welsh, question)
        scored = _score(welsh, query)
        if glossed is not None and glossed.by_meaning is not None:
            # What meaning added to each English article's score, given to its Welsh version.
            meaning = np.zeros(len(guidance.slugs))
            added = np.zeros(len(guidance.slugs))
            meaning[guidance.positions["en"]] = glossed.meaning
            added[guidance.positions["en"]] = glossed.by_meaning
            cy = guidance.positions["cy"]
            scored = _ArticleScores(scored.score + added[cy], scored.evidence, meaning[cy])
        _merge(combined, guidance.positions["cy"], scored)
        coverage = max(coverage, coverage_of(welsh, query))
        content_words = max(content_words, len(query.typed_stems))
        keys = tuple(t for t in query.typed_stems if t in welsh.vocabulary) + keys
    if glossed is not None:
        _merge(combined, guidance.positions["en"], glossed)
    return coverage, content_words, keys


def _merge(combined: _Best, positions: np.ndarray, scored: _ArticleScores) -> None:
    """Keep each article's scores from ``scored`` (one language's index, whose articles stand at
    ``positions``) where they beat what the other language gave it."""
    better = scored.score > combined.score[positions]
    chosen = positions[better]
    combined.score[chosen] = scored.score[better]
    combined.evidence[chosen] = scored.evidence[better]
    combined.meaning[chosen] = scored.meaning[better]

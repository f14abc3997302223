"""The chatbot's search index over published guidance, built once per process.

For each language it holds, per article: BM25 weights for the title, summary, example questions
and body; a character n-gram profile (title, summary, examples) that survives misspellings; and
one row per title and example question, so a question close to one a manager attached wins even
when it shares few words with the article. English guidance also gets meaning vectors (see
``semantic``) for its titles, example questions, summaries and body sections, so a question can
match them with no word in common. ``current_index`` rebuilds it when guidance changes.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse

from chat.chatbot import articles, scope, semantic, sentence_model
from chat.chatbot.text import document_terms, english_words, fold, welsh_terms
from selfhelp.selectors import GuidanceText, guidance_fingerprint, guidance_version
from selfhelp.topics import TOPIC_NAMES

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

K1 = 1.2
B = 0.75
FIELD_WEIGHTS = {"title": 3.0, "summary": 1.5, "examples": 2.0, "body": 0.6}
FINGERPRINT_EVERY_SECONDS = 10.0


def _char_vectorizer() -> TfidfVectorizer:
    # Imported here: scikit-learn takes a second or two to import, and only the index needs it.
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1, dtype=np.float32
    )


@dataclass(frozen=True)
class CharNgrams:
    """A question's character n-grams weighted as the fitted vectorizer weighs them (its
    ``transform``, without scikit-learn's checks and sparse matrices for one short text)."""

    analyse: Callable[[str], list[str]]
    columns: dict[str, int]
    idf: np.ndarray  # float32, as the vectorizer's

    @classmethod
    def of(cls, vectorizer: TfidfVectorizer) -> CharNgrams:
        return cls(vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_)

    def weights(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns, weights): sublinear term frequency times idf, of unit length."""
        counts = Counter(gram for gram in self.analyse(text) if gram in self.columns)
        columns = np.fromiter((self.columns[gram] for gram in counts), np.int64, len(counts))
        weights = np.log(np.fromiter(counts.values(), np.float32, len(counts))) + np.float32(1)
        weights *= self.idf[columns]
        norm = np.linalg.norm(weights)
        return columns, weights / norm if norm > 0 else weights


@dataclass(frozen=True)
class Meaning:
    """Unit-length meaning vectors of an index's short texts, summaries and sections."""

    short: np.ndarray
    summaries: np.ndarray
    sections: np.ndarray
    # One row per sentence or list item (with its section's heading), row for row with
    # ``LanguageIndex.sentence_article``: a detail ("braille", "a BSL interpreter") is lost in
    # the average of a whole section but stands out in its own sentence.
    sentences: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))


@dataclass(frozen=True)
class SentenceMeaning:
    """The sentence model's vectors (see ``sentence_model``): one row per title and example
    question (row for row with ``LanguageIndex.short_article``), one per summary and one per
    body sentence (row for row with ``LanguageIndex.sentence_article``)."""

    short: np.ndarray
    summaries: np.ndarray
    sentences: np.ndarray
    # One row per article: the average of all its texts' vectors, of unit length. What two or
    # three close articles have in common is the average of theirs, and the ranker sets it
    # aside to tell them apart (``ranker.siblings_apart``).
    centroids: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))


@dataclass
class LanguageIndex:
    """Everything needed to rank one language's articles for a query."""

    language: str
    slugs: list[str]
    titles: list[str]
    summaries: list[str]
    topics: list[str]
    vocabulary: dict[str, int]
    idf: np.ndarray
    # Matrices with a row per article (or per short text, per section) and a column per term
    # (or character n-gram), kept by column: a question has a few terms, and only their columns
    # are read (see ``column_scores``).
    # BM25 of the fields, each weighted (FIELD_WEIGHTS) and added up.
    bm25: sparse.csc_matrix
    char_vectorizer: TfidfVectorizer
    chars: CharNgrams
    profiles: sparse.csc_matrix
    short_words: sparse.csc_matrix
    short_chars: sparse.csc_matrix
    short_article: np.ndarray
    # One row per section of an article's body (its heading and text): a question about one
    # detail ("can I get it in braille?") matches that section far better than the whole body.
    section_words: sparse.csc_matrix = field(default_factory=lambda: sparse.csc_matrix((0, 0)))
    section_article: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    sentence_article: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    words: Counter[str] = field(default_factory=Counter)
    # Meaning vectors, row for row with short_article, one per article, and row for row with
    # section_article; None without the model (and for Welsh, which it was not trained on).
    meaning: Meaning | None = None
    # The sentence model's vectors: None without the model, and for Welsh.
    sentence_meaning: SentenceMeaning | None = None
    # Whether a question is about GovSign at all, by its sentence vector (``scope``): fitted
    # on the titles and example questions against questions known to be about other things.
    scope_model: scope.ScopeModel | None = None
    # Which article a question is about, by its sentence vector (``articles``): fitted on each
    # article's title, summary and example questions.
    article_model: articles.ArticleModel | None = None
    # Built on first use by the ranker, and dropped with the index.
    # Words of titles, slugs and example questions: what managers say the guidance is about.
    headline_words: frozenset[str] = frozenset()
    # The titles, slugs and example questions themselves (folded), one string each: a name is
    # what an article is about only when one of them says it whole ("tax refund"), not when its
    # words are spread over several (with many articles every everyday word is somewhere).
    headlines: tuple[str, ...] = ()
    # The titles and example questions as written, row for row with short_article.
    short_texts: tuple[str, ...] = ()
    # The body's sentences as written (after their section's heading), row for row with
    # sentence_article; English only (they are read by the sentence model).
    sentence_texts: tuple[str, ...] = ()
    speller: Any = None
    key_words: frozenset[str] | None = None
    # The guidance's words and their meaning vectors, for words the guidance never uses.
    neighbours: Any = None

    @property
    def max_idf(self) -> float:
        return float(self.idf.max()) if self.idf.size else 1.0


def build_language_index(
    language: str, texts: Sequence[GuidanceText], analyse: Callable[[str], list[str]]
) -> LanguageIndex:
    texts = sorted(texts, key=lambda t: t.slug)
    words: Counter[str] = Counter()
    headline_words: set[str] = set()
    headlines: list[str] = []
    if language == "en":
        for t in texts:
            words.update(english_words(" ".join([t.title, t.summary, t.body, *t.examples])))
            headline = " ".join([t.title, t.slug.replace("-", " "), *t.examples])
            headline_words.update(english_words(headline))
            headlines += [fold(h) for h in (t.title, t.slug.replace("-", " "), *t.examples)]
    field_terms = {
        "title": [analyse(f"{t.title} {t.slug.replace('-', ' ')}") for t in texts],
        "summary": [analyse(t.summary) for t in texts],
        "examples": [analyse(" . ".join(t.examples)) for t in texts],
        "body": [analyse(t.body) for t in texts],
    }
    vocabulary: dict[str, int] = {}
    for terms_list in field_terms.values():
        for terms in terms_list:
            for term in terms:
                vocabulary.setdefault(term, len(vocabulary))
    n_docs, n_terms = len(texts), max(len(vocabulary), 1)
    document_frequency = np.zeros(n_terms, dtype=np.float64)
    for i in range(n_docs):
        seen = {vocabulary[t] for terms_list in field_terms.values() for t in terms_list[i]}
        document_frequency[list(seen)] += 1
    idf = np.log(1 + (n_docs - document_frequency + 0.5) / (document_frequency + 0.5))
    # BM25 is linear in the fields' matrices, so one weighted sum scores them all at once.
    bm25 = sum(
        (
            FIELD_WEIGHTS[name] * _bm25_matrix(terms_list, vocabulary, n_terms, idf)
            for name, terms_list in field_terms.items()
        ),
        sparse.csr_matrix((n_docs, n_terms)),
    )
    profiles_text = [" ".join([t.title, t.summary, *t.examples]) for t in texts]
    char_vectorizer = _char_vectorizer()
    profiles = char_vectorizer.fit_transform([fold(p) for p in profiles_text] or [""])
    short_texts, short_article = _short_texts(texts)
    short_words = _tfidf_rows([analyse(s) for s in short_texts], vocabulary, n_terms, idf)
    short_chars = char_vectorizer.transform([fold(s) for s in short_texts] or [""])
    section_texts, section_article = _parts(texts, lambda t: sections_of(t.body))
    section_words = _tfidf_rows([analyse(s) for s in section_texts], vocabulary, n_terms, idf)
    summaries = [t.summary for t in texts]
    sentence_texts: list[str] = []
    sentence_article: list[int] = []
    meaning = None
    sentence_meaning = None
    scope_model = None
    article_model = None
    if language == "en":
        sentence_texts, sentence_article = _body_sentences(texts)
        sentence_meaning = _sentence_meaning(
            (short_texts, short_article), summaries, (sentence_texts, sentence_article)
        )
        scope_model = _scope_model(sentence_meaning, texts, short_article)
        article_model = _article_model(sentence_meaning, short_article, [t.slug for t in texts])
        # The averaged word vectors are the meaning signal only without the sentence model.
        if sentence_meaning is None:
            meaning = _meaning(short_texts, summaries, section_texts, sentence_texts)
    return LanguageIndex(
        language=language,
        slugs=[t.slug for t in texts],
        titles=[t.title for t in texts],
        summaries=summaries,
        topics=[t.topic for t in texts],
        vocabulary=vocabulary,
        idf=idf,
        bm25=sparse.csc_matrix(bm25),
        char_vectorizer=char_vectorizer,
        chars=CharNgrams.of(char_vectorizer),
        profiles=sparse.csc_matrix(profiles),
        short_words=sparse.csc_matrix(short_words),
        short_chars=sparse.csc_matrix(short_chars),
        short_article=np.array(short_article, dtype=np.int64),
        section_words=sparse.csc_matrix(section_words),
        section_article=np.array(section_article, dtype=np.int64),
        sentence_article=np.array(sentence_article, dtype=np.int64),
        words=words,
        meaning=meaning,
        sentence_meaning=sentence_meaning,
        scope_model=scope_model,
        article_model=article_model,
        headline_words=frozenset(headline_words),
        headlines=tuple(headlines),
        short_texts=tuple(short_texts),
        sentence_texts=tuple(sentence_texts),
    )


@dataclass(frozen=True)
class _Built:
    """A language's index and everything it was built from."""

    texts: tuple[GuidanceText, ...]
    analyse: Callable[[str], list[str]]
    word_model: object
    sentence_model: object
    index: LanguageIndex


_built: dict[str, _Built] = {}
_built_lock = threading.Lock()


def language_index(
    language: str, texts: Sequence[GuidanceText], analyse: Callable[[str], list[str]]
) -> LanguageIndex:
    """``build_language_index``, or the index last built for this language when nothing it is
    built from has changed: the same published texts and the same models. Guidance changes one
    language at a time (an English example question leaves the Welsh index as it was), and a
    rebuild for a change outside the words (an article saved unchanged) costs nothing.

    The sentence vectors are still looked up and kept in the database as a build does them
    (``stored_meanings``: this database may be new to this process), and when they differ from
    the ones the index holds (this process forgot them and read them back), it takes them."""
    ordered = tuple(sorted(texts, key=lambda t: t.slug))
    # Only English guidance gets meaning vectors (see ``build_language_index``).
    english = language == "en"
    word_model = semantic.embedder() if english else None
    encoder = sentence_model.encoder() if english else None
    with _built_lock:
        last = _built.get(language)
    if (
        last is None
        or last.texts != ordered
        or last.analyse is not analyse
        or last.word_model is not word_model
        or last.sentence_model is not encoder
    ):
        index = build_language_index(language, ordered, analyse)
        with _built_lock:
            _built[language] = _Built(ordered, analyse, word_model, encoder, index)
        return index
    index = last.index
    held = index.sentence_meaning
    if held is None:
        return index
    meaning = _sentence_meaning(
        _short_texts(ordered), [t.summary for t in ordered], _body_sentences(ordered)
    )
    if encoder is not None:  # kept in the database too, as the guidance's are just above
        stored_meanings(encoder, scope.not_govsign_questions())
    same = meaning is not None and all(
        np.array_equal(getattr(meaning, part), getattr(held, part))
        for part in ("short", "summaries", "sentences")
    )
    if same:
        return index
    index = replace(index, sentence_meaning=meaning)
    with _built_lock:
        _built[language] = replace(last, index=index)
    return index


def forget_built_indexes() -> None:
    """Build every language's index from scratch next time (tests use this)."""
    with _built_lock:
        _built.clear()


def _parts(
    texts: Sequence[GuidanceText], parts_of: Callable[[GuidanceText], Iterable[str]]
) -> tuple[list[str], list[int]]:
    """Every part of every text (``parts_of`` says what they are), and the article (its row in
    ``texts``) each came from."""
    parts: list[str] = []
    article: list[int] = []
    for i, t in enumerate(texts):
        for part in parts_of(t):
            parts.append(part)
            article.append(i)
    return parts, article


def _short_texts(texts: Sequence[GuidanceText]) -> tuple[list[str], list[int]]:
    """Every title and example question, and the article of each."""
    return _parts(texts, lambda t: (t.title, *t.examples))


def _body_sentences(texts: Sequence[GuidanceText]) -> tuple[list[str], list[int]]:
    """Every sentence or list item of the bodies, and the article of each."""
    return _parts(texts, lambda t: sentences_of(t.body))


def _meaning(
    short: list[str], summaries: list[str], sections: list[str], sentences: list[str]
) -> Meaning | None:
    vectors = semantic.embed([*short, *summaries, *sections, *sentences])
    if vectors is None:
        return None
    first, second = len(short), len(short) + len(summaries)
    third = second + len(sections)
    return Meaning(vectors[:first], vectors[first:second], vectors[second:third], vectors[third:])


def _sentence_meaning(
    short: tuple[list[str], list[int]],
    summaries: list[str],
    sentences: tuple[list[str], list[int]],
) -> SentenceMeaning | None:
    """The sentence vectors of the titles and example questions, summaries and body sentences
    (each list of texts with the article, by its row, of each text)."""
    model = sentence_model.encoder()
    if model is None:
        return None
    texts = [*short[0], *summaries, *sentences[0]]
    stored_meanings(model, texts)
    vectors = model.encode(texts)
    first, second = len(short[0]), len(short[0]) + len(summaries)
    owners = np.array([*short[1], *range(len(summaries)), *sentences[1]], dtype=np.int64)
    return SentenceMeaning(
        vectors[:first],
        vectors[first:second],
        vectors[second:],
        _centroids(vectors, owners, len(summaries)),
    )


def _scope_model(
    meaning: SentenceMeaning | None, texts: Sequence[GuidanceText], short_article: list[int]
) -> scope.ScopeModel | None:
    """What GovSign questions are (the titles and example questions of the guidance filed under
    the service's own topics) against what they are not (``scope.not_govsign_questions``,
    whose vectors are cached and kept like the guidance's). Guidance filed under another topic
    is about another service: its questions do not say what GovSign is."""
    model = sentence_model.encoder()
    if meaning is None or model is None:
        return None
    own = np.array([texts[a].topic in TOPIC_NAMES for a in short_article], dtype=bool)
    govsign = meaning.short[own] if own.any() else meaning.short
    return scope.fit(govsign, _not_govsign_vectors(model))


def _article_model(
    meaning: SentenceMeaning | None, short_article: list[int], slugs: list[str]
) -> articles.ArticleModel | None:
    """The classifier of the articles (``articles``), on the vectors of their titles and example
    questions (``short_article`` says whose each is) and their summaries."""
    if meaning is None:
        return None
    vectors = np.vstack([meaning.short, meaning.summaries])
    owners = np.r_[np.asarray(short_article, dtype=np.int64), np.arange(len(meaning.summaries))]
    return articles.fit(vectors, owners, slugs)


def _not_govsign_vectors(model: sentence_model.Encoder) -> np.ndarray:
    """The vectors of the questions known not to be about GovSign, looked up and kept in the
    database as the guidance's are (``stored_meanings``)."""
    others = list(scope.not_govsign_questions())
    stored_meanings(model, others)
    return model.encode(others)


def _centroids(vectors: np.ndarray, owners: np.ndarray, articles: int) -> np.ndarray:
    """Per article, the average of its rows of ``vectors`` (``owners`` says whose each row
    is), of unit length."""
    sums = np.zeros((articles, vectors.shape[1]), dtype=np.float64)
    np.add.at(sums, owners, vectors)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return (sums / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def stored_meanings(model: sentence_model.Encoder, texts: Sequence[str]) -> None:
    """Fill the model's cache from the vectors kept in the database, and keep there every one
    the database lacks (computed here or already in this process's cache): a new process (a
    restart, Daphne beside ``manage.py ask``, a fresh database) then computes only what no
    process has seen before."""
    from selfhelp.actions import store_text_meanings
    from selfhelp.selectors import stored_meaning_keys, text_meanings

    keys = {sentence_model.digest(text): text for text in texts}
    stored = stored_meaning_keys(keys)
    model.remember(text_meanings(stored - model.known(stored)))
    unstored = [keys[key] for key in keys.keys() - stored]
    if unstored:
        store_text_meanings(
            dict(zip(map(sentence_model.digest, unstored), model.encode(unstored), strict=True))
        )


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def sentences_of(body: str) -> list[str]:
    """Each sentence or list item of the body, after its section's heading."""
    found: list[str] = []
    for section in sections_of(body):
        heading, _newline, text = section.partition("\n")
        if not heading.startswith("#"):
            heading, text = "", section
        heading = heading.lstrip("#").strip()
        for line in text.splitlines():
            for piece in _SENTENCE_END.split(_LIST_MARK.sub("", line).strip()):
                if piece:
                    found.append(f"{heading}: {piece}" if heading else piece)
    return found


def sections_of(body: str) -> list[str]:
    """The body's sections, each with its heading; text before the first heading is one too."""
    parts = re.split(r"(?m)^(?=#{1,6}\s)", body)
    return [part.strip() for part in parts if part.strip()]


def _bm25_matrix(
    terms_list: list[list[str]], vocabulary: dict[str, int], n_terms: int, idf: np.ndarray
) -> sparse.csr_matrix:
    """Rows are articles: saturated, length-normalised term frequency times idf."""
    lengths = np.array([len(terms) for terms in terms_list], dtype=np.float64)
    average = lengths.mean() if lengths.size and lengths.mean() > 0 else 1.0
    rows, cols, values = [], [], []
    for i, terms in enumerate(terms_list):
        norm = K1 * (1 - B + B * lengths[i] / average)
        for term, tf in Counter(terms).items():
            column = vocabulary[term]
            rows.append(i)
            cols.append(column)
            values.append(idf[column] * tf * (K1 + 1) / (tf + norm))
    return sparse.csr_matrix(
        (values, (rows, cols)), shape=(len(terms_list), n_terms), dtype=np.float64
    )


def _tfidf_rows(
    terms_list: list[list[str]], vocabulary: dict[str, int], n_terms: int, idf: np.ndarray
) -> sparse.csr_matrix:
    """Rows are short texts: idf-weighted, L2-normalised term vectors."""
    rows, cols, values = [], [], []
    for i, terms in enumerate(terms_list):
        counts = Counter(vocabulary[t] for t in terms if t in vocabulary)
        weights = {c: idf[c] * (1 + np.log(n)) for c, n in counts.items()}
        norm = np.sqrt(sum(w * w for w in weights.values())) or 1.0
        for column, weight in weights.items():
            rows.append(i)
            cols.append(column)
            values.append(weight / norm)
    return sparse.csr_matrix(
        (values, (rows, cols)), shape=(max(len(terms_list), 1), n_terms), dtype=np.float64
    )


@dataclass
class GuidanceIndex:
    """The indexes for every language with published guidance."""

    languages: dict[str, LanguageIndex]
    version: str = ""
    fingerprint: tuple[object, ...] = ()
    checked_at: float = 0.0
    # Every language's articles, by slug (sorted): scores from several languages' indexes are
    # combined in these positions (``positions``).
    slugs: list[str] = field(default_factory=list)
    positions: dict[str, np.ndarray] = field(default_factory=dict)
    _titles: dict[tuple[str, str], tuple[str, str]] | None = None
    _topics: dict[str, str] | None = None

    def __post_init__(self) -> None:
        self.slugs = sorted({slug for index in self.languages.values() for slug in index.slugs})
        place = {slug: i for i, slug in enumerate(self.slugs)}
        self.positions = {
            language: np.array([place[slug] for slug in index.slugs], dtype=np.int64)
            for language, index in self.languages.items()
        }

    @classmethod
    def build(cls, texts: Sequence[GuidanceText]) -> GuidanceIndex:
        by_language: dict[str, list[GuidanceText]] = {}
        for text in texts:
            by_language.setdefault(text.language, []).append(text)
        languages = {
            language: language_index(
                language, rows, document_terms if language == "en" else welsh_terms
            )
            for language, rows in by_language.items()
        }
        return cls(languages)

    def titles(self) -> dict[tuple[str, str], tuple[str, str]]:
        """(slug, language) to (title, summary)."""
        if self._titles is None:
            self._titles = {
                (slug, language): (index.titles[i], index.summaries[i])
                for language, index in self.languages.items()
                for i, slug in enumerate(index.slugs)
            }
        return self._titles

    def topics(self) -> dict[str, str]:
        """Slug to topic, of the English guidance."""
        if self._topics is None:
            english = self.languages.get("en")
            self._topics = dict(zip(english.slugs, english.topics, strict=True)) if english else {}
        return self._topics


_lock = threading.Lock()
_current: GuidanceIndex | None = None


def current_index() -> GuidanceIndex:
    """This process's index, rebuilt when the guidance changed.

    Actions bump a shared version token (immediate, across processes); every few seconds the
    database's own fingerprint is checked as well, which catches edits made outside actions.
    """
    global _current
    version = guidance_version()
    now = time.monotonic()
    index = _current
    if index is not None and index.version == version:
        if now - index.checked_at < FINGERPRINT_EVERY_SECONDS:
            return index
        fingerprint = guidance_fingerprint()
        if fingerprint == index.fingerprint:
            index.checked_at = now
            return index
    with _lock:
        if _current is not None and _current is not index:
            return _current
        from selfhelp.selectors import published_guidance

        fingerprint = guidance_fingerprint()
        built = GuidanceIndex.build(published_guidance())
        built.version, built.fingerprint, built.checked_at = version, fingerprint, now
        _current = built
        return built


def forget_index() -> None:
    """Drop the cached index (tests and the benchmark use this)."""
    global _current
    with _lock:
        _current = None

"""Reads of guidance that several places share: pages, search, the chatbot's index, reports."""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, QuerySet
from django.db.models.functions import Greatest

from selfhelp.models import (
    Article,
    ArticleFeedback,
    ArticleRevision,
    ArticleStatus,
    ArticleTranslation,
    ExampleQuestion,
    TextMeaning,
    UnansweredSearch,
)
from selfhelp.topics import TOPIC_ORDER, topic_name
from selfhelp.welsh import normalise_welsh

GUIDANCE_VERSION_KEY = "selfhelp:guidance-version"
_SEARCH_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
MAX_QUERY_CHARS = 200


def search_config(language: str) -> str:
    """The PostgreSQL text-search configuration for a language: English stems; Welsh is
    normalised in Python first (see ``selfhelp.welsh``) and then indexed as ``simple``."""
    return "english" if language == "en" else "simple"


# --- Telling the chatbot's index that guidance changed --------------------------------------


def guidance_version() -> str:
    """A token that changes whenever guidance changes; shared by every process via the cache."""
    token = cache.get(GUIDANCE_VERSION_KEY)
    if token is None:
        token = uuid.uuid4().hex
        cache.add(GUIDANCE_VERSION_KEY, token, timeout=None)
        token = cache.get(GUIDANCE_VERSION_KEY) or token
    return str(token)


def bump_guidance_version() -> None:
    """Tell every process's chatbot that guidance changed: now (this process sees its own
    uncommitted change straight away) and again after commit (the others see it then)."""

    def bump() -> None:
        cache.set(GUIDANCE_VERSION_KEY, uuid.uuid4().hex, timeout=None)

    bump()
    transaction.on_commit(bump)


def guidance_fingerprint() -> tuple[Any, ...]:
    """Changes when any article, translation or example does, even if edited outside actions."""
    articles = Article.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    texts = ArticleTranslation.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    examples = ExampleQuestion.objects.aggregate(n=Count("id"), last=Max("id"))
    return (*articles.values(), *texts.values(), *examples.values())


@dataclass(frozen=True)
class GuidanceText:
    """One published article in one language, as the chatbot indexes it."""

    slug: str
    topic: str
    language: str
    title: str
    summary: str
    body: str
    examples: tuple[str, ...]


def published_guidance() -> list[GuidanceText]:
    """Every published article's every language version, with its example questions."""
    examples: dict[tuple[int, str], list[str]] = {}
    for article_id, language, text in ExampleQuestion.objects.filter(
        article__status=ArticleStatus.PUBLISHED
    ).values_list("article_id", "language", "text"):
        examples.setdefault((article_id, language), []).append(text)
    rows = ArticleTranslation.objects.filter(article__status=ArticleStatus.PUBLISHED).values_list(
        "article_id", "article__slug", "article__topic", "language", "title", "summary", "body"
    )
    return [
        GuidanceText(slug, topic, language, title, summary, body,
                     tuple(examples.get((article_id, language), ())))
        for article_id, slug, topic, language, title, summary, body in rows
    ]  # fmt: skip


# --- Pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticlePage:
    article: Article
    text: ArticleTranslation
    fell_back: bool


def _text_for(article: Article, language: str) -> tuple[ArticleTranslation, bool] | None:
    texts = {t.language: t for t in article.translations.all()}
    if language in texts:
        return texts[language], False
    fallback = texts.get(settings.LANGUAGE_CODE)
    return (fallback, True) if fallback else None


def article_page(slug: str, language: str, *, include_drafts: bool = False) -> ArticlePage | None:
    """An article in the reader's language, or in English (``fell_back``) when not translated."""
    articles = Article.objects.prefetch_related("translations")
    if not include_drafts:
        articles = articles.filter(status=ArticleStatus.PUBLISHED)
    article = articles.filter(slug=slug).first()
    if article is None:
        return None
    found = _text_for(article, language)
    return ArticlePage(article, *found) if found else None


@dataclass(frozen=True)
class ArticleLink:
    slug: str
    title: str
    summary: str
    fell_back: bool


def _links(articles: QuerySet[Article], language: str) -> list[ArticleLink]:
    links = []
    for article in articles.prefetch_related("translations"):
        found = _text_for(article, language)
        if found:
            text, fell_back = found
            links.append(ArticleLink(article.slug, text.title, text.summary, fell_back))
    return links


def topics_with_articles(language: str) -> list[tuple[str, str, list[ArticleLink]]]:
    """(topic, its name, its published articles) for the help home, in a sensible order."""
    published = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    by_topic: dict[str, list[ArticleLink]] = {}
    for article in published.prefetch_related("translations"):
        found = _text_for(article, language)
        if found:
            text, fell_back = found
            by_topic.setdefault(article.topic, []).append(
                ArticleLink(article.slug, text.title, text.summary, fell_back)
            )
    order = {topic: i for i, topic in enumerate(TOPIC_ORDER)}
    topics = sorted(by_topic, key=lambda t: (order.get(t, len(order)), t))
    return [(t, topic_name(t), sorted(by_topic[t], key=lambda a: a.title)) for t in topics]


def related_articles(article: Article, language: str, limit: int = 5) -> list[ArticleLink]:
    """Other published articles on the same topic."""
    same_topic = Article.objects.filter(
        status=ArticleStatus.PUBLISHED, topic=article.topic
    ).exclude(pk=article.pk)
    return _links(same_topic, language)[:limit]


def article_revisions(article: Article) -> QuerySet[ArticleRevision]:
    return article.revisions.select_related("changed_by")


# --- Search ------------------------------------------------------------------------------


def search_words(text: str) -> list[str]:
    return [w.lower() for w in _SEARCH_WORD.findall(text[:MAX_QUERY_CHARS])]


def search_articles(text: str, language: str, limit: int = 20) -> list[ArticleLink]:
    """Published articles for a search, best first: full-text search on PostgreSQL with a
    trigram fallback for misspellings, and a word-match ranking elsewhere."""
    words = search_words(text)
    if not words:
        return []
    if connection.vendor == "postgresql":
        slugs = _postgres_search(words, language, limit)
    else:
        slugs = _python_search(words, language, limit)
    articles = {a.slug: a for a in Article.objects.filter(slug__in=slugs)}
    links = {link.slug: link for link in _links(Article.objects.filter(slug__in=slugs), language)}
    return [links[slug] for slug in slugs if slug in articles and slug in links]


def _postgres_search(words: list[str], language: str, limit: int) -> list[str]:
    config = search_config(language)
    terms = [normalise_welsh(w) for w in words] if language != "en" else words
    query: SearchQuery | None = None
    for term in filter(None, terms):
        part = SearchQuery(term, config=config, search_type="plain")
        query = part if query is None else query | part
    published = ArticleTranslation.objects.filter(
        article__status=ArticleStatus.PUBLISHED, language=language
    )
    slugs: list[str] = []
    if query is not None:
        # Any word matches; the words together as a phrase rank higher (weights A title,
        # B summary, C body decide between articles that both hold the phrase).
        together = SearchQuery(" ".join(filter(None, terms)), config=config, search_type="phrase")
        ranked = (
            published.filter(search_vector=query)
            .annotate(
                rank=SearchRank(F("search_vector"), query)
                + 2 * SearchRank(F("search_vector"), together)
            )
            .order_by("-rank", "title")
        )
        slugs = list(ranked.values_list("article__slug", flat=True)[:limit])
    if len(slugs) < 3:
        phrase = " ".join(words)
        similar = (
            published.annotate(
                similarity=Greatest(
                    TrigramWordSimilarity(phrase, "title"),
                    TrigramWordSimilarity(phrase, "summary"),
                )
            )
            .filter(similarity__gte=0.35)
            .exclude(article__slug__in=slugs)
            .order_by("-similarity")
        )
        slugs += list(similar.values_list("article__slug", flat=True)[: limit - len(slugs)])
    return slugs


def _python_search(words: list[str], language: str, limit: int) -> list[str]:
    """The SQLite fallback: weighted word matches with prefix and edit tolerance."""
    from difflib import get_close_matches

    published = ArticleTranslation.objects.filter(
        article__status=ArticleStatus.PUBLISHED, language=language
    ).values_list("article__slug", "title", "summary", "body")

    def terms(text: str) -> list[str]:
        return normalise_welsh(text).split() if language != "en" else search_words(text)

    if language != "en":
        words = [normalise_welsh(word) for word in words]
    scored = []
    for slug, title, summary, body in published:
        fields = ((terms(title), 4.0), (terms(summary), 2.0), (terms(body), 0.5))
        score = 0.0
        for word in words:
            if len(word) < 3:
                continue
            for field_words, weight in fields:
                if word in field_words or any(w.startswith(word[:5]) for w in field_words):
                    score += weight
                elif len(word) > 4 and get_close_matches(word, field_words, n=1, cutoff=0.8):
                    score += weight * 0.6
        if score:
            scored.append((score, slug))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [slug for _score, slug in scored[:limit]]


# --- Reports for managers ----------------------------------------------------------------


def unanswered_searches(limit: int = 50) -> QuerySet[UnansweredSearch]:
    return UnansweredSearch.objects.order_by("-times", "-last_seen")[:limit]


@dataclass(frozen=True)
class NotUsefulRow:
    slug: str
    not_useful: int
    useful: int
    comments: list[str]


def not_useful_articles(limit: int = 50) -> list[NotUsefulRow]:
    """Articles readers said were not useful, most first, with their latest comments."""
    counts = (
        ArticleFeedback.objects.values("article__slug")
        .annotate(
            not_useful=Count("id", filter=Q(useful=False)),
            useful=Count("id", filter=Q(useful=True)),
        )
        .filter(not_useful__gt=0)
        .order_by("-not_useful", "article__slug")[:limit]
    )
    rows = []
    for row in counts:
        comments = list(
            ArticleFeedback.objects.filter(article__slug=row["article__slug"], useful=False)
            .exclude(comment="")
            .values_list("comment", flat=True)[:5]
        )
        rows.append(NotUsefulRow(row["article__slug"], row["not_useful"], row["useful"], comments))
    return rows


@dataclass(frozen=True)
class Containment:
    conversations: int
    contained: int
    handed_over: int
    abandoned: int

    @property
    def contained_share(self) -> float:
        finished = self.contained + self.handed_over + self.abandoned
        return self.contained / finished if finished else 0.0


def bot_containment() -> Containment:
    """How chatbot conversations ended, for the report and the dashboards."""
    from selfhelp.models import BotConversation, BotOutcome

    counts = BotConversation.objects.aggregate(
        total=Count("id"),
        contained=Count("id", filter=Q(outcome=BotOutcome.CONTAINED)),
        handed_over=Count("id", filter=Q(outcome=BotOutcome.HANDED_OVER)),
        abandoned=Count("id", filter=Q(outcome=BotOutcome.ABANDONED)),
    )
    return Containment(
        counts["total"], counts["contained"], counts["handed_over"], counts["abandoned"]
    )


# Keys per query when reading stored text meanings (SQLite allows 32,766 parameters).
MEANINGS_PER_QUERY = 2_000


def stored_meaning_keys(keys: Collection[str]) -> set[str]:
    """Which of these texts' sentence-model vectors are stored (see ``TextMeaning``)."""
    found: set[str] = set()
    wanted = sorted(keys)
    for start in range(0, len(wanted), MEANINGS_PER_QUERY):
        chunk = wanted[start : start + MEANINGS_PER_QUERY]
        found.update(TextMeaning.objects.filter(key__in=chunk).values_list("key", flat=True))
    return found


def text_meanings(keys: Collection[str]) -> dict[str, np.ndarray]:
    """The stored sentence-model vectors of these texts (see ``TextMeaning``), by key."""
    found: dict[str, np.ndarray] = {}
    wanted = sorted(keys)
    for start in range(0, len(wanted), MEANINGS_PER_QUERY):
        rows = TextMeaning.objects.filter(key__in=wanted[start : start + MEANINGS_PER_QUERY])
        for key, vector in rows.values_list("key", "vector"):
            found[key] = np.frombuffer(bytes(vector), dtype="<f4").copy()
    return found

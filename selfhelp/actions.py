"""Changes to guidance articles, and what citizens and the chatbot teach us about them.

Every change a person makes to guidance goes through here, so each one writes its revision,
refreshes the search vectors and tells every process's chatbot index to rebuild.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Value
from django.utils import timezone

from contactcentre.errors import ContactCentreError, InvalidTransition, StaleState
from contactcentre.models import Contact, User
from selfhelp.content import ArticleFile, ArticleFileError, read_article_tree
from selfhelp.models import (
    ALLOWED_OUTCOME_CHANGES,
    ALLOWED_STATUS_CHANGES,
    Article,
    ArticleFeedback,
    ArticleRevision,
    ArticleStatus,
    ArticleTranslation,
    BotConversation,
    BotOutcome,
    ExampleQuestion,
    ExampleSource,
    TextMeaning,
    UnansweredSearch,
)
from selfhelp.selectors import bump_guidance_version, search_config
from selfhelp.welsh import normalise_welsh

logger = logging.getLogger(__name__)

DEMO_CONTENT = Path(__file__).resolve().parent / "demo_content"
MAX_EXAMPLE_CHARS = 500
MAX_UNANSWERED_CHARS = 200


class UnknownArticle(ContactCentreError):
    code = "unknown_article"


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def import_articles(root: Path = DEMO_CONTENT, *, publish: bool = True) -> ImportResult:
    """Load every article under ``root`` (``en/*.md``, ``cy/*.md``), creating or updating.

    Running it again changes nothing that is already the same. A translation whose English
    article is missing is refused, so a half-imported tree never reaches citizens. Example
    questions in the front matter are added (never removed: managers may have added more).

    Each changed translation is written as ``save_translation`` writes it (the words, the
    article's ``updated_at``, a revision, the search vectors), for all the files at once: a
    query or two for each kind of row rather than some twenty for each file (the demo's 36
    files made 710 queries, in the setup of every chatbot and help test).
    """
    languages = [code for code, _name in settings.LANGUAGES]
    files = read_article_tree(root, languages)
    default = languages[0]
    english = {f.slug for f in files if f.language == default}
    orphans = sorted(f.slug for f in files if f.language != default and f.slug not in english)
    if orphans:
        raise ArticleFileError(f"No {default} article for: {', '.join(orphans)}.")
    counts: Counter[str] = Counter()
    for batch in _rounds(files):
        counts.update(_import_batch(batch, publish=publish))
    bump_guidance_version()
    return ImportResult(
        created=counts["created"], updated=counts["updated"], unchanged=counts["unchanged"]
    )


def _rounds(files: Sequence[ArticleFile]) -> list[list[ArticleFile]]:
    """The files in batches that name each article and language at most once, in file order
    (two files with the same slug and language: the second updates what the first wrote)."""
    rounds: list[list[ArticleFile]] = []
    seen: Counter[tuple[str, str]] = Counter()
    for article_file in files:
        key = (article_file.slug, article_file.language)
        if seen[key] == len(rounds):
            rounds.append([])
        rounds[seen[key]].append(article_file)
        seen[key] += 1
    return rounds


def _import_batch(files: Sequence[ArticleFile], *, publish: bool) -> Counter[str]:
    articles = _articles_for(files, publish=publish)
    _add_imported_examples([(articles[f.slug], f.language, f.questions) for f in files])
    existing = {
        (t.article_id, t.language): t
        for t in ArticleTranslation.objects.filter(article__in=list(articles.values()))
    }
    counts: Counter[str] = Counter()
    changed: list[tuple[Article, ArticleFile, ArticleTranslation | None]] = []
    for f in files:
        translation = existing.get((articles[f.slug].pk, f.language))
        if translation is not None and (
            translation.title,
            translation.summary,
            translation.body,
        ) == (
            f.title,
            f.summary,
            f.body,
        ):
            counts["unchanged"] += 1
            continue
        counts["created" if translation is None else "updated"] += 1
        changed.append((articles[f.slug], f, translation))
    if changed:
        _write_imported_translations(changed)
    return counts


def _articles_for(files: Sequence[ArticleFile], *, publish: bool) -> dict[str, Article]:
    """Each file's article by slug, made when missing (with the English file's topic), and with
    its topic set from the English file when that changed."""
    topics: dict[str, str] = {}
    for f in files:
        if f.language == settings.LANGUAGE_CODE or f.slug not in topics:
            topics[f.slug] = f.topic
    found = {a.slug: a for a in Article.objects.filter(slug__in=list(topics))}
    status = ArticleStatus.PUBLISHED if publish else ArticleStatus.DRAFT
    missing = [
        Article(slug=slug, topic=topic, status=status)
        for slug, topic in topics.items()
        if slug not in found
    ]
    if missing:
        Article.objects.bulk_create(missing, ignore_conflicts=True)
        found = {a.slug: a for a in Article.objects.filter(slug__in=list(topics))}
    for f in files:
        article = found[f.slug]
        if f.language == settings.LANGUAGE_CODE and article.topic != f.topic:
            Article.objects.filter(pk=article.pk).update(topic=f.topic)
            article.topic = f.topic
    return found


def _write_imported_translations(
    changed: Sequence[tuple[Article, ArticleFile, ArticleTranslation | None]],
) -> None:
    """``save_translation(..., note="Imported")`` for each, in bulk."""
    now = timezone.now()
    new: list[ArticleTranslation] = []
    updated: list[ArticleTranslation] = []
    for article, f, translation in changed:
        if translation is None:
            new.append(
                ArticleTranslation(
                    article=article,
                    language=f.language,
                    title=f.title,
                    summary=f.summary,
                    body=f.body,
                )
            )
        else:
            translation.title, translation.summary, translation.body = f.title, f.summary, f.body
            translation.updated_at = now
            updated.append(translation)
    ArticleTranslation.objects.bulk_create(new)
    ArticleTranslation.objects.bulk_update(updated, ["title", "summary", "body", "updated_at"])
    article_ids = {article.pk for article, _f, _t in changed}
    Article.objects.filter(pk__in=article_ids).update(updated_at=now)
    statuses = dict(Article.objects.filter(pk__in=article_ids).values_list("pk", "status"))
    ArticleRevision.objects.bulk_create(
        ArticleRevision(
            article=article,
            language=f.language,
            title=f.title,
            summary=f.summary,
            body=f.body,
            status=statuses[article.pk],
            note="Imported",
        )
        for article, f, _translation in changed
    )
    refresh_search_vectors([t.pk for t in new] + [t.pk for t in updated])


@transaction.atomic
def save_translation(
    article: Article,
    language: str,
    *,
    title: str,
    summary: str,
    body: str,
    by: User | None = None,
    note: str = "",
) -> ArticleTranslation:
    """Create or change the words of one language version, keeping the old words as a revision."""
    translation, _created = ArticleTranslation.objects.update_or_create(
        article=article,
        language=language,
        defaults={"title": title, "summary": summary, "body": body},
    )
    Article.objects.filter(pk=article.pk).update(updated_at=timezone.now())
    ArticleRevision.objects.create(
        article=article,
        language=language,
        title=title,
        summary=summary,
        body=body,
        status=Article.objects.values_list("status", flat=True).get(pk=article.pk),
        note=note[:200],
        changed_by=by,
    )
    refresh_search_vectors([translation.pk])
    bump_guidance_version()
    return translation


@transaction.atomic
def set_article_status(
    article: Article, status: str, *, by: User | None = None, note: str = ""
) -> None:
    """Publish or unpublish an article: a status-checked update that writes a revision."""
    current = article.status
    if status == current:
        return
    if status not in ALLOWED_STATUS_CHANGES.get(current, frozenset()):
        raise InvalidTransition(f"An article cannot go from {current} to {status}.")
    changed = Article.objects.filter(pk=article.pk, status=current).update(
        status=status, updated_at=timezone.now()
    )
    if changed != 1:
        raise StaleState("Someone else changed this article's status first.")
    article.status = status
    for translation in article.translations.all():
        ArticleRevision.objects.create(
            article=article,
            language=translation.language,
            title=translation.title,
            summary=translation.summary,
            body=translation.body,
            status=status,
            note=(note or ArticleStatus(status).label)[:200],
            changed_by=by,
        )
    bump_guidance_version()


def refresh_search_vectors(translation_ids: list[int]) -> None:
    """Weighted full-text vectors (title A, summary B, body C) in each text's own language.

    English uses PostgreSQL's English stemmer. Welsh has none in PostgreSQL, so the Welsh words
    are normalised here first (mutations and plurals, ``selfhelp.welsh``) and indexed as
    ``simple``; ``selectors.search_articles`` normalises queries the same way.
    """
    if connection.vendor != "postgresql":
        return
    english = ArticleTranslation.objects.filter(pk__in=translation_ids, language="en")
    config = Value(search_config("en"))
    english.update(
        search_vector=SearchVector("title", weight="A", config=config)
        + SearchVector("summary", weight="B", config=config)
        + SearchVector("body", weight="C", config=config)
    )
    others = ArticleTranslation.objects.filter(pk__in=translation_ids).exclude(language="en")
    for translation in others:
        config = Value(search_config(translation.language))
        fields = (
            (translation.title, "A"),
            (translation.summary, "B"),
            (translation.body, "C"),
        )
        vectors = [
            SearchVector(Value(normalise_welsh(text)), weight=weight, config=config)
            for text, weight in fields
        ]
        ArticleTranslation.objects.filter(pk=translation.pk).update(
            search_vector=vectors[0] + vectors[1] + vectors[2]
        )


def add_example_question(
    article: Article,
    text: str,
    *,
    language: str = "en",
    source: str = ExampleSource.MANAGER,
    by: User | None = None,
) -> ExampleQuestion | None:
    """Teach the chatbot a question this article answers; it uses it straight away.

    Returns ``None`` for an empty question; the same question twice is stored once.
    """
    example = _add_example(article, text, language=language, source=source, by=by)
    if example is not None:
        bump_guidance_version()
    return example


def _add_example(
    article: Article, text: str, *, language: str, source: str, by: User | None = None
) -> ExampleQuestion | None:
    cleaned = " ".join(text.split())[:MAX_EXAMPLE_CHARS]
    if not cleaned:
        return None
    example, _created = ExampleQuestion.objects.get_or_create(
        article=article,
        language=language,
        text=cleaned,
        defaults={"source": source, "added_by": by},
    )
    return example


def _add_imported_examples(questions: Sequence[tuple[Article, str, Sequence[str]]]) -> None:
    """``_add_example`` for each article file's questions (article, language, questions), in two
    queries rather than a get-or-create each (~1,500 queries for the demo's ~400 questions): the
    same rows, in the same order; one already there is left as it is."""
    wanted: dict[tuple[int, str, str], Article] = {}
    for article, language, texts in questions:
        for text in texts:
            cleaned = " ".join(text.split())[:MAX_EXAMPLE_CHARS]
            if cleaned:
                wanted.setdefault((article.pk, language, cleaned), article)
    if not wanted:
        return
    existing = set(
        ExampleQuestion.objects.filter(
            article_id__in={article_id for article_id, _language, _text in wanted},
            text__in={text for _article_id, _language, text in wanted},
        ).values_list("article_id", "language", "text")
    )
    ExampleQuestion.objects.bulk_create(
        [
            ExampleQuestion(
                article=article, language=language, text=text, source=ExampleSource.IMPORT
            )
            for (_article_id, language, text), article in wanted.items()
            if (article.pk, language, text) not in existing
        ],
        ignore_conflicts=True,  # added at the same moment by someone else: theirs stands
    )


def record_feedback(article: Article, *, language: str, useful: bool, comment: str = "") -> None:
    """A citizen's answer to "Is this page useful?"."""
    ArticleFeedback.objects.create(
        article=article, language=language, useful=useful, comment=comment.strip()[:1200]
    )


def record_unanswered(text: str, *, language: str, where: str = "search") -> None:
    """Count a search (or a chatbot question) that found nothing, for the managers' report."""
    cleaned = " ".join(text.lower().split())[:MAX_UNANSWERED_CHARS]
    if not cleaned:
        return
    now = timezone.now()
    with transaction.atomic():
        row, created = UnansweredSearch.objects.get_or_create(
            text=cleaned, language=language, where=where, defaults={"last_seen": now}
        )
        if not created:
            UnansweredSearch.objects.filter(pk=row.pk).update(times=F("times") + 1, last_seen=now)


@transaction.atomic
def record_bot_outcome(contact: Contact, outcome: str, *, first_question: str = "") -> None:
    """How the chatbot's part of a contact ended: contained, handed over or abandoned.

    The chat flow calls this when the citizen says the answer helped or leaves (contained or
    abandoned), and when it hands the conversation to a person (handed over). Recording the same
    outcome twice changes nothing; a hand-over is final.
    """
    conversation, _created = BotConversation.objects.get_or_create(
        contact=contact, defaults={"first_question": first_question[:500]}
    )
    if first_question and not conversation.first_question:
        BotConversation.objects.filter(pk=conversation.pk).update(
            first_question=first_question[:500]
        )
    current = conversation.outcome
    if outcome == current or outcome == BotOutcome.ACTIVE:
        return
    if outcome not in ALLOWED_OUTCOME_CHANGES[current]:
        raise InvalidTransition(f"A bot conversation cannot go from {current} to {outcome}.")
    changed = BotConversation.objects.filter(pk=conversation.pk, outcome=current).update(
        outcome=outcome, outcome_at=timezone.now()
    )
    if changed != 1:
        raise StaleState("The bot conversation's outcome changed at the same time.")


@transaction.atomic
def record_answering_article(
    contact: Contact, article_slug: str, *, question: str = "", by: User | None = None
) -> ExampleQuestion | None:
    """An agent closing a handed-over chat names the article that answered it.

    The citizen's first question (``question``, or the one ``record_bot_outcome`` stored) becomes
    an example question for that article, so the bot answers it itself next time.
    """
    article = Article.objects.filter(slug=article_slug).first()
    if article is None:
        raise UnknownArticle(f"There is no article {article_slug!r}.")
    conversation, _created = BotConversation.objects.get_or_create(
        contact=contact, defaults={"first_question": question[:500]}
    )
    BotConversation.objects.filter(pk=conversation.pk).update(answering_article=article)
    text = question or conversation.first_question
    return add_example_question(
        article, text, language=contact.language, source=ExampleSource.AGENT, by=by
    )


@transaction.atomic
def create_article(slug: str, topic: str, *, by: User | None = None) -> Article:
    """A new article, as a draft: it needs words in English before anyone can publish it."""
    article = Article.objects.create(slug=slug, topic=topic, status=ArticleStatus.DRAFT)
    bump_guidance_version()
    return article


@transaction.atomic
def change_article_details(article: Article, *, slug: str, topic: str) -> None:
    Article.objects.filter(pk=article.pk).update(slug=slug, topic=topic, updated_at=timezone.now())
    bump_guidance_version()


@transaction.atomic
def remove_translation(translation: ArticleTranslation) -> None:
    translation.delete()
    Article.objects.filter(pk=translation.article_id).update(updated_at=timezone.now())
    bump_guidance_version()


def remove_example_question(example: ExampleQuestion) -> None:
    example.delete()
    bump_guidance_version()


def store_text_meanings(vectors: dict[str, np.ndarray]) -> None:
    """Keep the chatbot's newly computed sentence vectors (``TextMeaning``, a cache) for other
    processes. Best effort: a database that refuses (read-only, a broken transaction) only
    means another process computes them again."""
    rows = [
        TextMeaning(key=key, vector=np.asarray(vector, dtype="<f4").tobytes())
        for key, vector in vectors.items()
    ]
    try:
        with transaction.atomic():
            TextMeaning.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    except DatabaseError as error:
        logger.warning("Could not keep the chatbot's sentence vectors (%s).", error)

"""Changes to guidance articles."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from selfhelp.content import ArticleFile, ArticleFileError, read_article_tree
from selfhelp.models import Article, ArticleStatus, ArticleTranslation

DEMO_CONTENT = Path(__file__).resolve().parent / "demo_content"


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def import_articles(root: Path = DEMO_CONTENT, *, publish: bool = True) -> ImportResult:
    """Load every article under ``root`` (``en/*.md``, ``cy/*.md``), creating or updating.

    Running it again changes nothing that is already the same. A translation whose English
    article is missing is refused, so a half-imported tree never reaches citizens.
    """
    languages = [code for code, _name in settings.LANGUAGES]
    files = read_article_tree(root, languages)
    default = languages[0]
    english = {f.slug for f in files if f.language == default}
    orphans = sorted(f.slug for f in files if f.language != default and f.slug not in english)
    if orphans:
        raise ArticleFileError(f"No {default} article for: {', '.join(orphans)}.")
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for article_file in files:
        counts[_upsert(article_file, publish=publish)] += 1
    return ImportResult(**counts)


def _upsert(source: ArticleFile, *, publish: bool) -> str:
    article, _created = Article.objects.get_or_create(
        slug=source.slug,
        defaults={
            "topic": source.topic,
            "status": ArticleStatus.PUBLISHED if publish else ArticleStatus.DRAFT,
        },
    )
    if source.language == settings.LANGUAGE_CODE and article.topic != source.topic:
        Article.objects.filter(pk=article.pk).update(topic=source.topic)
    text = {"title": source.title, "summary": source.summary, "body": source.body}
    translation = ArticleTranslation.objects.filter(
        article=article, language=source.language
    ).first()
    if translation is None:
        ArticleTranslation.objects.create(article=article, language=source.language, **text)
        return "created"
    if all(getattr(translation, key) == value for key, value in text.items()):
        return "unchanged"
    for key, value in text.items():
        setattr(translation, key, value)
    translation.save()
    return "updated"

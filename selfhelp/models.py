"""Guidance articles, in English and Welsh."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Article(models.Model):
    """One piece of guidance; its words live in one ``ArticleTranslation`` per language."""

    slug = models.SlugField(max_length=100, unique=True)
    topic = models.SlugField(max_length=64)
    status = models.CharField(
        max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class ArticleTranslation(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500)
    body = models.TextField(help_text=_("Markdown."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["article", "language"]
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="one_text_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

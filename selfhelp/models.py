"""Guidance articles, in English and Welsh, and what citizens and the chatbot teach us."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


# Which status may follow which; ``actions.set_article_status`` refuses anything else.
ALLOWED_STATUS_CHANGES: dict[str, frozenset[str]] = {
    ArticleStatus.DRAFT: frozenset({ArticleStatus.PUBLISHED}),
    ArticleStatus.PUBLISHED: frozenset({ArticleStatus.DRAFT}),
}


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

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("selfhelp:article", args=[self.slug])


class ArticleTranslation(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500)
    body = models.TextField(help_text=_("Markdown."))
    updated_at = models.DateTimeField(auto_now=True)
    # Weighted full-text vector (title A, summary B, body C), PostgreSQL only; kept up to date
    # by ``actions.refresh_search_vectors``. Its GIN index is made by migration 0002.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["article", "language"]
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="one_text_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class ArticleRevision(models.Model):
    """The words of one translation as they were after each change: the revision history."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=ArticleStatus.choices)
    note = models.CharField(max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.article.slug} ({self.language}) at {self.created_at:%Y-%m-%d %H:%M}"


class ExampleSource(models.TextChoices):
    MANAGER = "manager", _("Added by a manager")
    AGENT = "agent", _("From a chat an agent resolved")
    SEARCH = "search", _("From the unanswered-search report")
    IMPORT = "import", _("Imported with the guidance")


class ExampleQuestion(models.Model):
    """A question a citizen might ask that this article answers. The chatbot learns from these
    straight away."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="examples")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    text = models.CharField(max_length=500)
    source = models.CharField(
        max_length=16, choices=ExampleSource.choices, default=ExampleSource.MANAGER
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "language", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "language", "text"], name="one_example_per_text"
            )
        ]

    def __str__(self) -> str:
        return self.text


class ArticleFeedback(models.Model):
    """An answer to "Is this page useful?"."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    useful = models.BooleanField()
    comment = models.TextField(blank=True, max_length=1200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["useful", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.article.slug}: {'useful' if self.useful else 'not useful'}"


class UnansweredSearch(models.Model):
    """A search (on the help pages or to the chatbot) that found nothing, counted by text."""

    text = models.CharField(max_length=200)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    where = models.CharField(max_length=16, default="search")
    times = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField()

    class Meta:
        ordering = ["-times", "-last_seen"]
        constraints = [
            models.UniqueConstraint(
                fields=["text", "language", "where"], name="one_unanswered_row_per_text"
            )
        ]

    def __str__(self) -> str:
        return self.text


class BotOutcome(models.TextChoices):
    ACTIVE = "active", _("With the assistant")
    CONTAINED = "contained", _("Answered without a person")
    HANDED_OVER = "handed_over", _("Handed over to a person")
    ABANDONED = "abandoned", _("Abandoned")


# A conversation marked contained or abandoned may still be handed over later; a hand-over is
# final. ``actions.record_bot_outcome`` refuses anything else.
ALLOWED_OUTCOME_CHANGES: dict[str, frozenset[str]] = {
    BotOutcome.ACTIVE: frozenset(
        {BotOutcome.CONTAINED, BotOutcome.HANDED_OVER, BotOutcome.ABANDONED}
    ),
    BotOutcome.CONTAINED: frozenset({BotOutcome.HANDED_OVER}),
    BotOutcome.ABANDONED: frozenset({BotOutcome.HANDED_OVER, BotOutcome.CONTAINED}),
    BotOutcome.HANDED_OVER: frozenset(),
}


class BotConversation(models.Model):
    """The chatbot's part of one contact: containment for the dashboards, and the article an
    agent said answered it."""

    contact = models.OneToOneField(
        "contactcentre.Contact", on_delete=models.CASCADE, related_name="bot_conversation"
    )
    outcome = models.CharField(max_length=16, choices=BotOutcome.choices, default=BotOutcome.ACTIVE)
    first_question = models.CharField(max_length=500, blank=True)
    answering_article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["outcome", "created_at"])]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.outcome}"


class TextMeaning(models.Model):
    """The chatbot's sentence-model vector of one guidance text (a title, an example question,
    a summary, a sentence of a body), keyed by a digest of the model's name and the text.

    A cache, not guidance: it lets a new process skip computing what another already has
    (``chat.chatbot.index``). Emptying the table only costs the next index build some time.
    """

    key = models.CharField(max_length=40, primary_key=True)
    vector = models.BinaryField()  # float32 values, little-endian
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key

"""Managers edit guidance here. Every change goes through ``selfhelp.actions``, so each one is
kept as a revision and the chatbot sees it straight away."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from contactcentre.models import User
from selfhelp import actions
from selfhelp.models import (
    Article,
    ArticleRevision,
    ArticleTranslation,
    BotConversation,
    ExampleQuestion,
    ExampleSource,
    UnansweredSearch,
)


class ArticleTranslationInline(admin.StackedInline):
    model = ArticleTranslation
    extra = 0
    fields = ["language", "title", "summary", "body"]


class ExampleQuestionInline(admin.TabularInline):
    model = ExampleQuestion
    extra = 1
    fields = ["language", "text", "source", "added_by", "created_at"]
    readonly_fields = ["source", "added_by", "created_at"]
    verbose_name = _("example question the assistant learns from")


class ArticleRevisionInline(admin.TabularInline):
    model = ArticleRevision
    extra = 0
    can_delete = False
    fields = ["created_at", "language", "status", "title", "note", "changed_by"]
    readonly_fields = ["created_at", "language", "status", "title", "note", "changed_by"]
    verbose_name_plural = _("revision history")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _editor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["slug", "topic", "status", "updated_at", "preview_link"]
    list_filter = ["status", "topic"]
    search_fields = ["slug", "translations__title"]
    readonly_fields = ["preview_link"]
    fields = ["slug", "topic", "status", "preview_link"]
    inlines = [ArticleTranslationInline, ExampleQuestionInline, ArticleRevisionInline]

    @admin.display(description=_("Preview"))
    def preview_link(self, article: Article) -> str:
        if not article.pk:
            return "–"
        try:
            url = reverse("selfhelp_console:preview", args=[article.slug])
        except NoReverseMatch:
            return "–"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}?language=cy">{}</a>',
            url, _("English"), url, _("Welsh"),
        )  # fmt: skip

    def save_model(self, request: HttpRequest, obj: Article, form: ModelForm, change: bool) -> None:
        by = _editor(request)
        if not change:
            created = actions.create_article(obj.slug, obj.topic, by=by)
            obj.pk, obj.status, obj.created_at = created.pk, created.status, created.created_at
            return
        stored = Article.objects.get(pk=obj.pk)
        if (stored.slug, stored.topic) != (obj.slug, obj.topic):
            actions.change_article_details(stored, slug=obj.slug, topic=obj.topic)
        self._pending_status = (stored, obj.status) if stored.status != obj.status else None

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        pending = getattr(self, "_pending_status", None)
        if pending is not None:
            stored, status = pending
            stored.refresh_from_db()
            actions.set_article_status(stored, status, by=_editor(request))
            self._pending_status = None

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        by = _editor(request)
        article = form.instance
        for inline_form in formset.forms:
            if not inline_form.has_changed() and not _deleted(formset, inline_form):
                continue
            data = inline_form.cleaned_data
            instance = inline_form.instance
            if isinstance(instance, ArticleTranslation):
                if _deleted(formset, inline_form):
                    if instance.pk:
                        actions.remove_translation(instance)
                    continue
                actions.save_translation(
                    article, data["language"], title=data["title"], summary=data["summary"],
                    body=data["body"], by=by, note="Edited in the admin",
                )  # fmt: skip
            elif isinstance(instance, ExampleQuestion):
                if instance.pk:
                    actions.remove_example_question(instance)
                if not _deleted(formset, inline_form) and data.get("text"):
                    actions.add_example_question(
                        article, data["text"], language=data["language"],
                        source=ExampleSource.MANAGER, by=by,
                    )  # fmt: skip


def _deleted(formset: BaseInlineFormSet, form: ModelForm) -> bool:
    return bool(formset.can_delete and formset._should_delete_form(form))  # type: ignore[attr-defined]


@admin.register(UnansweredSearch)
class UnansweredSearchAdmin(admin.ModelAdmin):
    list_display = ["text", "language", "where", "times", "last_seen"]
    list_filter = ["language", "where"]
    search_fields = ["text"]


@admin.register(BotConversation)
class BotConversationAdmin(admin.ModelAdmin):
    list_display = ["contact", "outcome", "answering_article", "created_at", "outcome_at"]
    list_filter = ["outcome"]
    readonly_fields = ["contact", "outcome", "first_question", "answering_article", "outcome_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[BotConversation]:
        return super().get_queryset(request).select_related("contact", "answering_article")

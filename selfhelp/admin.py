from django.contrib import admin

from selfhelp.models import Article, ArticleTranslation


class ArticleTranslationInline(admin.StackedInline):
    model = ArticleTranslation
    extra = 0


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["slug", "topic", "status", "updated_at"]
    list_filter = ["status", "topic"]
    search_fields = ["slug", "translations__title"]
    inlines = [ArticleTranslationInline]

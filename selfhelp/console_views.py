"""Managers' guidance pages: what the help pages and the bot could not answer, and previews."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from contactcentre.access import staff_page
from contactcentre.models import User
from contactcentre.roles import Role
from selfhelp import actions, selectors
from selfhelp.forms import ExampleFromSearchForm
from selfhelp.markdown import render_markdown
from selfhelp.models import Article, ExampleSource
from selfhelp.topics import topic_name


def _article_choices() -> list[tuple[str, str]]:
    return [(slug, slug) for slug in Article.objects.values_list("slug", flat=True)]


@staff_page(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """Searches that found nothing and pages readers found not useful: missing guidance."""
    choices = _article_choices()
    form = ExampleFromSearchForm(request.POST or None, articles=choices)
    if request.method == "POST" and form.is_valid():
        article = Article.objects.get(slug=form.cleaned_data["article"])
        assert isinstance(request.user, User)
        actions.add_example_question(
            article,
            form.cleaned_data["text"],
            language=form.cleaned_data["language"],
            source=ExampleSource.SEARCH,
            by=request.user,
        )
        messages.success(
            request, _("The assistant will now answer that question with the article.")
        )
        return redirect("selfhelp_console:report")
    return render(
        request,
        "selfhelp/report.html",
        {
            "unanswered": selectors.unanswered_searches(),
            "not_useful": selectors.not_useful_articles(),
            "containment": selectors.bot_containment(),
            "articles": choices,
            "form": form,
        },
    )


@staff_page(Role.MANAGER)
@require_GET
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    """An article as citizens would see it, drafts included, with its revision history."""
    language = request.GET.get("language", settings.LANGUAGE_CODE)
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    page = selectors.article_page(slug, language, include_drafts=True)
    if page is None:
        raise Http404(_("There is no article with this address."))
    return render(
        request,
        "selfhelp/preview.html",
        {
            "page": page,
            "article": page.article,
            "text": page.text,
            "body": render_markdown(page.text.body),
            "topic_name": topic_name(page.article.topic),
            "revisions": selectors.article_revisions(page.article)[:50],
            "languages": settings.LANGUAGES,
            "language": language,
        },
    )
